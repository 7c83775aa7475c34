"""A slider filled from its neutral value (0σ, ψ = 1) to the handle, not from the left end."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QSlider, QStyle, QStyleOptionSlider, QStylePainter, QWidget


class CenteredSlider(QSlider):
    """A horizontal slider whose highlight runs from `origin` to the handle.

    For values with a neutral middle (a direction's 0σ, truncation's ψ = 1) a fill from the
    left end would suggest an amount of something; this one shows the offset from neutral.

    Args:
        origin: the neutral value (the fill's start).
        parent: the parent widget.
    """

    def __init__(self, origin: int = 0, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.origin = origin

    def _x(self, option: QStyleOptionSlider, groove: QRect, value: int) -> int:
        handle = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderHandle, self)
        span = groove.width() - handle.width()
        offset = QStyle.sliderPositionFromValue(self.minimum(), self.maximum(), value, span,
                                                option.upsideDown)
        return groove.left() + offset + handle.width() // 2

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QStylePainter(self)
        option = QStyleOptionSlider()
        self.initStyleOption(option)
        highlight = option.palette.color(QPalette.ColorRole.Highlight)
        # The style fills the groove up to the handle with Highlight: make that fill neutral.
        option.palette.setColor(QPalette.ColorRole.Highlight,
                                option.palette.color(QPalette.ColorRole.Midlight))
        option.subControls = (QStyle.SubControl.SC_SliderGroove |
                              QStyle.SubControl.SC_SliderTickmarks)
        painter.drawComplexControl(QStyle.ComplexControl.CC_Slider, option)
        groove = self.style().subControlRect(QStyle.ComplexControl.CC_Slider, option,
                                             QStyle.SubControl.SC_SliderGroove, self)
        start, end = sorted((self._x(option, groove, self.origin),
                             self._x(option, groove, self.value())))
        if end > start and self.isEnabled():
            fill = QColor(highlight)
            painter.fillRect(QRect(start, groove.center().y() - 2, end - start, 4), fill)
        option.palette.setColor(QPalette.ColorRole.Highlight, highlight)
        option.subControls = QStyle.SubControl.SC_SliderHandle
        painter.drawComplexControl(QStyle.ComplexControl.CC_Slider, option)

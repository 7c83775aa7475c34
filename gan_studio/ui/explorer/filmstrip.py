"""The interpolation's frames in a row, pixel-exact; click one to show it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QScrollArea, QWidget

from gan_studio.ui.explorer.preview import qimage_view

FRAME_HEIGHT = 64  # target height of a frame on screen; the scale is a whole factor
GAP = 4


class _Strip(QWidget):
    frame_clicked = Signal(int)

    def __init__(self):
        super().__init__()
        self.frames: np.ndarray | None = None
        self.current = -1
        self._qimages = []
        self.setFixedHeight(FRAME_HEIGHT + 2 * GAP)

    def frame_scale(self) -> int:
        if self.frames is None:
            return 1
        return max(1, FRAME_HEIGHT // self.frames.shape[1])

    def frame_rect(self, index: int) -> QRect:
        h, w = self.frames.shape[1:3]
        s = self.frame_scale()
        return QRect(GAP + index * (w * s + GAP), (self.height() - h * s) // 2, w * s, h * s)

    def set_frames(self, frames: np.ndarray | None) -> None:
        self.frames = None if frames is None else np.ascontiguousarray(frames, np.uint8)
        self._qimages = [] if frames is None else [qimage_view(f) for f in self.frames]
        width = GAP if frames is None else self.frame_rect(len(self.frames)).left()
        self.setFixedWidth(max(width, 1))
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(self.width(), FRAME_HEIGHT + 2 * GAP)

    def paintEvent(self, _event) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().color(QPalette.ColorRole.Base))
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        for i, qimage in enumerate(self._qimages):
            painter.drawImage(self.frame_rect(i), qimage)
        if 0 <= self.current < len(self._qimages):
            painter.setPen(QPen(QColor("#7C3AED"), 3))
            painter.drawRect(self.frame_rect(self.current).adjusted(-2, -2, 1, 1))
        painter.end()

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if self.frames is None or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        for i in range(len(self.frames)):
            rect = self.frame_rect(i).adjusted(-GAP // 2, -GAP, GAP // 2, GAP)
            if rect.contains(event.position().toPoint()):
                self.frame_clicked.emit(i)
                break
        event.accept()


class LatentFilmstrip(QScrollArea):
    """A horizontally scrolling row of frames with the current one outlined.

    Signals:
        frame_clicked(int): the index of a clicked frame.

    Args:
        parent: the parent widget.
    """

    frame_clicked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._strip = _Strip()
        self._strip.frame_clicked.connect(self.frame_clicked)
        self.setWidget(self._strip)
        self.setWidgetResizable(False)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setFixedHeight(FRAME_HEIGHT + 2 * GAP + self.horizontalScrollBar().sizeHint().height()
                            + 2 * self.frameWidth())

    @property
    def frames(self) -> np.ndarray | None:
        """The frames shown, uint8 (N, H, W[, 3]), or None."""
        return self._strip.frames

    @property
    def current(self) -> int:
        """The outlined frame (-1 for none)."""
        return self._strip.current

    def set_frames(self, frames: np.ndarray | None) -> None:
        """Shows these frames (None clears)."""
        self._strip.set_frames(frames)
        self.set_current(self._strip.current)

    def set_current(self, index: int) -> None:
        """Outlines frame `index` (-1 for none) and scrolls it into view."""
        self._strip.current = index
        self._strip.update()
        if self._strip.frames is not None and 0 <= index < len(self._strip.frames):
            rect = self._strip.frame_rect(index)
            self.ensureVisible(rect.center().x(), rect.center().y(), rect.width(), 0)

"""The compared runs' sample grids side by side, with one slider through their saved grids."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.runs.compared_grids import GridChoice, caption, format_position
from gan_studio.core.runs.comparison import MAX_COMPARED


def to_pixmap(image: np.ndarray) -> QPixmap:
    """uint8 (H, W) or (H, W, 3) pixels as a QPixmap (copied: the array may go)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    h, w = image.shape[:2]
    form = QImage.Format.Format_Grayscale8 if image.ndim == 2 else QImage.Format.Format_RGB888
    return QPixmap.fromImage(QImage(image.data, w, h, image.strides[0], form).copy())


class _ScaledImage(QLabel):
    """A picture scaled to the label's size, its pixels kept square and sharp."""

    def __init__(self):
        super().__init__()
        self._pixmap: QPixmap | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(140, 140)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)  # as tall as the picture at the panel's width
        self.setSizePolicy(policy)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        if self._pixmap is None or self._pixmap.width() == 0:
            return width
        return round(width * self._pixmap.height() / self._pixmap.width())

    def set_picture(self, pixmap: QPixmap | None) -> None:
        self._pixmap = pixmap
        self.updateGeometry()
        self._rescale()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._pixmap is None:
            self.clear()
            return
        self.setPixmap(self._pixmap.scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.FastTransformation))


class _GridPanel(QWidget):
    """One run's grid: its label above (in its colour), the step shown below."""

    def __init__(self):
        super().__init__()
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title.setWordWrap(True)
        self.picture = _ScaledImage()
        self.caption = QLabel()
        self.caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.caption.setWordWrap(True)
        for label in (self.title, self.caption):  # the panels share the width evenly
            label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.title)
        layout.addWidget(self.picture)
        layout.addWidget(self.caption)
        layout.addStretch(1)  # the caption right under its grid


class CompareGrids(QWidget):
    """A grid per run, side by side, and a shared slider that stops at the saved grids.

    Signals:
        position_changed(float): the slider moved to this point of the axis.

    Args:
        parent: the parent widget.
    """

    position_changed = Signal(float)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._stops = np.zeros(0)
        self._axis = "step"
        self._images: list[np.ndarray | None] = []
        self.panels = [_GridPanel() for _ in range(MAX_COMPARED)]
        self._rows = QGridLayout()
        self._columns = 0
        for panel in self.panels:
            panel.hide()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setEnabled(False)
        self.slider.valueChanged.connect(self._on_slider)
        self.where = QLabel("no saved grids")
        slider_row = QHBoxLayout()
        slider_row.addWidget(QLabel("Grids at"))
        slider_row.addWidget(self.slider, 1)
        slider_row.addWidget(self.where)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._rows)
        layout.addLayout(slider_row)
        layout.addStretch(1)  # the slider right under the grids

    @property
    def position(self) -> float | None:
        """The slider's point on the axis (None: no saved grids)."""
        return float(self._stops[self.slider.value()]) if len(self._stops) else None

    def set_stops(self, stops: np.ndarray, axis: str, keep: bool = True) -> None:
        """Puts the slider's stops at `stops` (points of `axis`), then announces its position.

        Args:
            stops: sorted points of the axis.
            axis: the axis they lie on.
            keep: stay at the stop nearest to the current point (at the end if it was there);
                else go to the last stop.
        """
        before, at_end = self.position, self.slider.value() == self.slider.maximum()
        same_axis = keep and axis == self._axis and before is not None and not at_end
        self._stops, self._axis = np.asarray(stops, dtype=np.float64), axis
        index = len(self._stops) - 1
        if same_axis and len(self._stops):
            index = int(np.argmin(np.abs(self._stops - before)))
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, len(self._stops) - 1))
        self.slider.setValue(max(0, index))
        self.slider.blockSignals(False)
        self.slider.setEnabled(len(self._stops) > 1)
        self._on_slider(self.slider.value())

    def move_to(self, position: float) -> None:
        """Moves the slider to the stop nearest to `position` on the axis."""
        if len(self._stops):
            self.slider.setValue(int(np.argmin(np.abs(self._stops - position))))

    def _on_slider(self, _value: int) -> None:
        position = self.position
        self.where.setText("no saved grids" if position is None
                           else format_position(self._axis, position))
        if position is not None:
            self.position_changed.emit(position)

    def _arrange(self, count: int) -> None:
        """Up to three grids in a row; four to six in two rows, so each stays readable."""
        columns = count if count <= 3 else -(-count // 2)
        if columns == self._columns:
            return
        self._columns = columns
        for panel in self.panels:
            self._rows.removeWidget(panel)
        for i, panel in enumerate(self.panels):
            self._rows.addWidget(panel, i // max(1, columns), i % max(1, columns))
        for column in range(MAX_COMPARED):
            self._rows.setColumnStretch(column, 1 if column < columns else 0)

    def show_choices(self, titles: list[str], colours: list[str],
                     choices: list[GridChoice | None], problems: list[str]) -> None:
        """Titles the panels and states the step each shows (its picture follows).

        Args:
            titles: each run's label.
            colours: each run's colour.
            choices: each run's grid at the slider's point (None: no grid).
            problems: each run's problem ("" for none), said under its grid.
        """
        self._arrange(len(titles))
        for i, panel in enumerate(self.panels):
            panel.setVisible(i < len(titles))
            if i >= len(titles):
                continue
            panel.title.setText(titles[i])
            panel.title.setStyleSheet(f"color: {colours[i]}; font-weight: bold;")
            text = caption(choices[i], self._axis)
            panel.caption.setText(f"{text}\n{problems[i]}" if problems[i] else text)
            panel.caption.setToolTip(problems[i])

    def show_images(self, images: list[np.ndarray | None]) -> None:
        """Shows each run's grid pixels (None: none)."""
        self._images = list(images)
        for panel, image in zip(self.panels, images):
            panel.picture.set_picture(None if image is None else to_pixmap(image))

    @property
    def images(self) -> list[np.ndarray | None]:
        """The pixels shown, a run each."""
        return list(self._images)

    def captions(self) -> list[str]:
        """The text under each shown grid."""
        return [p.caption.text() for p in self.panels if not p.isHidden()]

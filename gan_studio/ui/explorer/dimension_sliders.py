"""One slider per latent dimension, in a scrolling list with a jump-to box."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.latent.explorer_model import LATENT
from gan_studio.ui.widgets.centered_slider import CenteredSlider
from gan_studio.ui.widgets.note_label import note_label

RANGE = 4.0  # N(0, 1) values beyond ±4 are rarer than 1 in 15,000
STEPS_PER_UNIT = 100
REFRESH_MS = 50  # while a path plays, the list follows at 20 updates a second at most
HIGHLIGHT = "background-color: #EDE9FE; border-radius: 3px;"


class DimensionSliders(QWidget):
    """Edits the model's base latent one coordinate at a time.

    Rows are built the first time the list is shown, and follow changes to the latent at most
    20 times a second (and only while visible).

    Args:
        model: the explorer's `ExplorerModel`.
        parent: the parent widget.
    """

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self._latent = np.zeros(0, np.float32)
        self._shown: np.ndarray | None = None
        self._sliders: list[QSlider] = []
        self._values: list[QLabel] = []
        self._names: list[QLabel] = []
        self._highlighted = -1
        self.search = QLineEdit()
        self.search.setPlaceholderText("Jump to dimension…")
        self.search.setClearButtonEnabled(True)
        self.search.setToolTip("Type a dimension's number to scroll to its slider")
        self.search.textChanged.connect(self._jump)
        self.search.returnPressed.connect(self._focus_found)
        self._count = note_label()
        self._count.setWordWrap(False)
        self._rows = QWidget()
        self._grid = QGridLayout(self._rows)
        self._grid.setColumnStretch(1, 1)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.setVerticalSpacing(1)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self._rows)
        self.scroll.setWidgetResizable(True)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        top = QHBoxLayout()
        top.addWidget(self.search, 1)
        top.addWidget(self._count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scroll, 1)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self._refresh)
        model.observe(self._on_model)

    @property
    def sliders(self) -> list[QSlider]:
        """The sliders built so far (empty until the list is first shown)."""
        return list(self._sliders)

    def _on_model(self, what) -> None:
        if LATENT in what and self._model.state is not None:
            self._show_latent(self._model.state.base)

    def _show_latent(self, latent: np.ndarray) -> None:
        """Shows these values (soon, and only while visible)."""
        resized = len(latent) != len(self._latent) or self.search.validator() is None
        self._latent = np.asarray(latent, np.float32).copy()
        if resized:  # not on every move of a slider: the row count and range stay
            self._count.setText(f"{len(self._latent)} dimensions")
            self.search.setValidator(QIntValidator(0, max(0, len(self._latent) - 1), self))
        if self.isVisible() and not self._timer.isActive():
            self._timer.start()

    def jump_to(self, index: int) -> bool:
        """Scrolls to dimension `index` and outlines it; returns whether it exists."""
        self._refresh()
        if not 0 <= index < len(self._latent):
            return False
        self._set_highlight(index)
        self.scroll.ensureWidgetVisible(self._sliders[index], 0, 40)
        return True

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._refresh()

    def _refresh(self) -> None:
        self._timer.stop()
        if len(self._sliders) != len(self._latent):
            self._build(len(self._latent))
        if self._shown is not None and np.array_equal(self._shown, self._latent):
            return
        for i, value in enumerate(self._latent):
            slider = self._sliders[i]
            slider.blockSignals(True)
            slider.setValue(round(float(np.clip(value, -RANGE, RANGE)) * STEPS_PER_UNIT))
            slider.blockSignals(False)
            self._values[i].setText(f"{value:+.2f}")
        self._shown = self._latent.copy()

    def _build(self, count: int) -> None:
        self._rows.setUpdatesEnabled(False)
        while len(self._sliders) > count:
            for widget in (self._names.pop(), self._sliders.pop(), self._values.pop()):
                widget.deleteLater()
        limit = round(RANGE * STEPS_PER_UNIT)
        width = self.fontMetrics().horizontalAdvance("+0.00") + 6
        for i in range(len(self._sliders), count):
            name = QLabel(f"z[{i}]")
            slider = CenteredSlider(0)
            slider.setRange(-limit, limit)
            slider.setSingleStep(5)
            slider.setPageStep(50)
            value = QLabel("+0.00")
            value.setMinimumWidth(width)
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            slider.valueChanged.connect(lambda v, index=i: self._on_value(index, v))
            self._grid.addWidget(name, i, 0)
            self._grid.addWidget(slider, i, 1)
            self._grid.addWidget(value, i, 2)
            self._names.append(name)
            self._sliders.append(slider)
            self._values.append(value)
        self._highlighted = -1
        self._shown = None
        self._rows.setUpdatesEnabled(True)

    def _on_value(self, index: int, step: int) -> None:
        value = step / STEPS_PER_UNIT
        self._latent[index] = value
        if self._shown is not None:
            self._shown[index] = value
        self._values[index].setText(f"{value:+.2f}")
        self._model.set_dimension(index, value)

    def _jump(self, text: str) -> None:
        if text.strip().isdigit():
            self.jump_to(int(text))
        else:
            self._set_highlight(-1)

    def _focus_found(self) -> None:
        if 0 <= self._highlighted < len(self._sliders):
            self._sliders[self._highlighted].setFocus()

    def _set_highlight(self, index: int) -> None:
        if 0 <= self._highlighted < len(self._names):
            self._names[self._highlighted].setStyleSheet("")
        self._highlighted = index
        if index >= 0:
            self._names[index].setStyleSheet(HIGHLIGHT)

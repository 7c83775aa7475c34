"""Sliders along the generator's directions (GANSpace or SeFa), each -3σ to +3σ."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.latent.directions import GANSPACE, METHOD_LABELS, SEFA, LatentDirections
from gan_studio.core.latent.explorer_model import DIRECTIONS, EDITS, METHOD
from gan_studio.ui.widgets.centered_slider import CenteredSlider
from gan_studio.ui.widgets.note_label import note_label

RANGE_SIGMA = 3.0
STEPS_PER_SIGMA = 100
METHOD_TIP = ("Where the directions come from. PCA of activations (GANSpace, Härkönen et al. "
              "2020): the principal components of the first layer's features over 2,000 "
              "samples, about a second. Closed form (SeFa, Shen & Zhou 2021): the eigenvectors "
              "of AᵀA for the first layer's weights A, instant, no sampling.")
NAMES = {GANSPACE: "PC", SEFA: "SeFa "}


def _sigma_text(value: float) -> str:
    return f"{value:+.2f}σ"


class DirectionSliders(QWidget):
    """One slider per direction, labelled with its share (of the feature variance for
    GANSpace, of the first layer's energy for SeFa), and the switch between the two.

    The sliders show the model's directions, offsets and method, and its line on the
    directions.

    Args:
        model: the explorer's `ExplorerModel`.
        parent: the parent widget.
    """

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self._sliders: list[QSlider] = []
        self._names: list[QLabel] = []
        self._values: list[QLabel] = []
        self.status = note_label(model.directions_status)
        self.reset_button = QPushButton("Reset Directions")
        self.reset_button.setToolTip("Set every direction slider back to 0")
        self.reset_button.clicked.connect(self.reset)
        self.reset_button.setEnabled(False)
        self.method = QComboBox()
        for method, label in METHOD_LABELS.items():
            self.method.addItem(label, method)
        self.method.setToolTip(METHOD_TIP)
        self.method.setCurrentIndex(self.method.findData(model.directions_method))
        self.method.activated.connect(
            lambda index: model.set_directions_method(self.method.itemData(index)))
        self._rows = QWidget()
        self._grid = QGridLayout(self._rows)
        self._grid.setColumnStretch(1, 1)
        self._grid.setContentsMargins(4, 4, 4, 4)
        self._grid.setVerticalSpacing(2)
        self._grid.setRowStretch(999, 1)  # rows stay packed at the top
        scroll = QScrollArea()
        scroll.setWidget(self._rows)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        footer = QHBoxLayout()
        footer.addWidget(self.status, 1)
        footer.addWidget(self.reset_button)
        source = QHBoxLayout()
        source.addWidget(QLabel("Directions from"))
        source.addWidget(self.method, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(source)
        layout.addWidget(scroll, 1)
        layout.addLayout(footer)
        model.observe(self._on_model)

    @property
    def sliders(self) -> list[QSlider]:
        """The sliders, strongest direction first."""
        return list(self._sliders)

    def offsets(self) -> np.ndarray:
        """The slider positions in sigmas (float32, one per direction)."""
        return np.array([s.value() / STEPS_PER_SIGMA for s in self._sliders], np.float32)

    def _on_model(self, what) -> None:
        state = self._model.state
        if METHOD in what:
            self.method.setCurrentIndex(self.method.findData(self._model.directions_method))
        if DIRECTIONS in what:
            self.status.setText(self._model.directions_status)
            self._show_directions(None if state is None else state.directions)
        if (DIRECTIONS in what or EDITS in what) and state is not None:
            self.set_offsets(state.offsets)

    def _show_directions(self, directions: LatentDirections | None) -> None:
        """Labels (and if needed adds) one slider per direction (None hides every slider)."""
        count = 0 if directions is None else len(directions.vectors)
        while len(self._sliders) < count:
            self._add_row(len(self._sliders))
        for i, slider in enumerate(self._sliders):
            visible = i < count
            for widget in (slider, self._names[i], self._values[i]):
                widget.setVisible(visible)
            if visible:
                share = float(directions.explained_ratio[i]) * 100
                self._names[i].setText(f"{NAMES[directions.method]}{i + 1} · {share:.1f}%")
                self._names[i].setToolTip(
                    f"Closed-form direction {i + 1}: {share:.2f}% of the first layer's energy "
                    "(its squared singular value); 1σ = 1 in latent units"
                    if directions.method == SEFA else
                    f"Principal direction {i + 1}: {share:.2f}% of the variance of the "
                    f"generator's first-layer features; 1σ = {float(directions.sigmas[i]):.2f} "
                    "in latent units")
        self.reset_button.setEnabled(count > 0)

    def set_offsets(self, offsets) -> None:
        """Moves the sliders to these offsets (sigmas) without changing the model."""
        offsets = np.asarray(offsets, np.float32)
        for i, slider in enumerate(self._sliders):
            value = float(offsets[i]) if i < len(offsets) else 0.0
            slider.blockSignals(True)
            slider.setValue(round(value * STEPS_PER_SIGMA))
            slider.blockSignals(False)
            self._values[i].setText(_sigma_text(slider.value() / STEPS_PER_SIGMA))

    def reset(self) -> None:
        """Every slider to 0."""
        if any(s.value() for s in self._sliders):
            self.set_offsets(np.zeros(len(self._sliders), np.float32))
            self._model.set_offsets(self.offsets())

    def _add_row(self, index: int) -> None:
        name = QLabel(f"PC{index + 1}")
        slider = CenteredSlider(0)
        limit = round(RANGE_SIGMA * STEPS_PER_SIGMA)
        slider.setRange(-limit, limit)
        slider.setSingleStep(5)
        slider.setPageStep(50)
        slider.setTickPosition(QSlider.TickPosition.TicksBelow)
        slider.setTickInterval(STEPS_PER_SIGMA)
        slider.setToolTip("Drag to move along this direction, from -3σ to +3σ")
        value = QLabel(_sigma_text(0.0))
        value.setMinimumWidth(value.fontMetrics().horizontalAdvance("+3.00σ") + 4)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        slider.valueChanged.connect(lambda v, label=value: self._on_value(label, v))
        self._grid.addWidget(name, index, 0)
        self._grid.addWidget(slider, index, 1)
        self._grid.addWidget(value, index, 2)
        self._sliders.append(slider)
        self._names.append(name)
        self._values.append(value)

    def _on_value(self, label: QLabel, value: int) -> None:
        label.setText(_sigma_text(value / STEPS_PER_SIGMA))
        self._model.set_offsets(self.offsets())

"""The explorer's seed and truncation controls: seed, Random, Reset, sample tile, ψ."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QWidget,
)

from gan_studio.core.latent.explorer_model import EDITS, SEED, TILE
from gan_studio.core.levers import MAX_SEED
from gan_studio.ui.widgets.centered_slider import CenteredSlider
from gan_studio.ui.widgets.form_fields import float_spin

PSI_STEPS = 100  # slider steps per unit of ψ
PSI_MAX = 1.5


class LatentControls(QWidget):
    """Seed spin box with Random and Reset, a sample-tile button and the truncation ψ slider.

    The spin box shows the model's seed; the slider shows its ψ.

    Signals:
        tile_clicked(): "Show Sample Tile" was pressed.

    Args:
        model: the explorer's `ExplorerModel`.
        parent: the parent widget.
    """

    tile_clicked = Signal()

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.seed = float_spin(0, MAX_SEED, 0, 1)  # whole numbers wider than a QSpinBox's
        self.seed.setValue(model.seed)
        self.seed.setMinimumWidth(self.seed.fontMetrics().horizontalAdvance(str(MAX_SEED)) + 30)
        self.seed.setToolTip("The random latent drawn from this seed")
        self.seed.valueChanged.connect(model.set_seed)
        self.random_button = QPushButton("Random")
        self.random_button.setToolTip("Draw a new random latent (a new seed); edits are kept")
        self.random_button.clicked.connect(self.randomize)
        self.reset_button = QPushButton("Reset")
        self.reset_button.setToolTip("Back to the seed's latent, with no edits")
        self.reset_button.clicked.connect(model.reset)
        self.tile_button = QPushButton("Show Sample Tile")
        self.tile_button.clicked.connect(self.tile_clicked)
        self.psi = CenteredSlider(PSI_STEPS)
        self.psi.setRange(0, round(PSI_MAX * PSI_STEPS))
        self.psi.setValue(PSI_STEPS)
        self.psi.setTickPosition(QSlider.TickPosition.TicksBelow)
        self.psi.setTickInterval(PSI_STEPS // 2)
        self.psi.setToolTip("Truncation ψ around the mean latent: below 1 gives more typical, "
                            "less varied images; 0 gives the mean's image; above 1 exaggerates")
        self.psi.valueChanged.connect(self._on_psi)
        self._psi_label = QLabel("ψ = 1.00")
        self._psi_label.setMinimumWidth(self._psi_label.fontMetrics().horizontalAdvance("ψ = 1.00 "))
        seed_row = QHBoxLayout()
        for widget in (self.seed, self.random_button, self.reset_button):
            seed_row.addWidget(widget)
        seed_row.addStretch(1)
        seed_row.addWidget(self.tile_button)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel("Seed"), 0, 0)
        grid.addLayout(seed_row, 0, 1, 1, 2)
        grid.addWidget(QLabel("Truncation"), 1, 0)
        grid.addWidget(self.psi, 1, 1)
        grid.addWidget(self._psi_label, 1, 2)
        self._set_tile_available(model.tile_available)
        model.observe(self._on_model)

    def psi_value(self) -> float:
        """ψ as set on the slider."""
        return self.psi.value() / PSI_STEPS

    def randomize(self) -> None:
        """Draws the latent of a new random seed."""
        self._model.set_seed(int(np.random.default_rng().integers(0, MAX_SEED)))

    def _on_model(self, what) -> None:
        if SEED in what and self.seed.value() != self._model.seed:
            self.seed.blockSignals(True)
            self.seed.setValue(self._model.seed)
            self.seed.blockSignals(False)
        if EDITS in what and self._model.state is not None:
            self._show_psi(self._model.state.psi)
        if TILE in what:
            self._set_tile_available(self._model.tile_available)

    def _show_psi(self, psi: float) -> None:
        self.psi.blockSignals(True)
        self.psi.setValue(round(psi * PSI_STEPS))
        self.psi.blockSignals(False)
        self._psi_label.setText(f"ψ = {self.psi_value():.2f}")

    def _set_tile_available(self, available: bool) -> None:
        self.tile_button.setEnabled(available)
        self.tile_button.setToolTip(
            "Show the latent of the tile selected in the sample grid" + (
                "" if available else " (click a tile of a grid drawn by this generator first)"))

    def _on_psi(self, value: int) -> None:
        self._psi_label.setText(f"ψ = {value / PSI_STEPS:.2f}")
        self._model.set_psi(value / PSI_STEPS)

"""The training recipe's levers in the training panel: loss, normalisation, augmentation..."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QGroupBox, QWidget

from gan_studio.core.config import AUGMENT_MODES, LOSSES, TrainConfig
from gan_studio.core.presets import D_KERNELS, G_ACTIVATIONS, PRESET_FIELDS, STRIDE1_KERNELS
from gan_studio.core.recipe import RECIPE_HELP
from gan_studio.ui.widgets.form_fields import float_spin

LOSS_LABELS = {"bce": "Non-saturating (BCE)", "hinge": "Hinge"}
AUGMENT_LABELS = {"auto": "Auto (small data sets)", "on": "On", "off": "Off"}
KERNEL_LABELS = {4: "4×4 (no checkerboard)", 5: "5×5 (the seed's)"}
STRIDE1_LABELS = {0: "Same as G kernels", 3: "3×3", 4: "4×4", 5: "5×5"}
D_KERNEL_LABELS = {3: "3×3", 4: "4×4", 5: "5×5 (the seed's)"}
ACTIVATION_LABELS = {"leaky_relu": "Leaky ReLU (the tutorial's)", "relu": "ReLU (the paper's)"}
FIELDS = ("loss", "spectral_norm", "d_learning_rate", "r1_gamma", "augment", "kernel_size",
          "g_stride1_kernel", "g_activation", "d_kernel_size", "d_dropout", "conditional",
          "mode_seeking")
# The levers a preset sets (by the data's colour for `studio`); the others are the user's alone.
PRESET_LEVERS = tuple(name for name in FIELDS if name in PRESET_FIELDS)
_CHOICES = ("loss", "augment", "kernel_size", "g_stride1_kernel", "g_activation", "d_kernel_size")


class RecipeOptions(QGroupBox):
    """The recipe's levers of a new run, filled from a preset and overridable one by one.

    Each field's tooltip is its line of `gan_studio.core.recipe.RECIPE_HELP`, the text the
    command line's --help shows too.

    Signals:
        changed(): a lever changed (by the user, a preset or a run shown).

    Args:
        parent: the parent widget.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Recipe", parent)
        self.loss = _combo(LOSS_LABELS, LOSSES)
        self.spectral_norm = QCheckBox("Spectral normalisation in D")
        self.d_learning_rate = float_spin(0.0, 0.1, 6, 0.00005)
        self.d_learning_rate.setSpecialValueText("same as G")
        self.r1_gamma = float_spin(0.0, 1000.0, 3, 0.05)
        self.r1_gamma.setSpecialValueText("off")
        self.augment = _combo(AUGMENT_LABELS, AUGMENT_MODES)
        self.kernel_size = _combo(KERNEL_LABELS, (4, 5))
        self.g_stride1_kernel = _combo(STRIDE1_LABELS, STRIDE1_KERNELS)
        self.g_activation = _combo(ACTIVATION_LABELS, G_ACTIVATIONS)
        self.d_kernel_size = _combo(D_KERNEL_LABELS, D_KERNELS)
        self.d_dropout = float_spin(0.0, 0.9, 2, 0.05)
        self.d_dropout.setSpecialValueText("off")
        self.conditional = QCheckBox("Class-conditional (needs labels)")
        self.mode_seeking = float_spin(0.0, 100.0, 2, 0.1)
        self.mode_seeking.setSpecialValueText("off")
        form = QFormLayout(self)
        form.addRow("Loss", self.loss)
        form.addRow("", self.spectral_norm)
        form.addRow("D learning rate", self.d_learning_rate)
        form.addRow("R1 penalty γ", self.r1_gamma)
        form.addRow("Augmentation", self.augment)
        form.addRow("G kernels", self.kernel_size)
        form.addRow("G stride-1 kernels", self.g_stride1_kernel)
        form.addRow("G activation", self.g_activation)
        form.addRow("D kernels", self.d_kernel_size)
        form.addRow("D dropout", self.d_dropout)
        form.addRow("", self.conditional)
        form.addRow("Mode seeking", self.mode_seeking)
        self.mode_seeking.setEnabled(False)  # a conditional run's lever
        self.conditional.toggled.connect(self.mode_seeking.setEnabled)
        for name in FIELDS:
            widget = getattr(self, name)
            widget.setToolTip(RECIPE_HELP[name].capitalize() + ".")
            signal = widget.currentIndexChanged if name in _CHOICES else (
                widget.toggled if isinstance(widget, QCheckBox) else widget.valueChanged)
            signal.connect(self.changed)

    def apply_preset(self, preset: dict) -> None:
        """Fills the levers with a preset's values (`gan_studio.core.config.PRESETS`)."""
        self.set_values({**preset, "d_learning_rate": preset.get("d_learning_rate") or 0.0})

    def config_values(self) -> dict:
        """The levers as `TrainConfig` keyword arguments."""
        values = self.values()
        values["d_learning_rate"] = values["d_learning_rate"] or None  # 0 shows "same as G"
        return values

    def values(self) -> dict:
        """The levers as a JSON-able dict (for the window's settings)."""
        values = {name: getattr(self, name).currentData() for name in _CHOICES}
        values.update(spectral_norm=self.spectral_norm.isChecked(),
                      d_learning_rate=self.d_learning_rate.value(),
                      r1_gamma=self.r1_gamma.value(), d_dropout=self.d_dropout.value(),
                      conditional=self.conditional.isChecked(),
                      mode_seeking=self.mode_seeking.value())
        return values

    def set_values(self, values: dict) -> None:
        """Restores `values()` output (or a config's fields); malformed entries are skipped."""
        for name in _CHOICES:
            index = getattr(self, name).findData(values.get(name))
            if index >= 0:
                getattr(self, name).setCurrentIndex(index)
        for name in ("spectral_norm", "conditional"):
            if isinstance(values.get(name), bool):
                getattr(self, name).setChecked(values[name])
        for name in ("d_learning_rate", "r1_gamma", "d_dropout", "mode_seeking"):
            value = values.get(name)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                getattr(self, name).setValue(float(value))

    def show_config(self, config: TrainConfig) -> None:
        """Shows a run's levers (a run's D learning rate equal to G's shows as "same as G")."""
        values = {name: getattr(config, name) for name in FIELDS}
        if values["d_learning_rate"] == config.learning_rate:
            values["d_learning_rate"] = 0.0
        self.set_values(values)


def _combo(labels: dict, keys) -> QComboBox:
    combo = QComboBox()
    for key in keys:
        combo.addItem(labels[key], key)
    return combo

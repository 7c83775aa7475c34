"""The training recipe's levers in the training panel: loss, normalisation, augmentation..."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QGroupBox, QWidget

from gan_studio.core.config import TrainConfig
from gan_studio.core.levers import RECIPE, panel_levers
from gan_studio.ui.training.lever_widgets import (
    lever_changed,
    lever_label,
    lever_value,
    lever_widget,
    set_lever_value,
)

LEVERS = panel_levers(RECIPE)
FIELDS = tuple(lever.name for lever in LEVERS)
# The levers a preset sets (by the data's colour for `studio`); the others are the user's alone.
PRESET_LEVERS = tuple(lever.name for lever in LEVERS if lever.preset)


class RecipeOptions(QGroupBox):
    """The recipe's levers of a new run, filled from a preset and overridable one by one.

    Each lever's field is built from its row in `gan_studio.core.levers` (an attribute named
    after the lever): its values, label and tooltip, the text the command line's --help shows
    too.

    Signals:
        changed(): a lever changed (by the user, a preset or a run shown).

    Args:
        parent: the parent widget.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Recipe", parent)
        form = QFormLayout(self)
        for lever in LEVERS:
            widget = lever_widget(lever)
            setattr(self, lever.name, widget)
            form.addRow(lever_label(lever), widget)
            lever_changed(widget).connect(self.changed)
        self.mode_seeking.setEnabled(False)  # a conditional run's lever
        self.conditional.toggled.connect(self.mode_seeking.setEnabled)

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
        return {lever.name: lever_value(lever, getattr(self, lever.name)) for lever in LEVERS}

    def set_values(self, values: dict) -> None:
        """Restores `values()` output (or a config's fields); malformed entries are skipped."""
        for name in FIELDS:
            set_lever_value(getattr(self, name), values.get(name))

    def show_config(self, config: TrainConfig) -> None:
        """Shows a run's levers (a run's D learning rate equal to G's shows as "same as G")."""
        values = {name: getattr(config, name) for name in FIELDS}
        if values["d_learning_rate"] == config.learning_rate:
            values["d_learning_rate"] = 0.0
        self.set_values(values)

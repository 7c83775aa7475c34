"""Which of the form's preset-set levers follow the data, and which the user made their own."""

from __future__ import annotations

from PySide6.QtWidgets import QDoubleSpinBox

from gan_studio.ui.training.recipe_options import PRESET_LEVERS, RecipeOptions


class PresetLevers:
    """The levers a preset sets by the data's colour: the recipe's and the learning rate.

    `studio` trains grey and colour images with different recipes, so choosing other data
    shows the recipe that preset has for it. A lever the user changed is theirs from then on
    (until a preset is chosen): it keeps its value while the others follow the data. The
    conditional box is no preset's, so ticking it never stops the recipe from following.

    Args:
        recipe: the panel's `RecipeOptions`.
        learning_rate: the panel's (generator's) learning-rate spin box.
    """

    def __init__(self, recipe: RecipeOptions, learning_rate: QDoubleSpinBox):
        self._recipe = recipe
        self._learning_rate = learning_rate
        self._shown: dict | None = None  # the levers as the preset last set them
        self.users: set[str] = set()  # the levers the user set since a preset was chosen

    def values(self) -> dict:
        """The levers' values as the form shows them now."""
        return {**{name: value for name, value in self._recipe.values().items()
                   if name in PRESET_LEVERS}, "learning_rate": self._learning_rate.value()}

    def apply(self, preset: dict) -> None:
        """Shows every lever as `preset` sets it (a preset was chosen: none is the user's)."""
        self.users = set()
        self._show(preset, {})

    def follow(self, preset: dict) -> None:
        """Shows `preset`'s levers (the chosen data's) but for the user's, which keep theirs."""
        if self._shown is None:
            self.apply(preset)
            return
        levers = self.values()
        self.users |= {name for name, value in levers.items() if value != self._shown.get(name)}
        self._show(preset, {name: levers[name] for name in self.users})

    def _show(self, preset: dict, keep: dict) -> None:
        self._recipe.apply_preset(preset)
        self._learning_rate.setValue(preset["learning_rate"])
        self._shown = self.values()
        self._recipe.set_values(keep)
        if "learning_rate" in keep:
            self._learning_rate.setValue(keep["learning_rate"])

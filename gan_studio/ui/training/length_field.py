"""How long a run trains: a time (minutes, hours) or a count (epochs, steps), in one field."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QSpinBox, QWidget

from gan_studio.core.config import DEFAULT_EPOCHS, DEFAULT_MINUTES, MAX_MINUTES, TrainConfig
from gan_studio.core.config_rules import FIELD_RULES

MINUTES, HOURS, EPOCHS, STEPS = "minutes", "hours", "epochs", "steps"
UNITS = (MINUTES, HOURS, EPOCHS, STEPS)
_INT32 = 2**31 - 1
_HIGHEST = {MINUTES: int(MAX_MINUTES), HOURS: int(MAX_MINUTES // 60),
            EPOCHS: int(FIELD_RULES["epochs"].high), STEPS: _INT32}
_TIPS = {
    MINUTES: "Train for this many minutes, counted while training (not while paused), across "
             "restarts of the run",
    HOURS: "Train for this many hours, counted while training (not while paused), across "
           "restarts of the run",
    EPOCHS: "Train for this many passes over the data",
    STEPS: "Train for this many steps (batches) in all",
}
_MORE_TIP = " — continuing a run trains this much longer than it has trained"
# The old defaults of the fields the length replaced: a form saved with them gets the new one.
_OLD_DEFAULT_EPOCHS = (0, DEFAULT_EPOCHS)


class LengthField(QWidget):
    """A run's length: a number and its unit (`UNITS`); a new run trains `DEFAULT_MINUTES`.

    While a run is shown (`set_continuing`), a time means "this much longer" and a count the
    run's new target in all, as `Trainer.resume` takes them.

    Signals:
        changed(): the number or the unit changed.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.number = QSpinBox()
        self.number.setGroupSeparatorShown(True)
        self.unit = QComboBox()
        for unit in UNITS:
            self.unit.addItem(unit, unit)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.number, 1)
        layout.addWidget(self.unit)
        self._continuing = False
        self.unit.currentIndexChanged.connect(self._unit_changed)
        self.number.valueChanged.connect(self.changed)
        self.set_length(DEFAULT_MINUTES, MINUTES)

    def set_length(self, value: float, unit: str) -> None:
        """Shows `value` `unit` (an unknown unit is ignored; the value is kept in range)."""
        if unit not in UNITS:
            return
        self.unit.setCurrentIndex(self.unit.findData(unit))
        self._unit_changed()
        self.number.setValue(int(round(max(1, min(value, _HIGHEST[unit])))))

    def length(self) -> tuple[int, str]:
        """The number and its unit."""
        return self.number.value(), self.unit.currentData()

    def is_time(self) -> bool:
        """Whether the length is a time."""
        return self.unit.currentData() in (MINUTES, HOURS)

    def minutes(self) -> float:
        """The length in minutes (0 for a count)."""
        value, unit = self.length()
        return {MINUTES: value, HOURS: 60.0 * value}.get(unit, 0.0)

    def config_values(self) -> dict:
        """The `TrainConfig` fields of a new run of this length."""
        value, unit = self.length()
        return {"max_minutes": self.minutes(), "epochs": value if unit == EPOCHS else None,
                "max_steps": value if unit == STEPS else 0}

    def continue_values(self) -> dict:
        """The `Trainer.resume` arguments that continue a run for this length."""
        value, unit = self.length()
        if self.is_time():
            return {"minutes": self.minutes()}
        return {"epochs": value} if unit == EPOCHS else {"max_steps": value}

    def saved(self) -> list:
        """The length as the form's saved values keep it: `[number, unit]`."""
        return list(self.length())

    def set_saved(self, values: dict) -> None:
        """Shows the length of saved form values (`saved()` under `length`), or that of a form
        saved before lengths had units (`epochs`, `max_steps`); skips anything malformed."""
        length = values.get("length")
        if isinstance(length, list) and len(length) == 2 and isinstance(length[1], str) \
                and isinstance(length[0], (int, float)) and not isinstance(length[0], bool):
            self.set_length(*length)
            return
        epochs, steps = values.get("epochs"), values.get("max_steps")
        if isinstance(steps, int) and not isinstance(steps, bool) and steps > 0:
            self.set_length(steps, STEPS)
        elif isinstance(epochs, int) and not isinstance(epochs, bool) and \
                epochs not in _OLD_DEFAULT_EPOCHS:
            self.set_length(epochs, EPOCHS)

    def show_config(self, config: TrainConfig) -> None:
        """Shows a run's length, in the unit it was given in."""
        if config.max_minutes:
            minutes = config.max_minutes
            self.set_length(*((minutes / 60, HOURS) if minutes >= 120 and minutes % 60 == 0
                              else (minutes, MINUTES)))
        elif config.max_steps:
            self.set_length(config.max_steps, STEPS)
        elif config.epochs:
            self.set_length(config.epochs, EPOCHS)

    @property
    def continuing(self) -> bool:
        """Whether the field continues a shown run."""
        return self._continuing

    def set_continuing(self, continuing: bool) -> None:
        """Whether the field continues a shown run (a time then means "this much longer")."""
        self._continuing = continuing
        self._unit_changed()

    def _unit_changed(self) -> None:
        unit = self.unit.currentData()
        self.number.setRange(1, _HIGHEST[unit])
        more = self._continuing and self.is_time()
        self.number.setPrefix("another " if more else "")
        self.setToolTip(_TIPS[unit] + (_MORE_TIP if more else ""))
        self.changed.emit()

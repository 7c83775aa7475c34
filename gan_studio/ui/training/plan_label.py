"""The plan under the training panel's length: what it buys on this machine, before Train."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.machine import cpu_signature, has_native_bfloat16
from gan_studio.core.training.plan import make_plan
from gan_studio.ui.training.length_field import LengthField


class PlanLabel(QLabel):
    """Shows `make_plan`'s words for the form's run and length; `refresh` after a change.

    Args:
        config: returns the form's `TrainConfig` (not yet resolved).
        length: the form's `LengthField` (a time continuing a run is planned as "another").
        parent: the parent widget.
    """

    def __init__(self, config: Callable[[], TrainConfig], length: LengthField,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("planLabel")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._config, self._length = config, length
        self._cpu, self._bfloat16 = cpu_signature(), has_native_bfloat16()
        self.plan = None

    def refresh(self) -> None:
        """Plans again (a field of the form changed, or a run noted its speed)."""
        # Where runs go does not change what they buy: an unset folder (Train asks for one)
        # must not hide the plan.
        config = self._config()
        try:
            config = dataclasses.replace(config, runs_dir=config.runs_dir or "runs").resolved()
        except ConfigError:  # the form is being edited: Train will say what is wrong
            self.plan = None
            self.setText("")
            return
        more = self._length.continuing and self._length.is_time()
        self.plan = make_plan(config, self._cpu, self._bfloat16,
                              minutes=self._length.minutes() if more else 0.0, more=more)
        self.setText(self.plan.text)

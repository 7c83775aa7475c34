"""The bar that warns of mode collapse, names the evidence and offers Roll Back to Best."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from gan_studio.core.quality.collapse import CollapseWarning
from gan_studio.core.quality.report import FD_NAME
from gan_studio.core.runs.layout import best_checkpoint
from gan_studio.core.runs.run_model import SAVED, RunModel
from gan_studio.core.training.events import EventKind
from gan_studio.ui.training.warning_bar import WarningBar

NO_BEST_TIP = (f"No best checkpoint yet: the run keeps one each time an evaluation lowers its "
               f"{FD_NAME}.")


class CollapseBanner(WarningBar):
    """A dismissible bar (never a dialog: training goes on) that shows a `CollapseWarning`.

    Roll Back to Best asks for the run to continue from its best checkpoint, the one with the
    lowest FD so far (`core.runs.layout.best_checkpoint`); it is disabled, with a tooltip
    saying why, while the run has none. The bar hides when a run starts, the view is cleared
    or a later measurement shows none of the signs (the `collapse_cleared` event).

    Signals:
        roll_back_requested(str, str): the run folder and its best checkpoint's prefix.

    Args:
        session: a `TrainingSession` whose `collapse` warnings the bar shows (optional).
        run: the window's `RunModel` (which run is shown; another one shown hides the bar).
        parent: the parent widget.
    """

    roll_back_requested = Signal(str, str)

    def __init__(self, session=None, run: RunModel | None = None, parent: QWidget | None = None):
        super().__init__("collapseBanner", "Roll Back to Best",
                         "Hide this warning; training goes on", parent)
        self._run = run if run is not None else RunModel()
        self._run.observe(lambda what: SAVED in what and self.clear())
        self._warning: CollapseWarning | None = None
        self.roll_back_button.clicked.connect(self._roll_back)
        self.dismiss_button.clicked.connect(self.clear)
        if session is not None:
            session.collapse.connect(self.show_warning)
            session.run_started.connect(self.clear)
            # The best checkpoint may be saved after the warning: look again when one might be.
            session.quality.connect(self._look_again)
            session.event.connect(self._look_again)
            session.event.connect(self._clear_if_recovered)

    @property
    def warning(self) -> CollapseWarning | None:
        """The warning shown, or None."""
        return self._warning

    def show_warning(self, warning: CollapseWarning) -> None:
        """Shows `warning`'s evidence (replacing an earlier warning's)."""
        self._warning = warning
        self._find_best()
        self.show_message(f"Signs of mode collapse at step {warning.step:,}.", warning.message)

    def clear(self) -> None:
        """Hides the bar and forgets its warning."""
        self._warning = None
        self.hide()

    def _clear_if_recovered(self, event) -> None:
        if getattr(event, "kind", None) == EventKind.COLLAPSE_CLEARED:
            self.clear()  # a later measurement shows none of the signs

    def _look_again(self, *_args) -> None:
        if self._warning is not None:
            self._find_best()

    def _find_best(self) -> tuple[str | None, str | None]:
        # One small folder listing: cheap enough for the GUI thread, and always current.
        run_dir = self._run.run_dir
        best = best_checkpoint(run_dir) if run_dir else None
        self.roll_back_button.setEnabled(best is not None)
        self.roll_back_button.setToolTip(
            f"Stop training and continue from {os.path.basename(best)}, the checkpoint with "
            f"the lowest {FD_NAME} so far" if best else NO_BEST_TIP)
        return run_dir, best

    def _roll_back(self) -> None:
        run_dir, best = self._find_best()  # a better checkpoint may have come since the warning
        if run_dir and best:
            self.clear()
            self.roll_back_requested.emit(run_dir, best)

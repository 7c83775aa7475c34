"""The bar that warns when the generator gives training images back, and offers to go back."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from gan_studio.core.quality.copy_rate import CopyWarning, copy_warning
from gan_studio.core.runs.layout import checkpoint_at_or_before, checkpoint_step
from gan_studio.core.runs.run_model import QUALITY, RunModel
from gan_studio.ui.training.warning_bar import WarningBar

NO_CHECKPOINT_TIP = ("No checkpoint from before the copy rate began to climb is kept: the run "
                     "keeps its newest three, its best and one every few epochs.")


class CopyBanner(WarningBar):
    """A dismissible bar (never a dialog: training goes on) that shows a `CopyWarning`.

    It follows the run's quality evaluations (`RunModel.reports`): the warning is
    `copy_warning(reports)`, so it appears when the newest evaluation's copy rate passes the
    warning rate, for a training run and for a run opened from disk alike, and goes when a
    later evaluation is below it. Roll Back asks for the run to continue from the newest kept
    checkpoint at or before the last evaluation before the rate began to climb.

    Signals:
        roll_back_requested(str, str): the run folder and the checkpoint's prefix.

    Args:
        run: the window's `RunModel`.
        parent: the parent widget.
    """

    roll_back_requested = Signal(str, str)

    def __init__(self, run: RunModel, parent: QWidget | None = None):
        super().__init__("copyBanner", "Roll Back",
                         "Hide this warning until a later evaluation; training goes on", parent)
        self._run = run
        self._warning: CopyWarning | None = None
        self._dismissed_step: int | None = None
        self._checkpoint: str | None = None
        self.roll_back_button.clicked.connect(self._roll_back)
        self.dismiss_button.clicked.connect(self.dismiss)
        run.observe(lambda what: QUALITY in what and self._refresh())

    @property
    def warning(self) -> CopyWarning | None:
        """The warning shown, or None."""
        return self._warning

    def dismiss(self) -> None:
        """Hides the bar until an evaluation after this one warns again."""
        if self._warning is not None:
            self._dismissed_step = self._warning.step
        self.hide()

    def _refresh(self) -> None:
        warning = copy_warning(self._run.reports)
        self._warning = warning
        if warning is None or warning.step == self._dismissed_step:
            self.hide()
            return
        self._find_checkpoint()
        self.show_message(f"The generator may be copying training images at step "
                          f"{warning.step:,}.", warning.message)

    def _find_checkpoint(self) -> None:
        # One small folder listing: cheap enough for the GUI thread, and always current.
        run_dir, warning = self._run.run_dir, self._warning
        before = warning.before_step if warning is not None else None
        found = checkpoint_at_or_before(run_dir, before) if run_dir and before is not None \
            else None
        self._checkpoint = found
        self.roll_back_button.setEnabled(found is not None)
        if found is None:
            self.roll_back_button.setText("Roll Back")
            self.roll_back_button.setToolTip(NO_CHECKPOINT_TIP if before is not None else
                                             "The copy rate was high from the first evaluation")
            return
        step = checkpoint_step(found)
        self.roll_back_button.setText(f"Roll Back to Step {step:,}")
        self.roll_back_button.setToolTip(
            f"Stop training and continue from {os.path.basename(found)}, kept before the copy "
            f"rate began to climb (it was {self._rate_at(before):.0%} at step {before:,})")

    def _rate_at(self, step: int) -> float:
        report = self._run.report_at(step)
        return report.copy_rate if report is not None and report.copy_rate is not None else 0.0

    def _roll_back(self) -> None:
        self._find_checkpoint()  # a checkpoint may have been pruned since the warning
        if self._run.run_dir and self._checkpoint:
            self.dismiss()
            self.roll_back_requested.emit(self._run.run_dir, self._checkpoint)

"""The Health dock: what the training doctor sees in the run shown, and a remedy button each."""

from __future__ import annotations

import html
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QMessageBox, QPushButton, QVBoxLayout, QWidget

from gan_studio.core.health.doctor import examine
from gan_studio.core.health.findings import Diagnosis, Finding, Remedy
from gan_studio.core.runs.run_model import QUALITY, RUN, SAVED, RunModel
from gan_studio.ui.training.warning_bar import warning_bar_style

PROGRESS_REFRESH_SECONDS = 10.0  # a training run's curves are looked at again this often
UNTRAINED = ("Still in its untrained start: the generator's quality is still improving fast "
             "(or has been measured fewer than twice), so only non-finite losses are judged.")
NO_RUN = "Open or start a run: the doctor reads its curves, quality and samples."
FINDING_STYLE = warning_bar_style("healthFinding")


def ask(parent: QWidget, title: str, text: str) -> bool:
    """Asks a yes/no question in a dialog; True for yes."""
    answer = QMessageBox.question(parent, title, text)
    return answer == QMessageBox.StandardButton.Yes


class HealthPanel(QWidget):
    """Shows the training doctor's findings (`core.health.doctor.examine`) for the run the
    window shows, each with its evidence and a button that applies its remedy.

    It looks again when a run is shown or opened and on each quality evaluation (the run
    model's `RUN`, `SAVED`, `QUALITY`), and at most every `PROGRESS_REFRESH_SECONDS` while a
    run trains. The doctor reads the run folder, so it runs on `tasks` (a `TaskRunner`), off
    the GUI thread; a refresh asked for meanwhile runs once it is done. A remedy's button asks
    first (`confirm`), then emits `remedy_requested`, which the window hands to `RunActions`
    (the path Roll Back takes: stop, then continue from the checkpoint with the levers
    changed, or a new run with them).

    Signals:
        remedy_requested(str, object): the run folder and the `Remedy` to apply.

    Args:
        session: the `TrainingSession` (its progress refreshes the panel), optional.
        run: the window's `RunModel`.
        tasks: a `TaskRunner` to read the run on (None: read at once, on the caller's thread).
        clock: seconds, for the progress throttle (tests move it).
        parent: the parent widget.
    """

    remedy_requested = Signal(str, object)

    def __init__(self, session=None, run: RunModel | None = None, tasks=None,
                 clock: Callable[[], float] = time.monotonic, parent: QWidget | None = None):
        super().__init__(parent)
        self._run = run if run is not None else RunModel()
        self._tasks, self._clock = tasks, clock
        self._busy = self._again = False
        self._last = float("-inf")
        self.confirm: Callable[[QWidget, str, str], bool] = ask
        self.diagnosis: Diagnosis | None = None
        self._status = QLabel(NO_RUN)
        self._status.setWordWrap(True)
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._findings = QVBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self._status)
        layout.addLayout(self._findings)
        layout.addStretch(1)
        self.buttons: list[QPushButton] = []
        self._run.observe(self._on_model)
        if session is not None:
            session.progress.connect(self._on_progress)

    @property
    def text(self) -> str:
        """The status line, as plain text."""
        return self._status.text()

    def refresh(self) -> None:
        """Examines the run shown again (off the GUI thread when the panel has `tasks`)."""
        run_dir = self._run.run_dir
        if not run_dir:
            self._show(None, None)
            return
        if self._busy:
            self._again = True
            return
        self._busy, self._again, self._last = True, False, self._clock()
        if self._tasks is None:
            try:
                self._done(run_dir, examine(run_dir))
            except ValueError as exc:
                self._failed(run_dir, str(exc))
            return
        self._tasks.submit(examine, run_dir, on_done=lambda d: self._done(run_dir, d),
                           on_error=lambda message: self._failed(run_dir, message))

    # ---- what comes in ----------------------------------------------------------------------
    def _on_model(self, what) -> None:
        if what & {RUN, SAVED, QUALITY}:
            self.refresh()

    def _on_progress(self, _progress) -> None:
        if self._clock() - self._last >= PROGRESS_REFRESH_SECONDS:
            self.refresh()

    def _done(self, run_dir: str, diagnosis: Diagnosis) -> None:
        self._busy = False
        if run_dir == self._run.run_dir:
            self._show(run_dir, diagnosis)
        if self._again:
            self.refresh()

    def _failed(self, run_dir: str, message: str) -> None:
        self._busy = False
        if run_dir == self._run.run_dir:
            self._show(run_dir, None, f"The doctor cannot read this run: {message}")
        if self._again:
            self.refresh()

    # ---- what is shown ----------------------------------------------------------------------
    def _show(self, run_dir: str | None, diagnosis: Diagnosis | None, problem: str = "") -> None:
        self.diagnosis = diagnosis
        self.buttons = []
        while self._findings.count():
            self._findings.takeAt(0).widget().deleteLater()
        if diagnosis is None:
            self._status.setText(problem or NO_RUN)
            return
        notes = "".join(f"\n{note}" for note in diagnosis.notes)
        if diagnosis.findings:
            count = len(diagnosis.findings)
            self._status.setText(f"{count} problem{'s' if count > 1 else ''} found (checked "
                                 f"{', '.join(diagnosis.checked)}).{notes}")
        elif diagnosis.untrained:
            self._status.setText(UNTRAINED + notes)
        else:
            self._status.setText(f"No problems found (checked {', '.join(diagnosis.checked)})."
                                 f"{notes}")
        for finding in diagnosis.findings:
            self._findings.addWidget(self._finding_box(run_dir, finding))

    def _finding_box(self, run_dir: str, finding: Finding) -> QFrame:
        box = QFrame()
        box.setObjectName("healthFinding")
        box.setStyleSheet(FINDING_STYLE)
        steps = (f"step {finding.first_step:,}" if finding.first_step == finding.last_step
                 else f"steps {finding.first_step:,}–{finding.last_step:,}")
        remedy = finding.remedy
        # The remedy's words wrap in the label; the button stays short, so that a narrow dock
        # wraps the text instead of clipping the panel.
        text = QLabel(f"<b>{html.escape(finding.title)}</b> ({steps})<br>"
                      f"{html.escape(finding.evidence, quote=False)}<br><i>Remedy:</i> "
                      f"{html.escape(remedy.text, quote=False)}")
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        button = QPushButton("Start a New Run…" if remedy.new_run
                             else f"Continue from Step {remedy.step:,}…")
        button.setToolTip(remedy.text)
        button.clicked.connect(lambda _=False, r=finding.remedy: self._apply(run_dir, r))
        self.buttons.append(button)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(10, 6, 10, 6)
        layout.addWidget(text)
        layout.addWidget(button, 0, Qt.AlignmentFlag.AlignLeft)
        return box

    def _apply(self, run_dir: str, remedy: Remedy) -> None:
        what = ("Training stops (if it runs), then a new run starts with this run's settings "
                "and the change." if remedy.new_run else
                "Training stops (if it runs), then the run continues from that checkpoint "
                "with the change; the steps after it are dropped.")
        if self.confirm(self, "Apply the Remedy?", f"{remedy.text}\n\n{what}"):
            self.remedy_requested.emit(run_dir, remedy)

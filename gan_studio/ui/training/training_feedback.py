"""Tells the user what training is doing: status messages, download progress, errors, NaNs,
files the disk refused, and the answer to Evaluate Now."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from gan_studio.core.catalog import builtin_name
from gan_studio.core.quality.report import QualityReport
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.core.training.session_states import STARTING, STOPPING
from gan_studio.ui.training.download_dialog import DownloadDialog
from gan_studio.ui.training.missing_data_dialog import RETRY, MissingDataDialog

ROLL_BACK, KEEP_PAUSED, RESUME, STOP = "roll_back", "keep_paused", "resume", "stop"
NOTICE_MS = 10000  # how long an engine's notice stays in the status bar
ANSWER_MS = 60000  # how long the answer to Evaluate Now stays


def ask_after_nan(parent: QWidget, message: str) -> str:
    """Asks what to do after NaN/Inf losses; returns ROLL_BACK, RESUME, STOP or KEEP_PAUSED."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Training Diverged",
                      "Training is paused: " + message, parent=parent)
    box.setInformativeText("Roll back to the last good checkpoint and continue from there?")
    roll_back = box.addButton("Roll Back", QMessageBox.ButtonRole.AcceptRole)
    resume = box.addButton("Resume Anyway", QMessageBox.ButtonRole.ActionRole)
    stop = box.addButton("Stop", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Keep Paused", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(roll_back)
    box.exec()
    return {roll_back: ROLL_BACK, resume: RESUME, stop: STOP}.get(box.clickedButton(), KEEP_PAUSED)


def ask_after_write_failure(parent: QWidget, message: str) -> str:
    """Asks what to do when a run file could not be written; returns RESUME, STOP or
    KEEP_PAUSED."""
    box = QMessageBox(QMessageBox.Icon.Warning, "Cannot Save", message, parent=parent)
    box.setInformativeText("Nothing trained is lost. Resume once there is room again (the "
                           "file is written again at the next chance), or stop: the stop "
                           "tries the checkpoint once more.")
    resume = box.addButton("Resume", QMessageBox.ButtonRole.AcceptRole)
    stop = box.addButton("Stop", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton("Keep Paused", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(resume)
    box.exec()
    return {resume: RESUME, stop: STOP}.get(box.clickedButton(), KEEP_PAUSED)


def show_error(parent: QWidget, title: str, message: str) -> None:
    """Shows an error message box (tests replace this to record instead of blocking)."""
    QMessageBox.critical(parent, title, message)


class TrainingFeedback(QObject):
    """Turns the session's signals into status-bar messages and dialogs.

    Evaluate Now is answered in the status bar: the feature network's preparation while the
    meter gets ready (`quality_preparing`), then the numbers, or the line saying why there are
    none (`quality_off`).

    Args:
        window: parent of dialogs; its status bar shows messages.
        session: the `TrainingSession`.
        panel: the `TrainingPanel` (Try Again re-runs its Train).
        run_actions: the `RunActions` (roll-back after NaN).
    """

    def __init__(self, window: QWidget, session, panel, run_actions):
        super().__init__(window)
        self._window, self._session, self._panel, self._runs = window, session, panel, run_actions
        self.download_dialog: DownloadDialog | None = None
        self.errors: list[str] = []
        self._asked = False  # Evaluate Now waits for its answer
        self._answered: tuple[int, str] | None = None  # (step, text) of the last answer shown
        session.event.connect(self.on_event)
        session.quality.connect(self.on_quality)
        run_actions.evaluate_now.triggered.connect(self._on_evaluate_now)
        session.error.connect(self.on_error)
        session.data_missing.connect(self.on_data_missing)
        session.download.connect(self.on_download)
        session.state_changed.connect(self._on_state)
        session.finished.connect(self._close_download)

    def on_event(self, event: Event) -> None:
        """Shows the engine's notices; data loaded closes the download dialog."""
        if event.kind == EventKind.DATA:
            self._close_download()
        if event.kind == EventKind.IMAGE_SIZE:  # an automatic size, now known: the chooser names it
            self._panel.dataset.show_automatic_size(event.data.get("size"))
        if event.kind == EventKind.NAN:
            self._status(event.message, 0)
            self._after_nan(event)
            return
        if event.kind == EventKind.WRITE_FAILED:
            self._status(event.message, 0)
            self._answer(ask_after_write_failure(self._window, event.message))
            return
        if event.kind == EventKind.FINISHED:
            self._status(f"{event.message}.", 0)
            return
        if event.kind == EventKind.QUALITY_PREPARING:  # stays until the next one, or the answer
            self._status(event.message, 0)
            return
        if event.kind == EventKind.QUALITY_OFF and self._asked:
            self._asked = False
            self._status(event.message, ANSWER_MS)
            return
        if event.kind == EventKind.BEST and self._answered and self._answered[0] == event.data.get("step"):
            # Right after the answer it would replace: the answer, and that it is the best.
            self._status(f"{self._answered[1]}: the best so far, kept as best/", ANSWER_MS)
            return
        if event.message:
            self._status(event.message, NOTICE_MS)

    def on_quality(self, report: QualityReport) -> None:
        """Shows a measurement's numbers when they answer Evaluate Now."""
        self._answered = None
        if self._asked:
            self._asked = False
            self._answered = (report.step, f"Quality at step {report.step:,}: {report.summary()}")
            self._status(self._answered[1], ANSWER_MS)

    def on_error(self, message: str) -> None:
        """Shows a training failure (out of memory, unreadable data...) as a dialog."""
        self._close_download()
        self.errors.append(message)
        self._status("Training failed.", 0)
        show_error(self._window, "Training Failed", message)

    def on_data_missing(self, url: str, path: str, folder: str) -> None:
        """Explains where to put a data set that could not be downloaded; Try Again re-trains."""
        self._close_download()
        self._status("The data set is not available offline.", 0)
        dialog = MissingDataDialog(url, path, folder, self._window)
        if dialog.exec() == RETRY:
            self._retry_when_idle()

    def on_download(self, done: int, total: int) -> None:
        """Shows (or updates) the download dialog (for image folders: images read)."""
        if self.download_dialog is None:
            reading = builtin_name(self._panel.dataset.kind()) is None  # a folder, a .zip
            self.download_dialog = DownloadDialog(self._panel.dataset.label(), self._window,
                                                  images=reading)
            self.download_dialog.cancelled.connect(self._session.cancel_download)
            self.download_dialog.show()
        self.download_dialog.update_progress(done, total)

    def _retry_when_idle(self) -> None:
        if self._session.busy:
            self._session.finished.connect(self._retry_once)
        else:
            self._panel.train()

    def _retry_once(self, *_args) -> None:
        self._session.finished.disconnect(self._retry_once)
        self._panel.train()

    def _after_nan(self, event: Event) -> None:
        choice = ask_after_nan(self._window, event.message)
        if choice == ROLL_BACK:
            self._runs.choose_checkpoint(before_step=event.data.get("step"))
        else:
            self._answer(choice)

    def _answer(self, choice: str) -> None:
        if choice == RESUME:
            self._session.unpause()
        elif choice == STOP:
            self._session.stop()

    def _on_evaluate_now(self, *_args) -> None:
        self._asked = True

    def _on_state(self, state: str) -> None:
        if state in (STARTING, STOPPING):
            self._asked = False  # a request the stopping run cannot answer
        if state == STARTING:
            self._status("Preparing data and models…", 0)
        elif state == STOPPING:
            self._status("Stopping: saving a checkpoint…", 0)

    def _close_download(self, *_args) -> None:
        if self.download_dialog is not None:
            self.download_dialog.finish()
            self.download_dialog.deleteLater()
            self.download_dialog = None

    def _status(self, text: str, timeout: int) -> None:
        self._window.statusBar().showMessage(text, timeout)

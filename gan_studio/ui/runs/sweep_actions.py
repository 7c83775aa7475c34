"""Sweeps in the window: Training → Sweep… (from the panel's settings or a run's), Continue
Sweep… and Stop Sweep; the runs shown live in the comparison as they train, and the ranking
at the end."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.runs.layout import CONFIG_FILE, is_sweep_dir
from gan_studio.core.sweep.ranking import RankedRun, ranking_table
from gan_studio.core.sweep.sweep_file import SweepFileError, load_sweep, unfinished_sweeps
from gan_studio.ui.actions import WindowActions
from gan_studio.ui.runs.sweep_dialog import SweepDialog
from gan_studio.workers.runs.sweep_queue import SweepQueue


class SweepActions(WindowActions):
    """Starts, continues and stops sweeps; shows each run in `compare` as it starts.

    Signals:
        running_changed(bool): a sweep started or ended (the window guards Train meanwhile).

    Args:
        window: the main window.
        session: its `TrainingSession` (a sweep waits for its run to end).
        panel_config: returns the training panel's settings (what Sweep… starts from).
        compare: returns the comparison window (`CompareWindow`) the runs are shown in.
        queue: the `SweepQueue` (tests pass one; default: a new one).
    """

    running_changed = Signal(bool)

    def __init__(self, window: QWidget, session, panel_config: Callable[[], TrainConfig],
                 compare: Callable[[], object], queue: SweepQueue | None = None):
        super().__init__(window)
        self._session = session
        self._panel_config = panel_config
        self._compare = compare
        self.queue = queue if queue is not None else SweepQueue(self)
        self._count = 0  # the sweep's runs
        self._started_runs = 0
        self.current_run = ""  # the folder the sweep trains now ("" between runs)
        self.start_sweep = self._action(
            "S&weep…", self.ask_sweep, None,
            "Train one or two levers over several values, one run after another, and rank "
            "them by quality at equal budget")
        self.continue_action = self._action(
            "Continue S&weep…", self.ask_continue, None,
            "Continue a sweep that was stopped (or interrupted by closing the window)")
        self.stop_action = self._action("Stop Sweep", self.queue.stop, None,
                                        "Stop the sweep after this step (a checkpoint is "
                                        "saved; Continue Sweep takes it up again)")
        self.queue.sweep_started.connect(self._on_sweep_started)
        self.queue.run_started.connect(self._on_run_started)
        self.queue.run_finished.connect(lambda _run: setattr(self, "current_run", ""))
        self.queue.progress.connect(self._on_progress)
        self.queue.failed.connect(lambda message: self._status(f"Sweep: {message}"))
        self.queue.ranked.connect(self.show_ranking)
        self.queue.finished.connect(self._on_finished)
        self._update_enabled()

    @property
    def running(self) -> bool:
        """Whether a sweep is training (or stopping)."""
        return self.queue.running

    def blocked_reason(self) -> str:
        """Why the window's own training must wait ("" when it need not)."""
        return ("A sweep is training: stop it first (Training → Stop Sweep); it can be "
                "continued later.") if self.running else ""

    # ---- starting -------------------------------------------------------------------------
    def ask_sweep(self, config: TrainConfig | None = None) -> None:
        """Plans a sweep from `config` (default: the panel's settings) and starts it."""
        if self._refused():
            return
        dialog = SweepDialog(config or self._panel_config(), self._window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.queue.start(dialog.plan())
            self._started()

    def sweep_from_run(self, run_dir: str) -> None:
        """Plans a sweep from a run's settings (the library's Sweep From This Run)."""
        try:
            config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE))
        except ConfigError as exc:
            self._warn("Sweep", str(exc))
            return
        config.runs_dir = self._panel_config().runs_dir
        self.ask_sweep(config)

    def ask_continue(self) -> None:
        """Offers the unfinished sweeps of the runs folder (or any sweep folder) and continues
        the one chosen."""
        runs_dir = self._panel_config().runs_dir
        sweeps = unfinished_sweeps([runs_dir])
        other = "Another sweep folder…"
        folder = ""
        if sweeps:
            items = [sweep.describe() for sweep in sweeps] + [other]
            item, ok = QInputDialog.getItem(self._window, "Continue Sweep",
                                            "Sweeps with runs left to train:", items, 0, False)
            if not ok:
                return
            if item != other:
                folder = sweeps[items.index(item)].folder
        if not folder:
            folder = QFileDialog.getExistingDirectory(self._window, "Continue Sweep", runs_dir)
        if folder:
            self.continue_sweep(folder)

    def mention_unfinished(self) -> None:
        """Says in the status bar when the runs folder holds a sweep with runs left (one
        the window was closed on): Continue Sweep takes it up."""
        sweeps = [] if self.running else unfinished_sweeps([self._panel_config().runs_dir])
        if sweeps:
            self._window.statusBar().showMessage(
                f"{os.path.basename(sweeps[0].folder)} has runs left to train: Training → "
                "Continue Sweep… takes it up.", 30_000)

    def continue_sweep(self, folder: str) -> None:
        """Continues the sweep in `folder`: its interrupted run, then the pending ones."""
        if self._refused():
            return
        if not is_sweep_dir(folder):
            self._warn("Continue Sweep", f"{folder} is not a sweep folder (it has no "
                                         "sweep.json).")
            return
        try:
            load_sweep(folder)
        except SweepFileError as exc:
            self._warn("Continue Sweep", str(exc))
            return
        self.queue.continue_sweep(folder)
        self._started()

    def _refused(self) -> bool:
        if self.running:
            self._warn("Sweep", "A sweep is training already.")
            return True
        if self._session.busy:
            self._warn("Sweep", "A run is training: stop it first.")
            return True
        return False

    def _started(self) -> None:
        self._status("Sweep starting…")
        self._update_enabled()
        self.running_changed.emit(True)

    # ---- following it ---------------------------------------------------------------------
    def _on_sweep_started(self, folder: str) -> None:
        try:
            sweep = load_sweep(folder)
        except SweepFileError:
            return
        self._count = len(sweep.runs)
        self._started_runs = sum(1 for run in sweep.runs if run.state == "done")
        compare = self._compare()
        started = [sweep.run_path(i) for i, run in enumerate(sweep.runs) if run.run_dir]
        compare.set_runs(started[:6])
        compare.setWindowTitle(f"Sweep: {os.path.basename(folder)}")
        compare.show()

    def _on_run_started(self, run_dir: str) -> None:
        self.current_run = run_dir
        self._compare().add_run(run_dir)
        self._started_runs += 1
        self._status(f"Sweep: run {self._started_runs} of {self._count or '?'} started "
                     f"({os.path.basename(run_dir)})")

    def _on_progress(self, item) -> None:
        index, progress = item
        left = f", {progress.eta_seconds / 60:.1f} min left" if progress.eta_seconds > 0 else ""
        self._window.statusBar().showMessage(
            f"Sweep: run {index + 1} of {self._count or '?'}, step {progress.step:,}{left}")

    def _on_finished(self, outcome: str) -> None:
        self.current_run = ""
        self._update_enabled()
        self.running_changed.emit(False)
        if outcome == "stopped":
            self._status(f"Sweep stopped. Training → Continue Sweep… takes it up again "
                         f"({self.queue.folder}).")
        elif outcome == "finished":
            self._status("Sweep finished.")

    def show_ranking(self, ranking: list[RankedRun]) -> None:
        """Shows the ranking as a table (the one `gan-studio sweep` prints)."""
        dialog = QDialog(self._window)
        dialog.setWindowTitle("Sweep Ranking")
        text = QPlainTextEdit(ranking_table(ranking, self.queue.folder))
        text.setReadOnly(True)
        text.setFont(QFont("monospace"))
        text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dialog.reject)
        layout = QVBoxLayout(dialog)
        layout.addWidget(QLabel("Ranked by FD at the end of each run's equal budget (lower is "
                                f"better). Sweep folder: {self.queue.folder}"))
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(820, 260)
        self.ranking_dialog = dialog
        dialog.show()

    def _update_enabled(self) -> None:
        running = self.running
        self.start_sweep.setEnabled(not running)
        self.continue_action.setEnabled(not running)
        self.stop_action.setEnabled(running)

    def shutdown(self) -> None:
        """Stops the sweep (its run saves a checkpoint) and joins its thread."""
        self.queue.shutdown()

"""File and Training menu actions about runs: new, open, recent, checkpoints, export, roll-back."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMenu, QWidget

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.continuation import changed_config, describe_changes
from gan_studio.core.runs.history import RunHistory, load_run_history
from gan_studio.core.runs.layout import CONFIG_FILE, list_checkpoints
from gan_studio.core.runs.location import default_runs_dir, find_runs, run_activity
from gan_studio.core.runs.run_model import RUN, RunModel
from gan_studio.core.training.session_states import IDLE, PAUSED, STARTING, TRAINING
from gan_studio.ui.actions import WindowActions
from gan_studio.ui.settings import MAX_RECENT_RUNS
from gan_studio.ui.training.missing_data_dialog import open_folder
from gan_studio.ui.widgets.save_dialogs import ask_save_path
from gan_studio.workers.engine_jobs import export_generator_file


class RunActions(WindowActions):
    """Creates and handles the actions that act on runs.

    Args:
        window: parent of dialogs; its status bar shows outcomes.
        session: the `TrainingSession`.
        tasks: a `TaskRunner` for reading and exporting off the GUI thread.
        settings: the `AppSettings` (recent runs, last folders).
        panel: the `TrainingPanel` (its length field continues a run).
        run: the window's `RunModel`: the actions show runs in it, and the views follow it.

    Signals:
        run_opened(str): a run folder read from disk is shown.
    """

    run_opened = Signal(str)

    def __init__(self, window: QWidget, session, tasks, settings, panel, run: RunModel):
        super().__init__(window)
        self._session, self._tasks = session, tasks
        self._settings, self._panel, self._run = settings, panel, run
        self._shown_run: str | None = None
        self._fresh_run = False  # the running run was created by this start, not continued
        self._trained = False  # the running run has reported progress
        self._after_idle: list[Callable[[], None]] = []
        self.recent_menu = QMenu("Recent &Runs", window)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.new_run = self._action("&New Run", self.new_run_form, QKeySequence.StandardKey.New,
                                    "Set up a new run")
        self.open_run = self._action("&Open Run…", self.choose_run, QKeySequence.StandardKey.Open,
                                     "Open a run folder to view it or continue training")
        self.save_checkpoint = self._action("Save &Checkpoint Now", session.request_checkpoint,
                                            QKeySequence("Ctrl+Shift+K"),
                                            "Save a checkpoint of the running training now")
        self.evaluate_now = self._action("&Evaluate Now", self.evaluate, QKeySequence("F7"),
                                         "Measure the generator's quality now: "
                                         "FD (data-set features), KID, diversity, class spread")
        self.export_generator = self._action("&Export Generator (.keras)…", self.export,
                                             QKeySequence("Ctrl+E"),
                                             "Save the generator as a Keras model file")
        self.roll_back = self._action("Roll &Back to Checkpoint…", self.choose_checkpoint, None,
                                      "Continue the run from an earlier checkpoint")
        self.open_run_folder = self._action("Open Run &Folder", self.show_run_folder, None,
                                            "Show the run's folder in the file manager")
        session.state_changed.connect(self.update_enabled)
        session.run_started.connect(self._on_run_started)
        session.progress.connect(self._on_progress)
        session.finished.connect(self._on_finished)
        run.observe(lambda what: RUN in what and self.update_enabled())
        self.update_enabled()


    @property
    def run_dir(self) -> str | None:
        """The run shown in the window, if any."""
        return self._run.run_dir

    def update_enabled(self, *_args) -> None:
        """Enables each action only where it can work."""
        state = self._session.state
        idle = state == IDLE
        has_run = bool(self.run_dir)
        self.new_run.setEnabled(idle)
        self.open_run.setEnabled(idle)
        self.recent_menu.setEnabled(idle)
        self.save_checkpoint.setEnabled(state in (TRAINING, PAUSED))
        self.evaluate_now.setEnabled(state in (TRAINING, PAUSED))
        self.export_generator.setEnabled(has_run and state != STARTING)
        self.roll_back.setEnabled(has_run and state in (IDLE, TRAINING, PAUSED))
        self.open_run_folder.setEnabled(has_run)

    # ---- new / open -----------------------------------------------------------------------
    def new_run_form(self) -> None:
        """Clears the views and shows the new-run form."""
        if self._session.busy:
            return
        self._run.clear_run()
        self._run.start_afresh()
        self._shown_run = None
        self._status("Set up a new run and press Train.")

    def choose_run(self) -> None:
        """Asks for a run folder and opens it."""
        start = os.path.dirname(self.run_dir) if self.run_dir else self._settings.runs_dir()
        path = QFileDialog.getExistingDirectory(self._window, "Open Run", start)
        if path:
            self.open_run_dir(path)

    def open_run_dir(self, run_dir: str) -> None:
        """Reads a run folder off the GUI thread, then shows its losses and sample grids."""
        if self._session.busy:
            return
        self._status(f"Opening {run_dir}…")
        self._tasks.submit(load_run_history, run_dir, on_done=self.show_history,
                           on_error=lambda message: self._warn("Cannot Open Run", message))

    def show_history(self, history: RunHistory) -> None:
        """Shows a run read by `load_run_history`; Train then continues it."""
        self._shown_run = history.run_dir
        if history.config_error:  # its curves and grids still show; continuing it cannot work
            self._warn("Cannot Read the Run's Settings", history.config_error)
        self._run.show_saved(history)
        metrics = history.metrics
        self._settings.add_recent_run(history.run_dir)
        steps = len(metrics.get("step", ()))
        self._status(f"Opened {os.path.basename(history.run_dir)} ({steps:,} steps logged). "
                     "Continue Training resumes it.")
        self.update_enabled()
        self.run_opened.emit(history.run_dir)

    def recent_runs(self) -> tuple[list[str], list[str]]:
        """What Recent Runs lists: the runs opened or trained in the window, newest first, and
        the other runs of the runs folders (the window's and the default, where headless
        `gan-studio train` puts them), most recently active first."""
        opened = self._settings.recent_runs()
        folders = dict.fromkeys(os.path.abspath(folder) for folder in (
            self._panel.runs_dir.path(), self._settings.runs_dir(), default_runs_dir()) if folder)
        listed = {os.path.abspath(run_dir) for run_dir in opened}
        found = []
        for folder in folders:
            found += [run for run in find_runs(folder, MAX_RECENT_RUNS) if run not in listed]
            listed.update(found)
        found.sort(key=lambda run_dir: run_activity(run_dir) or 0.0, reverse=True)
        return opened, found[:MAX_RECENT_RUNS]

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        opened, found = self.recent_runs()
        for runs in (opened, found):
            if runs and not self.recent_menu.isEmpty():
                self.recent_menu.addSeparator()
            for run_dir in runs:
                action = self.recent_menu.addAction(os.path.basename(run_dir))
                action.setStatusTip(run_dir)
                action.triggered.connect(lambda _checked=False, d=run_dir: self.open_run_dir(d))
        if not opened and not found:
            self.recent_menu.addAction("No recent runs").setEnabled(False)
        if opened:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction("Clear Menu", self._settings.clear_recent_runs)

    # ---- checkpoints and evaluations ------------------------------------------------------
    def evaluate(self) -> None:
        """Asks the running training to measure its generator's quality now.

        The message stays until the answer replaces it: the feature network's progress, then
        the numbers or why there are none (`TrainingFeedback`).
        """
        paused = self._session.state == PAUSED  # the trainer takes the request after a step
        self._session.request_evaluation()
        self._window.statusBar().showMessage(
            "Measuring the generator's quality once training resumes…" if paused
            else "Measuring the generator's quality… (the Quality plot shows the result)")

    def choose_checkpoint(self, before_step: int | None = None) -> None:
        """Lists the run's checkpoints, then asks which to continue from.

        Args:
            before_step: pick the newest checkpoint before this step without asking (used
                after NaN losses); None asks the user.
        """
        run_dir = self.run_dir
        if not run_dir:
            return
        self._tasks.submit(list_checkpoints, run_dir,
                           on_done=lambda found: self._pick_checkpoint(run_dir, found, before_step),
                           on_error=lambda message: self._warn("Cannot List Checkpoints", message))

    def _pick_checkpoint(self, run_dir: str, found: list, before_step: int | None) -> None:
        if before_step is not None:
            found = [(step, path) for step, path in found if step < before_step]
        if not found:
            self._warn("No Checkpoint", "This run has no checkpoint to roll back to"
                       + (f" from before step {before_step:,}." if before_step else "."))
            return
        if before_step is not None:
            self.continue_from(run_dir, found[-1][1])
            return
        labels = [f"Step {step:,}  ({os.path.basename(path)})" for step, path in reversed(found)]
        label, ok = QInputDialog.getItem(self._window, "Roll Back to Checkpoint",
                                         "Continue training from:", labels, 0, False)
        if ok and label in labels:
            self.continue_from(run_dir, list(reversed(found))[labels.index(label)][1])

    def continue_from(self, run_dir: str, checkpoint: str, overrides: dict | None = None) -> None:
        """Continues `run_dir` from `checkpoint`, stopping the current training first.

        Args:
            run_dir: the run folder.
            checkpoint: the checkpoint's prefix.
            overrides: levers to continue with another value (a training doctor's remedy).
        """
        start = lambda: self._session.continue_run(  # noqa: E731
            run_dir, self._panel.length.continue_values(), checkpoint=checkpoint,
            overrides=overrides)
        changes = f" with {describe_changes(overrides)}" if overrides else ""
        self._status(f"Rolling back to {os.path.basename(checkpoint)}{changes}…")
        self._after_stopping(start)

    def apply_remedy(self, run_dir: str, remedy) -> None:
        """Applies a training doctor's `Remedy` to `run_dir`: continues it from the remedy's
        checkpoint with its levers changed, or starts a new run with them."""
        if remedy.new_run:
            self.start_changed(run_dir, remedy.overrides)
        else:
            self.continue_from(run_dir, remedy.checkpoint, remedy.overrides)

    def start_changed(self, run_dir: str, overrides: dict) -> None:
        """Starts a new run with `run_dir`'s settings and `overrides` (levers a continued run
        cannot change: the networks' shape), stopping the current training first."""
        try:
            config = changed_config(TrainConfig.load(os.path.join(run_dir, CONFIG_FILE)),
                                    overrides)
        except ConfigError as exc:
            self._warn("Cannot Start the Run", str(exc))
            return
        self._status(f"Starting a new run with {describe_changes(overrides)}…")
        self._after_stopping(lambda: self._session.train(config))

    def _after_stopping(self, start: Callable[[], None]) -> None:
        if self._session.busy:
            self._after_idle.append(start)
            self._session.stop()
        else:
            start()

    # ---- export and folders ---------------------------------------------------------------
    def export(self, run_dir: str | None = None) -> None:
        """Asks for a `.keras` file and exports a run's generator to it.

        Args:
            run_dir: the run folder (default: the run shown).
        """
        run_dir = run_dir or self.run_dir
        if not run_dir:
            return
        name = os.path.basename(run_dir.rstrip(os.sep)) + "-generator.keras"
        path = ask_save_path(self._window, "Export Generator", self._settings.last_dir("models"),
                             name, {"Keras models (*.keras)": ".keras"})
        if not path:
            return
        self._settings.set_last_dir("models", path)
        self._status("Exporting the generator…")
        self._tasks.submit(export_generator_file, run_dir, path,
                           on_done=lambda p: self._status(f"Generator saved to {p}"),
                           on_error=lambda message: self._warn("Export Failed", message))

    def show_run_folder(self) -> None:
        """Opens the run folder in the system's file manager."""
        if self.run_dir:
            open_folder(self.run_dir)

    # ---- session --------------------------------------------------------------------------
    def _on_run_started(self, run_dir: str, config) -> None:
        self._fresh_run = run_dir != self._shown_run
        self._trained = False
        if self._fresh_run:
            self._run.start_afresh()  # a different run: its curves must not join the old ones
        self._run.show_run(run_dir, config)
        self._shown_run = run_dir
        self.update_enabled()

    def _on_progress(self, _progress) -> None:
        if not self._trained and self._shown_run:
            self._trained = True
            self._settings.add_recent_run(self._shown_run)

    def _on_finished(self, _run_dir: str) -> None:
        if self._fresh_run and not self._trained and not self._after_idle:
            # Nothing was trained (no data, cancelled download...): there is no run to
            # continue, so Train must start afresh rather than resume an empty folder.
            self._run.clear_run()
            self._shown_run = None
        self._fresh_run = False
        pending, self._after_idle = self._after_idle, []
        for start in pending:
            start()

"""The runs library and the comparison as the main window opens them: File → Runs Library
(Ctrl+L), and what the library's buttons ask of the window (open, continue, export, compare)."""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QWidget

from gan_studio.core.runs.layout import latest_checkpoint
from gan_studio.ui.actions import WindowActions
from gan_studio.ui.runs.compare_window import CompareWindow
from gan_studio.ui.runs.library_window import RunsLibrary
from gan_studio.ui.widgets.screen_fit import size_on_screen

LIBRARY_SIZE = QSize(1360, 640)
COMPARE_SIZE = QSize(1280, 900)


class RunsWindows(WindowActions):
    """Owns the runs library window and the comparison window, and wires them to the run the
    main window shows.

    Signals:
        sweep_requested(str): the library's Sweep From This Run, for the window's sweeps.

    Args:
        window: the main window.
        runs: its `RunActions` (open, continue, export).
        session: its `TrainingSession` (whether a run is training, and which).
        settings: its `AppSettings` (the library's extra folders).
        runs_dir: returns the runs folder the training panel shows (where new runs go).
    """

    sweep_requested = Signal(str)

    def __init__(self, window: QWidget, runs, session, settings, runs_dir: Callable[[], str]):
        super().__init__(window)
        # The folders a sweep trains now (the window sets it): guarded like the window's run.
        self.also_training: Callable[[], list[str]] = list
        self._runs_dir = runs_dir
        self._runs = runs
        self._session = session
        self._settings = settings
        self._to_continue: str | None = None
        self._library: RunsLibrary | None = None
        self._compare: CompareWindow | None = None
        self.show_library = self._action(
            "Runs &Library…", self.open_library, QKeySequence("Ctrl+L"),
            "Every run in the runs folder: sort, filter, open, continue, compare, rename, "
            "delete")
        runs.run_opened.connect(self._continue_opened)

    # ---- the library ----------------------------------------------------------------------
    def roots(self) -> list[str]:
        """The folders the library lists: the runs folder, then the ones the user added."""
        main = os.path.abspath(self._runs_dir() or self._settings.runs_dir())
        extra = [os.path.abspath(p) for p in self._settings.library_folders()]
        return [main] + [p for p in extra if p != main]

    @property
    def library(self) -> RunsLibrary:
        """The runs library (made on first use, a window of its own)."""
        if self._library is None:
            library = RunsLibrary(self.roots(), self._window)
            library.setWindowFlag(Qt.WindowType.Window)
            library.setWindowTitle("Runs Library")
            library.resize(size_on_screen(self._window, LIBRARY_SIZE))
            library.in_use = self._folders_training
            library.open_run.connect(self.open_run)
            library.continue_run.connect(self.continue_run)
            library.export_run.connect(self._runs.export)
            library.compare_runs.connect(self.compare)
            library.sweep_from.connect(self.sweep_requested)
            library.roots_changed.connect(self._save_roots)
            self._library = library
        return self._library

    def open_library(self) -> None:
        """Shows the runs library, reading the runs folder again."""
        library = self.library
        if library.roots != self.roots():
            library.set_roots(self.roots())
        library.show()
        library.raise_()
        library.activateWindow()

    def _save_roots(self, roots: list) -> None:
        main = os.path.abspath(self._runs_dir() or self._settings.runs_dir())
        self._settings.set_library_folders([r for r in roots if os.path.abspath(r) != main])

    def _folders_training(self) -> list[str]:
        run_dir = self._runs.run_dir if self._session.busy else None
        return ([run_dir] if run_dir else []) + list(self.also_training())

    # ---- what the library asks of the window ----------------------------------------------
    def _refuse_while_training(self, what: str) -> bool:
        if self._session.busy:
            self._warn(what, "A run is training: stop it first.")
            return True
        return False

    def open_run(self, run_dir: str) -> None:
        """Shows `run_dir` in the main window, brought to the front."""
        if self._refuse_while_training("Open Run"):
            return
        self._runs.open_run_dir(run_dir)
        self._window.raise_()
        self._window.activateWindow()

    def continue_run(self, run_dir: str) -> None:
        """Opens `run_dir` in the main window and continues training it from its newest
        checkpoint, once its history shows."""
        if self._refuse_while_training("Continue Training"):
            return
        if latest_checkpoint(run_dir) is None:
            self._warn("Continue Training", f"{run_dir} has no checkpoint yet.")
            return
        self._to_continue = os.path.abspath(run_dir)
        self.open_run(run_dir)

    def _continue_opened(self, run_dir: str) -> None:
        if self._to_continue and os.path.abspath(run_dir) == self._to_continue:
            self._to_continue = None
            checkpoint = latest_checkpoint(run_dir)
            if checkpoint is not None:
                self._runs.continue_from(run_dir, checkpoint)

    # ---- the comparison -------------------------------------------------------------------
    @property
    def comparison(self) -> CompareWindow:
        """The comparison window (made on first use)."""
        if self._compare is None:
            self._compare = CompareWindow(parent=self._window)
            self._compare.setWindowFlag(Qt.WindowType.Window)
            self._compare.resize(size_on_screen(self._window, COMPARE_SIZE))
        return self._compare

    def compare(self, run_dirs: list) -> None:
        """Shows `run_dirs` (two to six) side by side in the comparison window."""
        window = self.comparison
        try:
            window.set_runs(list(run_dirs))
        except ValueError as exc:
            self._warn("Compare Runs", str(exc))
            return
        window.show()
        window.raise_()
        window.activateWindow()

    def shutdown(self) -> None:
        """Joins the library's and the comparison's threads (when the app quits)."""
        if self._library is not None:
            self._library.shutdown()
        if self._compare is not None:
            self._compare.shutdown()

"""Runs compared side by side: curves overlaid, grids at one point, settings and quality at
an equal budget; a running sweep's runs appear and grow as they train."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.runs.compared_grids import caption, side_by_side
from gan_studio.core.runs.comparison import MAX_COMPARED, Comparison
from gan_studio.ui.runs.compare_grids import CompareGrids
from gan_studio.ui.runs.compare_plots import ComparePlots
from gan_studio.ui.runs.compare_tables import CompareTables
from gan_studio.workers.runs.compare_reader import CompareReader, GridImages

RELOAD_MS = 3000  # how often a shown comparison looks for what its runs wrote since
AXIS_CHOICES = (("Step", "step"), ("Images seen", "images"), ("Minutes trained", "time"))
QUALITY_CHOICES = (("FD", "fd"), ("Classifier score", "score"), ("Diversity", "diversity"),
                   ("Copy rate", "copy_rate"))


class CompareWindow(QMainWindow):
    """Two to six runs compared: their curves by step, images seen or minutes trained, their
    grids at one point of that axis, and a table of what differs and of their quality.

    Runs are read on `CompareReader`'s threads; while the window is shown it reads again,
    every `reload_ms`, the runs whose files changed.

    Args:
        reader: the reader to use (one of its own by default; shut down with the window).
        reload_ms: milliseconds between two looks for changed runs.
        parent: the parent widget.
    """

    def __init__(self, reader: CompareReader | None = None, reload_ms: int = RELOAD_MS,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Compare Runs")
        self.reader = reader if reader is not None else CompareReader()
        self._owns_reader = reader is None
        self._run_dirs: list[str] = []
        self.comparison: Comparison | None = None
        self._shown: list = []  # each run's GridChoice at the slider's point
        self._build()
        self.reader.loaded.connect(self._on_loaded)
        self.reader.failed.connect(self.status.setText)
        self.reader.grids_read.connect(self._on_grids_read)
        self._reload = QTimer(self)
        self._reload.setInterval(reload_ms)
        self._reload.timeout.connect(self.reader.reload_if_changed)

    def _build(self) -> None:
        self.axis_choice = QComboBox()
        for text, axis in AXIS_CHOICES:
            self.axis_choice.addItem(text, axis)
        self.quality_choice = QComboBox()
        for text, name in QUALITY_CHOICES:
            self.quality_choice.addItem(text, name)
        self.save_button = QPushButton("Save Grids as Image…")
        self.save_button.clicked.connect(lambda: self.save_image())
        self.status = QLabel("Reading the runs…")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        for widget in (QLabel("Line up by"), self.axis_choice, QLabel("Quality"),
                       self.quality_choice):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.save_button)
        self.plots = ComparePlots()
        self.grids = CompareGrids()
        self.tables = CompareTables()
        self.tables.setMinimumHeight(180)  # the settings and the quality rows, unscrolled
        # The curves take the left half at full height; the grids, with their shared slider,
        # and the tables share the right (stacked under the curves, each got a third of a
        # laptop's height and the curves were unreadable).
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.grids)
        right.addWidget(self.tables)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        right.setSizes([380, 480])  # (the table scrolls; the grids are what a user reads)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.plots)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([620, 660])
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.axis_choice.currentIndexChanged.connect(lambda: self._redraw(keep=False))
        self.quality_choice.currentIndexChanged.connect(lambda: self._redraw())
        self.grids.position_changed.connect(self._on_position)

    @property
    def axis(self) -> str:
        """The axis the runs are lined up by: `step`, `images` or `time`."""
        return self.axis_choice.currentData()

    @property
    def run_dirs(self) -> list[str]:
        """The compared run folders, in order."""
        return list(self._run_dirs)

    def set_runs(self, run_dirs: list[str]) -> None:
        """Compares `run_dirs` (read off the GUI thread; the window fills in when read).

        Raises:
            ValueError: for more than `MAX_COMPARED` runs (one line for the user).
        """
        run_dirs = [os.path.abspath(d) for d in run_dirs]
        if len(run_dirs) > MAX_COMPARED:
            raise ValueError(f"{len(run_dirs)} runs chosen: a comparison shows at most "
                             f"{MAX_COMPARED}; choose fewer.")
        self._run_dirs = run_dirs
        self.status.setText("Reading the runs…")
        self.reader.load(run_dirs)

    def add_run(self, run_dir: str) -> bool:
        """Adds a run (a sweep's, as it starts); False when it is there already or the
        comparison is full (the status line says so)."""
        run_dir = os.path.abspath(run_dir)
        if run_dir in self._run_dirs:
            return False
        if len(self._run_dirs) >= MAX_COMPARED:
            self.status.setText(f"{os.path.basename(run_dir)} is not shown: a comparison "
                                f"shows at most {MAX_COMPARED} runs.")
            return False
        self.set_runs([*self._run_dirs, run_dir])
        return True

    def _on_loaded(self, comparison: Comparison) -> None:
        self.comparison = comparison
        problems = [f"{label}: {run.problem}" for label, run in
                    zip(comparison.labels, comparison.runs) if run.problem]
        self.status.setText("; ".join(problems) if problems else
                            f"{len(comparison.runs)} runs compared.")
        self._redraw()

    def _redraw(self, keep: bool = True) -> None:
        comparison = self.comparison
        if comparison is None:
            return
        quality = self.quality_choice.currentData()
        self.plots.show_comparison(comparison, self.axis, quality)
        self.tables.show_tables(comparison, self.axis)
        self.save_button.setEnabled(bool(comparison.runs))
        self.grids.set_stops(comparison.grid_stops(self.axis), self.axis, keep=keep)
        if self.grids.position is None:
            self._on_position(None)

    def _on_position(self, position: float | None) -> None:
        comparison = self.comparison
        self.plots.set_marker(position)
        if comparison is None:
            return
        choices = (comparison.grids_at(self.axis, position) if position is not None
                   else [None] * len(comparison.runs))
        self.grids.show_choices(comparison.labels, comparison.colours, choices,
                                [run.problem for run in comparison.runs])
        self._shown = choices
        self.reader.read_grids([None if c is None else c.grid.path for c in choices],
                               tag=(self.axis, position))

    def _on_grids_read(self, result: GridImages) -> None:
        if result.tag == (self.axis, self.grids.position):
            self.grids.show_images(list(result.images))

    def save_image(self, path: str | None = None) -> str | None:
        """Saves the grids shown side by side, titled by their runs, as one PNG.

        Args:
            path: where (None: asks).

        Returns:
            The path written, or None (cancelled, nothing shown, or the disk refused: the
            status line says why).
        """
        from gan_studio.core.images import save_png
        from gan_studio.ui.widgets.save_dialogs import ask_save_path

        comparison = self.comparison
        if comparison is None or not comparison.runs:
            return None
        if path is None:
            start = os.path.dirname(comparison.run_dirs[0])
            path = ask_save_path(self, "Save Grids as Image", start, "comparison.png",
                                 {"PNG images (*.png)": ".png"})
            if path is None:
                return None
        choices = self._shown or [None] * len(comparison.runs)
        images = (self.grids.images + [None] * len(choices))[:len(choices)]
        sheet = side_by_side(images, comparison.labels, [caption(c, self.axis) for c in choices])
        try:
            save_png(path, sheet)
        except OSError as exc:
            self.status.setText(f"Could not save {path}: {exc.strerror or exc}")
            return None
        self.status.setText(f"Saved {path}")
        return path

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._reload.start()

    def hideEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().hideEvent(event)
        self._reload.stop()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._reload.stop()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stops looking for changes and joins the reader's threads (if the window owns it)."""
        self._reload.stop()
        if self._owns_reader:
            self.reader.shutdown()

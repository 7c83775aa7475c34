"""The runs library: every run in the runs folder (and the folders the user adds) in one
sortable, filterable table, with what the user does to runs.

The folders are read on `LibraryReader`'s thread, a batch at a time, and again when a file
watcher on the roots (and their sweep folders) sees a run come or go, or every few seconds
while the library is shown (metrics grow inside run folders, which no watcher on the roots
sees): then only the folders that changed are read. The window does what opens, continues,
compares, sweeps or exports a run; the library tells it by a signal.

Example:

```python
library = RunsLibrary([settings.runs_dir()])
library.open_run.connect(run_actions.open_run_dir)
library.roots_changed.connect(save_library_roots)
dock.setWidget(library)
...
library.shutdown()           # on close
```
"""

from __future__ import annotations

import os
from collections.abc import Callable

from PySide6.QtCore import QFileSystemWatcher, QItemSelectionModel, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.runs.library import (
    THUMBNAIL_SIZE,
    LibraryError,
    rename_run,
    trash_run,
    write_note,
)
from gan_studio.core.runs.run_summary import RunSummary
from gan_studio.ui.runs.library_actions import LibraryActions
from gan_studio.ui.runs.runs_table_model import RunsFilterProxy, RunsTableModel, column
from gan_studio.workers.runs.library_reader import LibraryReader
from gan_studio.workers.tasks import TaskRunner

POLL_MS = 5000  # the slow re-read while shown: only changed folders are read
WATCH_DELAY_MS = 300  # a burst of file-system events (a run folder being made) is one refresh
MAX_NAMES_SHOWN = 10  # runs named in the trash confirmation; "and N more" after


def trash_runs(folders: list[str]) -> list[str]:
    """Moves `folders` to the trash (on a worker thread); returns a line per failure."""
    failures = []
    for folder in folders:
        try:
            trash_run(folder)
        except LibraryError as exc:
            failures.append(str(exc))
    return failures


# Wide enough for a run folder's name, "3.11 (step 7,103)" and a date at the default font;
# sized once (sizing to contents walks every row at each read).
COLUMN_WIDTHS = {"name": 170, "sweep": 132, "dataset": 72, "preset": 62, "levers": 120,
                 "steps": 64, "images": 64, "seconds": 92, "newest_fd": 112, "best_fd": 112,
                 "note": 150, "activity": 128, "problem": 260}


class RunsLibrary(QWidget):
    """Every run of some folders in a table, kept up to date without blocking the window.

    Signals:
        open_run(str): show this run folder in the window.
        continue_run(str): train it further.
        compare_runs(list): compare these 2–6 run folders.
        sweep_from(str): plan a sweep from this run's settings.
        export_run(str): export this run's generator.
        roots_changed(list): the user added a folder: the roots to keep (QSettings).

    Args:
        roots: the folders whose runs are listed (the runs folder first).
        parent: the parent widget.
    """

    open_run = Signal(str)
    continue_run = Signal(str)
    compare_runs = Signal(list)
    sweep_from = Signal(str)
    export_run = Signal(str)
    roots_changed = Signal(list)

    def __init__(self, roots: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self._roots = [os.path.abspath(os.path.expanduser(r)) for r in roots if r]
        self._select_after: str | None = None
        self._sweeps: list[str] = []
        # The folders training writes to now (the window's run, a sweep's): never renamed
        # or trashed under it. The window sets it; by default none.
        self.in_use: Callable[[], list[str]] = list
        self.model = RunsTableModel(self)
        self.proxy = RunsFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.reader = LibraryReader(parent=self)
        self._tasks = TaskRunner("runs-library-trash", self)
        self.view = self._make_view()
        self.run_actions = LibraryActions(self.view, {
            "open": self._open, "continue": self._continue, "compare": self._compare,
            "sweep": self._sweep, "export": self._export, "rename": self._rename,
            "note": self._edit_note, "trash": self._trash, "show": self._show_in_folder})
        self.filter = QLineEdit(placeholderText="Filter runs (any column)…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.set_filter_text)
        self.status = QLabel()
        self._build_layout()
        self._watcher = QFileSystemWatcher(self)
        self._watcher.directoryChanged.connect(lambda _path: self._watch_delay.start())
        self._watch_delay = QTimer(self, singleShot=True, interval=WATCH_DELAY_MS)
        self._watch_delay.timeout.connect(self.refresh)
        self._poll = QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._on_poll)
        self.reader.summaries.connect(self._on_rows)
        self.reader.removed.connect(self._on_removed)
        self.reader.sweeps.connect(self._on_sweeps)
        self.reader.done.connect(self._update_status)
        self.view.selectionModel().selectionChanged.connect(self._on_selection)
        self._watch()
        self._update_status()

    def _make_view(self) -> QTableView:
        view = QTableView()
        view.setModel(self.proxy)
        view.setSortingEnabled(True)
        view.sortByColumn(column("activity"), Qt.SortOrder.DescendingOrder)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        view.setIconSize(QSize(THUMBNAIL_SIZE, THUMBNAIL_SIZE))
        view.setWordWrap(True)  # a problem takes the row's height (a thumbnail's) to say
        view.verticalHeader().hide()
        view.verticalHeader().setDefaultSectionSize(THUMBNAIL_SIZE + 4)
        header = view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.resizeSection(column("thumbnail"), THUMBNAIL_SIZE + 8)
        for key, width in COLUMN_WIDTHS.items():
            header.resizeSection(column(key), width)
        # Run and sweep folders differ at their ends (the time they started).
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        header.setStretchLastSection(True)
        view.doubleClicked.connect(lambda _index: self._open())
        return view

    def _build_layout(self) -> None:
        toolbar = QToolBar()
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addActions(self.run_actions.toolbar_actions())
        add = QPushButton("Add Folder…")
        add.setToolTip("List the runs of another folder too")
        add.clicked.connect(self._add_folder)
        top = QHBoxLayout()
        top.addWidget(self.filter, 1)
        top.addWidget(add)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(toolbar)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.status)

    @property
    def roots(self) -> list[str]:
        """The folders whose runs are listed."""
        return list(self._roots)

    def set_roots(self, roots: list[str]) -> None:
        """Lists the runs of `roots` instead (the runs folder changed); no `roots_changed`."""
        self._roots = [os.path.abspath(os.path.expanduser(r)) for r in roots if r]
        self._watch()
        self.refresh()

    def refresh(self, reread: bool = False) -> None:
        """Reads the folders that changed (all of them with `reread`), off the GUI thread."""
        self.reader.refresh(self._roots, reread)
        self._update_status()

    def shutdown(self) -> None:
        """Stops the reading and the trash's thread (call when the window closes)."""
        self._poll.stop()
        self._watch_delay.stop()
        self.reader.shutdown()
        self._tasks.shutdown()

    def selected_runs(self) -> list[RunSummary]:
        """The selected runs, in the table's order."""
        rows = sorted(self.view.selectionModel().selectedRows(), key=lambda i: i.row())
        return [self.model.summary(self.proxy.mapToSource(i).row()) for i in rows]

    def select_folder(self, folder: str) -> bool:
        """Selects the run in `folder` (and makes it current); False when it is not shown."""
        row = self.model.row_of(folder)
        if row is None:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        flags = (QItemSelectionModel.SelectionFlag.ClearAndSelect
                 | QItemSelectionModel.SelectionFlag.Rows)
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._poll.start()
        self.refresh()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self._poll.stop()

    def _on_poll(self) -> None:
        if not self.reader.busy:  # a read under way will see the changes itself
            self.refresh()

    def _on_sweeps(self, folders: list) -> None:
        self._sweeps = list(folders)
        self._watch()

    def _watch(self) -> None:
        wanted = {p for p in [*self._roots, *self._sweeps] if os.path.isdir(p)}
        watched = set(self._watcher.directories())
        if watched - wanted:
            self._watcher.removePaths(sorted(watched - wanted))
        if wanted - watched:
            self._watcher.addPaths(sorted(wanted - watched))

    def _on_rows(self, rows: list) -> None:
        self.model.upsert(rows)
        if self._select_after is not None and self.select_folder(self._select_after):
            self._select_after = None
        self._update_status()
        self._on_selection()  # a selected run's summary may have changed (a damaged config)

    def _on_removed(self, folders: list) -> None:
        self.model.remove(folders)
        self._update_status()

    def _update_status(self) -> None:
        count = self.model.rowCount()
        damaged = sum(1 for i in range(count) if self.model.summary(i).problem)
        # Beside the name while a run has one; no empty column otherwise.
        self.view.setColumnHidden(column("problem"), not damaged)
        parts = [f"{count:,} run{'s' if count != 1 else ''}"]
        if damaged:
            parts.append(f"{damaged} with a problem")
        if self.reader.busy:
            parts.append("reading…")
        if not self._roots:
            parts = ["No runs folder: add one."]
        self.status.setText(" · ".join(parts))

    def _on_selection(self, *_args) -> None:
        self.run_actions.update(self.selected_runs())

    def _one(self) -> RunSummary | None:
        runs = self.selected_runs()
        return runs[0] if len(runs) == 1 else None

    def _open(self) -> None:
        run = self._one()
        if run is not None:
            self.open_run.emit(run.folder)

    def _continue(self) -> None:
        if self.run_actions["continue"].isEnabled():
            self.continue_run.emit(self._one().folder)

    def _compare(self) -> None:
        if self.run_actions["compare"].isEnabled():
            self.compare_runs.emit([run.folder for run in self.selected_runs()])

    def _sweep(self) -> None:
        if self.run_actions["sweep"].isEnabled():
            self.sweep_from.emit(self._one().folder)

    def _export(self) -> None:
        if self.run_actions["export"].isEnabled():
            self.export_run.emit(self._one().folder)

    def _busy(self, folders: list[str], what: str) -> bool:
        """Whether one of `folders` is training now (then says so: `what` cannot be done)."""
        busy = {os.path.normcase(os.path.abspath(p)) for p in self.in_use() if p}
        training = [f for f in folders if os.path.normcase(os.path.abspath(f)) in busy]
        if training:
            QMessageBox.information(self, what, f"{os.path.basename(training[0])} is training "
                                    "now: stop it first.")
        return bool(training)

    def _rename(self) -> None:
        run = self._one()
        if run is None or self._busy([run.folder], "Rename Run"):
            return
        name, ok = QInputDialog.getText(self, "Rename Run", "New folder name:", text=run.name)
        if not ok or name.strip() == run.name:
            return
        try:
            new = rename_run(run.folder, name)
        except LibraryError as exc:
            QMessageBox.warning(self, "Rename Run", str(exc))
            return
        self._select_after = new
        self.refresh()

    def _edit_note(self) -> None:
        run = self._one()
        if run is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Note", f"Note on {run.name}:", run.note)
        if not ok:
            return
        try:
            write_note(run.folder, text)
        except LibraryError as exc:
            QMessageBox.warning(self, "Note", str(exc))
            return
        self.refresh()

    def _trash(self) -> None:
        runs = self.selected_runs()
        if not runs or self._busy([run.folder for run in runs], "Move to Trash"):
            return
        names = [run.name for run in runs[:MAX_NAMES_SHOWN]]
        if len(runs) > MAX_NAMES_SHOWN:
            names.append(f"and {len(runs) - MAX_NAMES_SHOWN} more")
        what = "this run" if len(runs) == 1 else f"these {len(runs)} runs"
        answer = QMessageBox.question(
            self, "Move to Trash", f"Move {what} to the trash?\n\n" + "\n".join(names),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        self._tasks.submit(trash_runs, [run.folder for run in runs],
                           on_done=self._on_trashed, on_error=self._on_trash_failed)

    def _on_trashed(self, failures: list[str]) -> None:
        self.refresh()
        if failures:
            QMessageBox.warning(self, "Move to Trash", "\n".join(failures))

    def _on_trash_failed(self, message: str) -> None:
        self.refresh()
        QMessageBox.warning(self, "Move to Trash", message)

    def _show_in_folder(self) -> None:
        run = self._one()
        if run is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(run.folder))

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Add a Folder of Runs",
                                                  self._roots[0] if self._roots else "")
        if not folder:
            return
        folder = os.path.abspath(folder)
        if folder not in self._roots:
            self._roots.append(folder)
            self.roots_changed.emit(list(self._roots))
        self._watch()
        self.refresh()

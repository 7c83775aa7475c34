"""The window's notice of the image files a run's data set left out: a status-bar button that
opens their list, each file with why, for as long as the run is the one shown."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.core.training.session_states import STARTING


class SkippedFilesNotice(QPushButton):
    """A flat status-bar button, "4 files skipped — Details…", that lists the skipped files.

    The trainer's `skipped` event (its data: `files`, `count`, `path` of skipped.txt,
    `dataset`) shows it, and so does a run opened from disk (`show_saved`); it stays until
    the next run starts, since a status message would be gone in seconds. Clicking it, or
    `action` (for the Training menu), opens the list.

    Args:
        session: the `TrainingSession` whose `event` and `state_changed` it follows.
        parent: the parent widget.
    """

    def __init__(self, session, parent: QWidget | None = None):
        super().__init__(parent)
        self.setFlat(True)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.action = QAction("Skipped Image &Files…", self)
        self.action.setStatusTip("List the image files that training left out, and why")
        self.dialog: _SkippedFilesDialog | None = None
        self._data: dict | None = None
        self.clicked.connect(self.show_details)
        self.action.triggered.connect(self.show_details)
        session.event.connect(self._on_event)
        session.state_changed.connect(self._on_state)
        self.clear()

    @property
    def files(self) -> tuple:
        """The skipped files shown (`SkippedFile` records), or none."""
        return tuple(self._data.get("files", ())) if self._data else ()

    def clear(self) -> None:
        """Hides the notice (a new run starts: its data will say again)."""
        self._data = None
        self.hide()
        self.action.setEnabled(False)
        if self.dialog is not None:
            self.dialog.close()

    def show_details(self) -> None:
        """Opens (or raises) the list of skipped files."""
        if self._data is None:
            return
        if self.dialog is None:
            self.dialog = _SkippedFilesDialog(self.window())
        self.dialog.show_files(self._data)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def show_saved(self, run_dir: str) -> None:
        """Shows the notice of a run opened from disk, from its skipped.txt (if it has one)."""
        from gan_studio.core.runs.layout import SKIPPED_FILE
        from gan_studio.data.skipped import read_skipped_list

        self.clear()
        data = read_skipped_list(os.path.join(run_dir, SKIPPED_FILE))
        if data is not None:
            self._on_event(Event(EventKind.SKIPPED, "", data))

    def _on_event(self, event: Event) -> None:
        if event.kind != EventKind.SKIPPED:
            return
        self._data = dict(event.data)
        count = int(self._data.get("count", len(self.files)))
        self.setText(f"{count:,} file{'s' if count != 1 else ''} skipped — Details…")
        self.setToolTip(f"Image files of {self._data.get('dataset', 'the data set')} that "
                        "training left out (corrupt, empty, not images, too large)")
        self.action.setEnabled(True)
        self.show()
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.show_files(self._data)

    def _on_state(self, state: str) -> None:
        if state == STARTING:
            self.clear()


class _SkippedFilesDialog(QDialog):
    """Lists skipped files and why, and where skipped.txt keeps them (not modal).

    Args:
        parent: the window.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Skipped Image Files")
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["File", "Why"])
        self.table.setRootIsDecorated(False)
        self.table.setColumnWidth(0, 280)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.table, self.where, buttons):
            layout.addWidget(widget)
        self.resize(760, 360)

    def show_files(self, data: dict) -> None:
        """Fills the list from a `skipped` event's data."""
        files = tuple(data.get("files", ()))
        count = int(data.get("count", len(files)))
        self.summary.setText(f"{count:,} image file{'s' if count != 1 else ''} of "
                             f"{data.get('dataset', 'the data set')} could not be used, so "
                             "training left them out:")
        self.table.clear()
        items = [QTreeWidgetItem([f.path, f.message]) for f in files]
        for item in items:
            item.setToolTip(1, item.text(1))  # (a long reason, such as the size limit, in full)
        self.table.addTopLevelItems(items)
        self.table.resizeColumnToContents(0)
        self.table.resizeColumnToContents(1)  # scrolled sideways rather than cut off
        more = f"{count - len(files):,} more, and these, are" if count > len(files) else \
            "The list is"
        self.where.setText(f"{more} saved in {data.get('path')}" if data.get("path") else "")

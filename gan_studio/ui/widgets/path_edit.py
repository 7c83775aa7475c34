"""A line edit for a file or folder path with a Browse button."""

from __future__ import annotations

import os

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLineEdit, QMenu, QToolButton, QWidget


class PathEdit(QWidget):
    """A path field whose Browse button picks a folder, a file, or either (a menu).

    Signals:
        path_changed(str): the path after the user typed or picked one.

    Args:
        choices: what Browse offers: a list of (label, kind, name_filter) with kind "dir" or
            "file"; one entry makes a plain button, several a menu.
        placeholder: grey text shown while empty.
        parent: the parent widget.
    """

    path_changed = Signal(str)

    def __init__(self, choices: list[tuple[str, str, str]], placeholder: str = "",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._choices = choices
        self._edit = QLineEdit()
        self._edit.setPlaceholderText(placeholder)
        self._edit.setClearButtonEnabled(True)
        self._edit.editingFinished.connect(lambda: self.path_changed.emit(self.path()))
        self._edit.textChanged.connect(lambda text: self._edit.setToolTip(text or placeholder))
        self._button = QToolButton()
        self._button.setText("Browse…")
        if len(choices) == 1:
            self._button.clicked.connect(lambda: self.browse(0))
        else:
            menu = QMenu(self._button)
            for i, (label, _, _) in enumerate(choices):
                menu.addAction(label, lambda i=i: self.browse(i))
            self._button.setMenu(menu)
            self._button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._edit, 1)
        layout.addWidget(self._button)

    def path(self) -> str:
        """The path as entered, with `~` expanded ("" if empty)."""
        text = self._edit.text().strip()
        return os.path.expanduser(text) if text else ""

    def set_path(self, path: str) -> None:
        """Shows `path` (does not emit `path_changed`)."""
        self._edit.setText(path or "")

    def setReadOnly(self, read_only: bool) -> None:  # noqa: N802 - mirrors QLineEdit
        """Makes the field read-only and hides Browse."""
        self._edit.setReadOnly(read_only)
        self._button.setVisible(not read_only)

    def browse(self, choice: int = 0) -> bool:
        """Opens the file dialog of `choices[choice]`; returns whether a path was picked."""
        label, kind, name_filter = self._choices[choice]
        start = self.path() or os.path.expanduser("~")
        title = label.rstrip("…")
        if kind == "dir":
            path = QFileDialog.getExistingDirectory(self, title, start)
        else:
            path, _ = QFileDialog.getOpenFileName(self, title, start, name_filter)
        if not path:
            return False
        self._edit.setText(path)
        self.path_changed.emit(path)
        return True

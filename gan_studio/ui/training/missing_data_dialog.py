"""Tells the user where to put a data set that could not be downloaded."""

from __future__ import annotations

import html
import os

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

RETRY = 2  # the dialog's result when the user asks to try again


def open_folder(folder: str) -> bool:
    """Creates `folder` if needed and opens it in the system's file manager."""
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError:
        pass
    return QDesktopServices.openUrl(QUrl.fromLocalFile(folder))


class MissingDataDialog(QDialog):
    """Explains that a data set is unavailable (offline?): the URL to fetch it from, and the
    exact file and folder where to save it; offers to open the folder or try again.

    `exec()` returns `RETRY` when the user clicks Try Again.

    Args:
        url: where the file can be downloaded.
        path: the exact file the app looks for.
        folder: the folder holding `path`.
        parent: the parent widget.
    """

    def __init__(self, url: str, path: str, folder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Data Set Not Available")
        self.url, self.path, self.folder = url, path, folder or os.path.dirname(path)
        name = os.path.basename(path) or path
        text = (
            "<p><b>The data set could not be downloaded.</b> The computer may be offline, or the "
            "server unreachable.</p>"
            f"<p>Download it in a browser from<br><a href='{html.escape(url)}'>{html.escape(url)}</a></p>"
            f"<p>and save it as <b>{html.escape(name)}</b> in this folder:<br>"
            f"<code>{html.escape(self.folder)}</code></p>"
            f"<p>so that this file exists:<br><code>{html.escape(path)}</code></p>"
            "<p>Then click <b>Try Again</b>.</p>")
        self.message = QLabel(text)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setOpenExternalLinks(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.open_button = QPushButton("Open Folder")
        self.copy_button = QPushButton("Copy Link")
        self.retry_button = QPushButton("Try Again")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.retry_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.open_button.clicked.connect(lambda: open_folder(self.folder))
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.url))
        self.retry_button.clicked.connect(lambda: self.done(RETRY))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

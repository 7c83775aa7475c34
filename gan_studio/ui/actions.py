"""Menu actions built the same way everywhere: text, slot, shortcut and status tip; and the
base of the window's groups of actions."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget


def make_action(parent: QWidget, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
                tip: str) -> QAction:
    """Returns a `QAction` that calls `slot()` (without Qt's `checked` argument) when triggered.

    Args:
        parent: the action's owner (the main window, so its shortcut works everywhere).
        text: the menu text, with `&` marking the mnemonic.
        slot: called with no arguments.
        shortcut: a key sequence, or None for none.
        tip: the status-bar tip.
    """
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(shortcut)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


STATUS_MS = 8000  # how long an outcome stays in the status bar


class WindowActions(QObject):
    """Base of the groups of menu actions: owned by the main window, they build their actions
    with `make_action` and tell outcomes in its status bar or a warning box.

    Args:
        window: the main window (a `QMainWindow`): parent of the actions and dialogs.
    """

    def __init__(self, window: QWidget):
        super().__init__(window)
        self._window = window

    def _action(self, text: str, slot: Callable[[], object],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None,
                tip: str) -> QAction:
        return make_action(self._window, text, slot, shortcut, tip)

    def _status(self, text: str) -> None:
        self._window.statusBar().showMessage(text, STATUS_MS)

    def _warn(self, title: str, message: str) -> None:
        self._status("")
        QMessageBox.warning(self._window, title, message)

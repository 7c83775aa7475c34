"""Menu actions built the same way everywhere: text, slot, shortcut and status tip."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget


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

"""The Train, Pause/Resume and Stop actions, shared by the training panel and the menu."""

from __future__ import annotations

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QStyle, QWidget


def make_training_actions(parent: QWidget, train, session) -> tuple[QAction, QAction, QAction]:
    """Makes the Train (F5), Pause (F6) and Stop (Shift+F5) actions.

    Args:
        parent: owns the actions (and gives their standard icons).
        train: called by Train.
        session: the `TrainingSession` that Pause toggles and Stop stops.

    Returns:
        (train, pause, stop).
    """
    style = parent.style()
    actions = []
    for icon, text, shortcut, slot, tip in (
            (QStyle.StandardPixmap.SP_MediaPlay, "&Train", "F5", train,
             "Start training (or continue the open run)"),
            (QStyle.StandardPixmap.SP_MediaPause, "&Pause", "F6", session.toggle_pause,
             "Pause or resume training"),
            (QStyle.StandardPixmap.SP_MediaStop, "&Stop", "Shift+F5", session.stop,
             "Save a checkpoint and stop training")):
        action = QAction(style.standardIcon(icon), text, parent)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        action.setStatusTip(tip)
        action.setToolTip(f"{tip} ({action.shortcut().toString()})")
        actions.append(action)
    return tuple(actions)

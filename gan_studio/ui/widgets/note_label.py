"""Secondary text that stays readable: a status note under a control, in a muted colour."""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QWidget


def note_label(text: str = "", parent: QWidget | None = None) -> QLabel:
    """A word-wrapped label drawn in the palette's placeholder colour.

    A disabled label looks muted too, but in the disabled text colour, which is too faint to
    read (about 1.6:1 against the window on Fusion's light palette); the placeholder colour
    (the text colour at half strength) keeps the note secondary and legible.

    Args:
        text: the note.
        parent: the parent widget.

    Returns:
        The label.
    """
    label = QLabel(text, parent)
    label.setWordWrap(True)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label

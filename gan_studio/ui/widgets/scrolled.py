"""A widget in a frameless scroll area, so that its size never sets its window's minimum."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea, QWidget


def scrolled(widget: QWidget, sideways: bool = True) -> QScrollArea:
    """Puts `widget` in a frameless scroll area that resizes it to fit where it can.

    A dock's content then never sets the window's minimum size: a laptop's 1366×768 screen
    holds the window, and scroll bars show instead.

    Args:
        widget: the content.
        sideways: whether it may scroll sideways too (False: only up and down).

    Returns:
        The scroll area, holding `widget`.
    """
    scroll = QScrollArea()
    scroll.setWidget(widget)
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QScrollArea.Shape.NoFrame)
    if not sideways:
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return scroll

"""A new window's size within the screen it opens on, its frame included."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QWidget

FRAME_ALLOWANCE = QSize(16, 48)  # a window manager's frame and title bar around a window


def size_on_screen(widget: QWidget, wanted: QSize) -> QSize:
    """`wanted`, cut to what the screen `widget` is on leaves for a window and its frame
    (`wanted` itself where the screen is unknown)."""
    screen = widget.screen()
    if screen is None:
        return wanted
    return wanted.boundedTo(screen.availableGeometry().size() - FRAME_ALLOWANCE)

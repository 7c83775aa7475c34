"""A list that shows images as a grid of icons: data-set images to pick, training images."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QListView, QListWidget


def icon_grid(icon_side: int) -> QListWidget:
    """A `QListWidget` laying out its items as `icon_side`-pixel icons that fill its width
    (reflowed on resize, not draggable)."""
    grid = QListWidget()
    grid.setViewMode(QListView.ViewMode.IconMode)
    grid.setIconSize(QSize(icon_side, icon_side))
    grid.setResizeMode(QListView.ResizeMode.Adjust)
    grid.setMovement(QListView.Movement.Static)
    grid.setSpacing(4)
    return grid

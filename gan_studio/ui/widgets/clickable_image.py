"""A pyqtgraph image item that reports left clicks in image pixels."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt


class ClickableImage(pg.ImageItem):
    """An `ImageItem` (row-major) that reports left clicks in image pixel coordinates.

    Args:
        on_click: called with (row, column) as floats, in the image's pixels.
    """

    def __init__(self, on_click):
        super().__init__(axisOrder="row-major")
        self._on_click = on_click

    def mouseClickEvent(self, ev):  # noqa: N802 - Qt's name
        if ev.button() == Qt.MouseButton.LeftButton:
            ev.accept()
            pos = ev.pos()
            self._on_click(pos.y(), pos.x())
        else:
            super().mouseClickEvent(ev)

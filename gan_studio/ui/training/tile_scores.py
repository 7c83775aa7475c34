"""The discriminator's score of each sample-grid tile, drawn over the tile's corner."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QColor, QFont

from gan_studio.ui.training.grid_frames import TileLayout

FAKE_COLOR = QColor(192, 57, 43, 200)  # D is sure the tile is generated ...
REAL_COLOR = QColor(39, 130, 96, 200)  # ... or that it is real; scores in between blend
FONT_POINTS = 7


def score_color(score: float) -> QColor:
    """The label's background for a score in [0, 1]: red for "fake", green for "real"."""
    t = float(np.clip(score, 0.0, 1.0))
    mix = [round(a + (b - a) * t) for a, b in zip(FAKE_COLOR.getRgb(), REAL_COLOR.getRgb())]
    return QColor(*mix)


class TileScores:
    """Labels that show D(x) per tile in a pyqtgraph ViewBox, in grid pixel coordinates.

    The labels are created once per tile count and updated in place. Their text keeps its
    screen size whatever the zoom (pyqtgraph's TextItem ignores the view's scaling).

    Args:
        box: the ViewBox the grid image lives in.
    """

    def __init__(self, box: pg.ViewBox):
        self._box = box
        self._labels: list[pg.TextItem] = []
        self._font = QFont()
        self._font.setPointSize(FONT_POINTS)

    @property
    def texts(self) -> list[str]:
        """The visible labels' texts, in tile order (for tests and the caption)."""
        return [label.textItem.toPlainText() for label in self._labels if label.isVisible()]

    def show(self, scores: np.ndarray | None, layout: TileLayout | None) -> None:
        """Shows `scores` (N,) on the tiles of `layout`; hides every label when either is None
        or they disagree on the tile count."""
        if scores is None or layout is None or len(scores) != layout.count:
            self.hide()
            return
        while len(self._labels) < len(scores):
            label = pg.TextItem(anchor=(0, 0), color="w")
            label.setFont(self._font)
            label.setZValue(10)
            self._box.addItem(label)
            self._labels.append(label)
        for i, label in enumerate(self._labels):
            if i >= len(scores):
                label.setVisible(False)
                continue
            x, y, _w, _h = layout.tile_rect(i)
            label.setText(f"{scores[i]:.2f}")
            label.fill = pg.mkBrush(score_color(scores[i]))
            label.setPos(x, y)
            label.setVisible(True)
            label.update()

    def hide(self) -> None:
        """Hides every label."""
        for label in self._labels:
            label.setVisible(False)

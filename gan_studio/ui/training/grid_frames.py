"""The sample grids a view keeps, and where the tiles lie in them."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass
class GridFrame:
    """One grid seen during training.

    Args:
        step: global step of the grid (None if unknown, e.g. read from an epoch PNG).
        epoch: zero-based epoch.
        image: uint8 (H, W) or (H, W, 3).
    """

    step: int | None
    epoch: int
    image: np.ndarray


@dataclass
class TileLayout:
    """Where the tiles lie in a grid image.

    Args:
        count: number of tiles.
        columns: tiles per row.
        tile_shape: (h, w) of one tile.
        padding: pixels between tiles.
    """

    count: int
    columns: int
    tile_shape: tuple[int, int]
    padding: int = 0

    @classmethod
    def from_grid(cls, image_shape: tuple, tiles_shape: tuple) -> TileLayout:
        """Infers the layout of a grid image made by `tile_grid` from its tiles' shape."""
        count, h, w = tiles_shape[:3]
        columns = math.ceil(math.sqrt(count))
        padding = (image_shape[1] - columns * w) // (columns - 1) if columns > 1 else 0
        return cls(count, columns, (h, w), max(0, padding))

    @classmethod
    def square(cls, image_shape: tuple, side: int) -> TileLayout:
        """The layout of a `side` x `side` grid without padding (a saved grid PNG)."""
        return cls(side * side, side, (image_shape[0] // side, image_shape[1] // side), 0)

    def tile_rect(self, index: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of tile `index` in grid pixels."""
        row, col = divmod(index, self.columns)
        h, w = self.tile_shape
        return col * (w + self.padding), row * (h + self.padding), w, h

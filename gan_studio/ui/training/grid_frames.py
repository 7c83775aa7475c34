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
        scores: D's probability per tile that it is real, float32 (N,), where known (grids
            drawn by training in this session; not grids read back from PNGs).
    """

    step: int | None
    epoch: int
    image: np.ndarray
    scores: np.ndarray | None = None


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
    def from_grid(cls, image_shape: tuple, tiles_shape: tuple,
                  columns: int | None = None) -> TileLayout:
        """Infers the layout of a grid image made by `tile_grid` from its tiles' shape.

        Args:
            image_shape: shape of the grid image.
            tiles_shape: shape of its tiles (N, h, w[, C]).
            columns: tiles per row, when known (a conditional run's grid has a row per
                class, not a square). None: as many as fit the image's width without
                padding, else the smallest square that holds the tiles.
        """
        count, h, w = tiles_shape[:3]
        if columns is None:
            across, down = image_shape[1] // w, image_shape[0] // h
            unpadded = image_shape[1] % w == 0 and image_shape[0] % h == 0
            fits = unpadded and across * down >= count > (down - 1) * across
            columns = across if fits else math.ceil(math.sqrt(count))
        padding = (image_shape[1] - columns * w) // (columns - 1) if columns > 1 else 0
        return cls(count, columns, (h, w), max(0, padding))

    @classmethod
    def square(cls, image_shape: tuple, side: int) -> TileLayout:
        """The layout of a `side` x `side` grid without padding (a saved grid PNG)."""
        return cls.rows_columns(image_shape, side, side)

    @classmethod
    def rows_columns(cls, image_shape: tuple, rows: int, columns: int) -> TileLayout:
        """The layout of a full `rows` x `columns` grid without padding (a saved grid PNG)."""
        return cls(rows * columns, columns, (image_shape[0] // rows, image_shape[1] // columns))

    def tile_rect(self, index: int) -> tuple[int, int, int, int]:
        """(x, y, w, h) of tile `index` in grid pixels."""
        row, col = divmod(index, self.columns)
        h, w = self.tile_shape
        return col * (w + self.padding), row * (h + self.padding), w, h

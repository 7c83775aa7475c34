"""The sample grids a view keeps, and where the tiles lie in them."""

from __future__ import annotations

import functools
import math
import os
from dataclasses import dataclass

import numpy as np

from gan_studio.core.grid import drop_channel_axis

READ_CACHE = 8  # grids read from files kept decoded: scrubbing back and forth reads no file


class GridFrame:
    """One grid seen during training, held in memory, or in its file and read when shown.

    Args:
        step: global step of the grid (None if unknown, e.g. an epoch's PNG of a run
            without metrics).
        epoch: zero-based epoch.
        image: uint8 (H, W) or (H, W, 3); None: read from `path` when asked for.
        scores: D's probability per tile that it is real, float32 (N,), where known (grids
            drawn by training in this session; not grids read back from PNGs).
        path: the PNG the image is read from when `image` is None.
    """

    __slots__ = ("step", "epoch", "scores", "path", "_image")

    def __init__(self, step: int | None, epoch: int, image: np.ndarray | None = None,
                 scores: np.ndarray | None = None, path: str | None = None):
        self.step, self.epoch, self.scores, self.path = step, epoch, scores, path
        self._image = image

    @property
    def image(self) -> np.ndarray | None:
        """The pixels, uint8 (H, W) or (H, W, 3); None for a file that cannot be read."""
        if self._image is not None or self.path is None:
            return self._image
        try:
            stamp = os.stat(self.path).st_mtime_ns  # a grid rewritten since is read again
        except OSError:
            return None
        return _read_grid(self.path, stamp)

    @property
    def nbytes(self) -> int:
        """The memory the frame holds (0 for one read from its file when shown)."""
        return 0 if self._image is None else self._image.nbytes


@functools.lru_cache(maxsize=READ_CACHE)
def _read_grid(path: str, _stamp: int) -> np.ndarray | None:
    from gan_studio.core.images import load_image

    try:
        return np.ascontiguousarray(drop_channel_axis(load_image(path)))
    except (OSError, ValueError):  # half-written or damaged: the frame shows nothing
        return None


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

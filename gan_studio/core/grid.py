"""Image grids and conversions between the generator's [-1, 1] floats and uint8 pixels."""

from __future__ import annotations

import math

import numpy as np


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Maps generator output in [-1, 1] to uint8 pixels in [0, 255], rounding to nearest.

    Args:
        images: float array of any shape.

    Returns:
        A uint8 array of the same shape.
    """
    images = np.nan_to_num(np.asarray(images, dtype=np.float32), nan=0.0)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def drop_channel_axis(pixels: np.ndarray, batch: bool = False) -> np.ndarray:
    """Drops a single channel axis: gray pixels come back (H, W), colour ones unchanged.

    Pillow, Qt and pyqtgraph take gray images without a channel axis; the generator and the
    data pipeline keep one.

    Args:
        pixels: one image (H, W[, C]), or a batch (N, H, W[, C]) when `batch`.
        batch: whether `pixels` is a batch.

    Returns:
        A view of `pixels` without its channel axis when that axis has size 1, else `pixels`.
    """
    pixels = np.asarray(pixels)
    if pixels.ndim == (4 if batch else 3) and pixels.shape[-1] == 1:
        return pixels[..., 0]
    return pixels


def tile_grid(tiles: np.ndarray, columns: int | None = None, padding: int = 0,
              pad_value: int = 0) -> np.ndarray:
    """Arranges images in a grid.

    Args:
        tiles: array (N, h, w) or (N, h, w, C).
        columns: tiles per row; default: the smallest square that holds N.
        padding: pixels between tiles.
        pad_value: value of the padding pixels.

    Returns:
        An array (H, W, C) of the tiles' dtype; empty cells are `pad_value`.

    Raises:
        ValueError: if `tiles` is not 3- or 4-dimensional or empty.
    """
    tiles = np.asarray(tiles)
    if tiles.ndim == 3:
        tiles = tiles[..., None]
    if tiles.ndim != 4 or len(tiles) == 0:
        raise ValueError(f"expected a non-empty (N, h, w[, C]) array, got shape {tiles.shape}")
    n, h, w, c = tiles.shape
    columns = columns or math.ceil(math.sqrt(n))
    rows = math.ceil(n / columns)
    height = rows * h + (rows - 1) * padding
    width = columns * w + (columns - 1) * padding
    grid = np.full((height, width, c), pad_value, dtype=tiles.dtype)
    for i, tile in enumerate(tiles):
        r, col = divmod(i, columns)
        y, x = r * (h + padding), col * (w + padding)
        grid[y:y + h, x:x + w] = tile
    return grid


def tile_at(grid_shape: tuple[int, int], tile_shape: tuple[int, int], columns: int,
            count: int, y: float, x: float, padding: int = 0) -> int | None:
    """Returns the index of the tile under pixel (y, x) of a grid, or None.

    Args:
        grid_shape: (H, W) of the grid.
        tile_shape: (h, w) of one tile.
        columns: tiles per row.
        count: number of tiles in the grid.
        y: row coordinate in grid pixels.
        x: column coordinate in grid pixels.
        padding: pixels between tiles.
    """
    h, w = tile_shape
    if not (0 <= y < grid_shape[0] and 0 <= x < grid_shape[1]):
        return None
    row, ry = divmod(int(y), h + padding)
    col, rx = divmod(int(x), w + padding)
    if ry >= h or rx >= w or col >= columns:
        return None
    index = row * columns + col
    return index if index < count else None


def upscale_nearest(image: np.ndarray, factor: int) -> np.ndarray:
    """Upscales an (H, W[, C]) image by an integer factor with nearest-neighbour sampling.

    Raises:
        ValueError: if factor < 1.
    """
    if factor < 1:
        raise ValueError(f"scale factor must be >= 1, got {factor}")
    return np.repeat(np.repeat(image, factor, axis=0), factor, axis=1)

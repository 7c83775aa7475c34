"""A contact sheet of nearest training images: one row per query, the query first, then its
nearest training images, each captioned with its training index and distance (Pillow).

Every cell is a tile (the image upscaled by a whole factor, pixel-exact) over a `CAPTION`-high
caption; cells are `GAP` apart, and a wider `SPLIT` parts the query from its neighbours, so
the sheet of `n` rows of `k` neighbours at tile side `t` is exactly
`2 * PAD + (k + 1) * t + k * GAP + SPLIT` wide and `2 * PAD + n * (t + CAPTION) + (n - 1) * GAP`
high (`sheet_size`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from gan_studio.core.grid import upscale_nearest

PAD = 8  # around the sheet
GAP = 6  # between cells
SPLIT = 14  # between the query and its neighbours, beyond GAP
CAPTION = 30  # two lines of text under each tile
TILE_TARGET = 84  # the tile side the upscaling aims at, in pixels
BACKGROUND, TEXT, QUERY_TEXT, COPY_TEXT = (255, 255, 255), (40, 40, 40), (20, 70, 160), (190, 20, 20)


@dataclass(frozen=True)
class SheetRow:
    """One query and its nearest training images.

    Args:
        query: uint8 (H, W, C) or (H, W): the image looked up.
        label: what the query is (a file name, `sample 3`), under it.
        neighbours: uint8 (k, H, W, C): its nearest training images, nearest first.
        indices: (k,) their indices in the training set.
        distances: (k,) their distances to the query.
    """

    query: np.ndarray
    label: str
    neighbours: np.ndarray
    indices: np.ndarray
    distances: np.ndarray


def tile_scale(side: int) -> int:
    """The whole factor that brings an image of `side` pixels near `TILE_TARGET` (1 or more)."""
    return max(1, round(TILE_TARGET / max(1, side)))


def sheet_size(rows: int, k: int, tile: int) -> tuple[int, int]:
    """(width, height) in pixels of a sheet of `rows` rows of `k` neighbours, tiles `tile` wide."""
    width = 2 * PAD + (k + 1) * tile + k * GAP + SPLIT
    height = 2 * PAD + rows * (tile + CAPTION) + (rows - 1) * GAP
    return width, height


def _font():
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=11)
    except (TypeError, OSError):  # Pillow before 10.1, or without FreeType: the bitmap font
        return ImageFont.load_default()


def _rgb(image: np.ndarray) -> np.ndarray:
    image = np.asarray(image, dtype=np.uint8)
    if image.ndim == 2:
        image = image[..., None]
    return np.repeat(image, 3, axis=2) if image.shape[2] == 1 else image[..., :3]


def _fit(draw, font, text: str, width: int) -> str:
    """`text`, cut with an ellipsis where it is wider than `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


def draw_sheet(rows: list[SheetRow], scale: int | None = None,
               threshold: float | None = None) -> np.ndarray:
    """Draws the contact sheet.

    Args:
        rows: the queries with their neighbours (each with the same number of neighbours).
        scale: the whole upscaling factor of every image (default: `tile_scale`).
        threshold: in feature space, the copy rate's threshold: a distance under it is drawn in
            red and marked `copy?` (None: no mark).

    Returns:
        uint8 (height, width, 3), of `sheet_size(len(rows), k, side * scale)`.

    Raises:
        ValueError: without rows, or with rows of different numbers of neighbours.
    """
    from PIL import Image, ImageDraw

    if not rows:
        raise ValueError("a contact sheet needs at least one query")
    k = len(rows[0].neighbours)
    if any(len(row.neighbours) != k for row in rows):
        raise ValueError("every query of a contact sheet needs the same number of neighbours")
    side = max(np.asarray(rows[0].query).shape[:2])
    scale = scale or tile_scale(side)
    tile = side * scale
    sheet = Image.new("RGB", sheet_size(len(rows), k, tile), BACKGROUND)
    draw, font = ImageDraw.Draw(sheet), _font()
    for r, row in enumerate(rows):
        top = PAD + r * (tile + CAPTION + GAP)
        cells = [(row.query, QUERY_TEXT, "query", row.label)]
        for i, d in zip(row.indices, row.distances):
            copy = threshold is not None and float(d) < threshold
            cells.append((None, COPY_TEXT if copy else TEXT, f"#{int(i):,}",
                          f"d {float(d):.3f}" + (" copy?" if copy else "")))
        for c, (image, colour, first, second) in enumerate(cells):
            left = PAD + c * (tile + GAP) + (SPLIT if c else 0)
            pixels = _rgb(image if c == 0 else row.neighbours[c - 1])
            sheet.paste(Image.fromarray(np.ascontiguousarray(upscale_nearest(pixels, scale))),
                        (left, top))
            for line, text in enumerate((first, second)):
                draw.text((left, top + tile + 2 + 13 * line), _fit(draw, font, text, tile),
                          fill=colour, font=font)
    return np.asarray(sheet)


def save_sheet(path: str | os.PathLike, rows: list[SheetRow], scale: int | None = None,
               threshold: float | None = None) -> tuple[int, int]:
    """Draws the contact sheet (`draw_sheet`) and writes it atomically (PNG, or JPEG by the
    extension); returns its (width, height).

    Raises:
        ValueError: as `draw_sheet`.
        OSError: if the file cannot be written (an atomic write names its temporary file:
            callers name `path`).
    """
    from gan_studio.core.images import save_image

    sheet = draw_sheet(rows, scale, threshold)
    save_image(path, sheet, quality=95)
    return sheet.shape[1], sheet.shape[0]

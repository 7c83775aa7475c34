"""Checkerboard artefacts, measured from the samples' power spectrum.

A transposed convolution whose kernel is not a multiple of its stride (the seed's 5×5 at
stride 2) paints some output pixels from more kernel taps than their neighbours (Odena et al.
2016): a pattern of period 2 from the last layer, 4 from the one before, the same in every
sample. In the spectrum that is a peak at the Nyquist frequency (half the pixel rate) or half
of it, on either axis or both, where a natural image's spectrum falls off smoothly. Each tile's
power spectrum is measured at those peaks against the median of the bins around them; the
tiles' spectra are averaged first for the verdict, which keeps the artefact (it is in every
tile) and averages away the images' own texture.

Example:

```python
result = checkerboard_score(grid, rows=8, columns=8)
result.flagged, result.score  # True, 16 for a faint planted pattern; False, 1 to 2 for digits
```
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Peak power over its neighbourhood's median, in the tiles' mean spectrum, that flags the
# grid. Calibrated (README, "Training doctor"): grids of 64 real MNIST digits score 1.1 to 2.1
# and the last grids of four trained MNIST runs 1.0 to 1.5; young runs (4×4 kernels, a few
# hundred steps) 2.0 and 2.2, and 9.3, 33 and 63 where the pattern is plain to see; untrained
# generators 175 and more; a ±2-grey-level (of 255) period-2 checkerboard planted over real
# digits scores 7.9.
CHECKERBOARD_RATIO = 6.0
NEIGHBOURHOOD = 3  # bins on each side of a peak that make its neighbourhood
MIN_TILE = 8  # a tile smaller than this has too few bins to tell a peak from its neighbours


@dataclass(frozen=True)
class CheckerboardScore:
    """How strongly the samples show a checkerboard.

    Args:
        score: the strongest peak's power over its neighbourhood's median, in the tiles' mean
            spectrum (about 1 for natural images).
        peak: that peak's frequency as (vertical, horizontal) cycles per tile.
        tile_scores: the same ratio in each tile's own spectrum.
        flagged: whether `score` reaches `CHECKERBOARD_RATIO`.
    """

    score: float
    peak: tuple[int, int]
    tile_scores: tuple[float, ...]
    flagged: bool

    @property
    def flagged_share(self) -> float:
        """The share of tiles that reach the threshold on their own."""
        scores = self.tile_scores
        return sum(s >= CHECKERBOARD_RATIO for s in scores) / len(scores) if scores else 0.0


def split_grid(grid: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Cuts a sample grid (no padding, as the trainer saves it) into its tiles.

    Args:
        grid: (H, W) or (H, W, C) pixels.
        rows: tiles per column.
        columns: tiles per row.

    Returns:
        (rows × columns, H / rows, W / columns[, C]) tiles.

    Raises:
        ValueError: if the grid does not divide into that many equal tiles.
    """
    grid = np.asarray(grid)
    height, width = grid.shape[:2]
    if rows < 1 or columns < 1 or height % rows or width % columns:
        raise ValueError(f"a {width}×{height} grid does not hold {rows}×{columns} equal tiles")
    h, w = height // rows, width // columns
    tiles = grid.reshape(rows, h, columns, w, *grid.shape[2:]).swapaxes(1, 2)
    return tiles.reshape(rows * columns, h, w, *grid.shape[2:])


def checkerboard_score(images: np.ndarray, rows: int | None = None,
                       columns: int | None = None) -> CheckerboardScore:
    """Scores images, or a grid of them, for checkerboard artefacts.

    Args:
        images: uint8 (or float) images (N, H, W[, C]), or one grid (H, W[, C]) with `rows`
            and `columns`.
        rows: the grid's tiles per column (a grid only).
        columns: its tiles per row.

    Returns:
        A `CheckerboardScore`.

    Raises:
        ValueError: if the tiles are smaller than `MIN_TILE` pixels or the grid does not
            divide into its tiles.
    """
    tiles = np.asarray(images, dtype=np.float64)
    if rows is not None or columns is not None:
        tiles = split_grid(tiles, rows or 1, columns or 1)
    if tiles.ndim == 4:
        tiles = tiles.mean(axis=-1)  # the pattern is in every channel: grey keeps it
    if tiles.ndim != 3 or min(tiles.shape[1:]) < MIN_TILE:
        raise ValueError(f"checkerboard_score needs images of {MIN_TILE}×{MIN_TILE} pixels or "
                         f"more, got shape {np.shape(images)}")
    tiles = tiles - tiles.mean(axis=(1, 2), keepdims=True)
    power = np.abs(np.fft.fft2(tiles)) ** 2
    peaks = _peaks(*tiles.shape[1:])
    score, peak = _strongest(power.mean(axis=0), peaks)
    tile_scores = tuple(_strongest(p, peaks)[0] for p in power)
    return CheckerboardScore(score, peak, tile_scores, score >= CHECKERBOARD_RATIO)


def _peaks(height: int, width: int) -> list[tuple[int, int]]:
    """The frequencies a checkerboard puts power at: 0, a quarter and half the sampling rate
    on each axis, but for (0, 0), which is the mean."""
    ys = sorted({0, round(height / 4), height // 2})
    xs = sorted({0, round(width / 4), width // 2})
    return [(y, x) for y in ys for x in xs if (y, x) != (0, 0)]


def _strongest(power: np.ndarray, peaks: list[tuple[int, int]]) -> tuple[float, tuple[int, int]]:
    """The highest peak-over-neighbourhood ratio among `peaks`, and where."""
    height, width = power.shape
    floor = 1e-9 * power.sum() + 1e-12  # a flat tile has no power anywhere: no peak either
    best, where = 0.0, peaks[0]
    for y, x in peaks:
        around = [power[b] for b in _neighbourhood(y, x, height, width)
                  if not _is_peak(*b, peaks, height, width)]
        ratio = float(power[y, x] / (np.median(around) + floor))
        if ratio > best:
            best, where = ratio, (y, x)
    return best, where


def _neighbourhood(y: int, x: int, height: int, width: int) -> list[tuple[int, int]]:
    """The bins a peak is compared with. A tile's edges do not wrap around smoothly, which
    puts power all along the axes (y = 0 or x = 0) of any image's spectrum: a peak on an
    axis is compared with the bins beside it on that axis, one off the axes with the bins
    around it that are off the axes too."""
    offsets = [d for d in range(-NEIGHBOURHOOD, NEIGHBOURHOOD + 1) if d]
    if y == 0:
        return [(0, (x + d) % width) for d in offsets]
    if x == 0:
        return [((y + d) % height, 0) for d in offsets]
    around = [((y + dy) % height, (x + dx) % width) for dy in [0, *offsets]
              for dx in [0, *offsets]]
    return [(by, bx) for by, bx in around if by and bx and (by, bx) != (y, x)]


def _is_peak(y: int, x: int, peaks, height: int, width: int) -> bool:
    """Whether bin (y, x) is one of the peaks or their mirror image (a real image's spectrum
    is symmetric), or the mean: none of them is a peak's neighbourhood."""
    mirror = ((-y) % height, (-x) % width)
    return (y, x) == (0, 0) or (y, x) in peaks or mirror in peaks

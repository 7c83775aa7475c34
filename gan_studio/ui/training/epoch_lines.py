"""The loss plot's epoch boundaries: dashed lines, thinned to every k-th epoch when close."""

from __future__ import annotations

import itertools

import numpy as np
import pyqtgraph as pg

# The closest two epoch lines are drawn, in pixels. On a small data set an epoch is a few steps
# (9 on a folder of 300 images): a line at each one hid the curves behind a hatching.
EPOCH_LINE_PIXELS = 16


def epoch_stride(steps: np.ndarray, epochs: np.ndarray, pixels_per_step: float,
                 min_pixels: float = EPOCH_LINE_PIXELS) -> int:
    """Every how many epochs a line is drawn: the first of 1, 2, 5, 10, 20, 50, ... that puts
    the lines kept at least `min_pixels` apart.

    Lines are kept by epoch number (those divisible by the stride), not by their position in the
    list, so that zooming keeps the same lines: those after 10, 20, 30 epochs, say.

    Args:
        steps: the step of each boundary, ascending.
        epochs: the zero-based epoch that begins there (the number of epochs done).
        pixels_per_step: the plot's current scale (0 or less: not laid out yet, keep them all).
        min_pixels: the smallest gap allowed between two lines drawn.

    Returns:
        The stride, 1 or more.
    """
    if len(steps) < 2 or not pixels_per_step > 0:
        return 1
    last = int(np.max(epochs))
    for stride in _ladder():
        kept = steps[epochs % stride == 0]
        if len(kept) < 2 or np.min(np.diff(kept)) * pixels_per_step >= min_pixels:
            break
        if stride > last:  # only epoch 0 is left (a malformed history): larger changes nothing
            break
    return stride


def _ladder():
    """1, 2, 5, 10, 20, 50, 100, ..."""
    for power in itertools.count():
        for digit in (1, 2, 5):
            yield digit * 10 ** power


class EpochLines(pg.PlotCurveItem):
    """Vertical lines across one plot at the steps where epochs began, at most one every
    `EPOCH_LINE_PIXELS` pixels: every k-th epoch's line, k chosen by `epoch_stride` again
    whenever the plot's range or size changes (zoom, a growing run, a resized window).

    One curve of line pairs, updated in place; it never stretches the plot's autorange.

    Args:
        plot: the `PlotItem` to draw in.
        pen: the lines' pen.
    """

    def __init__(self, plot: pg.PlotItem, pen):
        super().__init__(pen=pen, connect="pairs")
        self._view = plot.getViewBox()
        self._steps = np.empty(0)
        self._epochs = np.empty(0, dtype=np.int64)
        self.drawn = np.empty(0)  # the steps of the lines now drawn
        self.setZValue(-10)
        plot.addItem(self, ignoreBounds=True)
        self._view.sigRangeChanged.connect(self.refresh)
        self._view.sigResized.connect(self.refresh)

    def set_boundaries(self, steps, epochs) -> None:
        """Replaces the boundaries: the step of each and the zero-based epoch it begins."""
        self._steps = np.asarray(steps, dtype=np.float64)
        self._epochs = np.asarray(epochs, dtype=np.int64)
        self.refresh()

    def refresh(self, *_args) -> None:
        """Picks the lines to draw for the current range and size, and redraws them."""
        (x0, x1), (y0, y1) = self._view.viewRange()
        pixels_per_step = self._view.width() / (x1 - x0) if x1 > x0 else 0.0
        stride = epoch_stride(self._steps, self._epochs, pixels_per_step)
        self.drawn = self._steps[self._epochs % stride == 0]
        self.setData(np.repeat(self.drawn, 2), np.tile([y0, y1], len(self.drawn)))

"""Grid lines at a plot's major ticks, drawn as one line-pair curve."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg


class TickGrid(pg.PlotCurveItem):
    """Grid lines at the major ticks of a plot's left and bottom axes.

    pyqtgraph's own grid (`PlotItem.showGrid`) is replayed from the axes' recorded pictures on
    every repaint, which measured 4 ms per axis per paint here, half the cost of a live loss
    plot (tests/benchmarks/RESULTS.md, figure 2). As one curve of line pairs it costs nothing
    measurable; it follows the view range and the plot's size.

    Args:
        plot: the `PlotItem` to draw the grid in.
        pen: the grid lines' pen (cosmetic, 1 px).
    """

    def __init__(self, plot: pg.PlotItem, pen):
        super().__init__(pen=pen, connect="pairs")
        self._plot = plot
        self.setZValue(-20)
        plot.addItem(self, ignoreBounds=True)  # the grid never stretches the autorange
        view = plot.getViewBox()
        view.sigRangeChanged.connect(self.refresh)
        view.sigResized.connect(self.refresh)
        self.refresh()

    def refresh(self, *_args) -> None:
        """Recomputes the lines for the current view range and size."""
        view = self._plot.getViewBox()
        (x0, x1), (y0, y1) = view.viewRange()
        size = view.size()
        xs_at = _major_ticks(self._plot.getAxis("bottom"), x0, x1, size.width())
        ys_at = _major_ticks(self._plot.getAxis("left"), y0, y1, size.height())
        xs = np.concatenate([np.repeat(xs_at, 2), np.tile([x0, x1], len(ys_at))])
        ys = np.concatenate([np.tile([y0, y1], len(xs_at)), np.repeat(ys_at, 2)])
        self.setData(xs, ys)


def _major_ticks(axis: pg.AxisItem, low: float, high: float, pixels: float) -> np.ndarray:
    """Returns the positions where `axis` puts its major ticks for the range [low, high]."""
    if not (np.isfinite(low) and np.isfinite(high)) or high <= low or pixels <= 0:
        return np.empty(0)
    levels = axis.tickValues(low, high, pixels)
    return np.asarray(levels[0][1], dtype=np.float64) if levels else np.empty(0)

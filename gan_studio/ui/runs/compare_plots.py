"""The compared runs' curves overlaid: losses, D's outputs and a quality number, one colour a
run, on the axis the comparison lines them up by."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gan_studio.core.runs.comparison import MAX_COMPARED, PALETTE, Comparison
from gan_studio.core.runs.run_axes import AXIS_TITLES

QUALITY_TITLES = {"fd": "FD (lower is better)", "score": "classifier score",
                  "diversity": "diversity", "copy_rate": "copy rate"}


class _RunItems:
    """One run's plot items (a slot of the palette), created once and fed with setData."""

    def __init__(self, plots: ComparePlots, colour: str):
        solid = pg.mkPen(colour, width=2)
        dashed = pg.mkPen(colour, width=1.5, style=Qt.PenStyle.DashLine)
        self.g = plots.loss_plot.plot(pen=solid)
        self.d = plots.loss_plot.plot(pen=dashed)
        self.real = plots.output_plot.plot(pen=solid)
        self.fake = plots.output_plot.plot(pen=dashed)
        self.quality = plots.quality_plot.plot(pen=pg.mkPen(colour, width=1.5), symbol="o",
                                               symbolSize=6, symbolBrush=colour,
                                               symbolPen=colour, connect="finite")
        self.all = (self.g, self.d, self.real, self.fake, self.quality)

    def clear(self) -> None:
        for item in self.all:
            item.setData([], [])


LEGEND_CHARS = 72  # about the curves' width at half a laptop's screen


class ComparePlots(QWidget):
    """Three linked plots of the compared runs: G's loss (solid) and D's (dashed), D(x) (solid)
    and D(G(z)) (dashed), and one quality number at the runs' reports, with a legend naming
    each run by its differing levers and a vertical line at the grid slider's point.

    Args:
        parent: the parent widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        text = self.palette().color(QPalette.ColorRole.Text)
        self._view = pg.GraphicsLayoutWidget()
        self._view.setBackground(self.palette().color(QPalette.ColorRole.Base))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        # The legend has a row of its own above the plots: inside one it hid the curves.
        self.legend = pg.LegendItem(labelTextColor=text)
        self._view.addItem(self.legend, row=0, col=0)
        for row, stretch in enumerate((0, 3, 2, 2)):
            self._view.ci.layout.setRowStretchFactor(row, stretch)
        self.loss_plot = self._view.addPlot(row=1, col=0, title="loss: G solid, D dashed")
        self.output_plot = self._view.addPlot(row=2, col=0,
                                              title="mean D output: D(x) solid, D(G(z)) dashed")
        self.quality_plot = self._view.addPlot(row=3, col=0)
        grid = QColor(text)
        grid.setAlphaF(0.15)
        for plot in (self.loss_plot, self.output_plot, self.quality_plot):
            plot.setMenuEnabled(False)
            plot.setClipToView(True)
            plot.showGrid(x=True, y=True, alpha=0.15)
            for side in ("left", "bottom"):
                plot.getAxis(side).setTextPen(text)
                plot.getAxis(side).setPen(text)
            if plot is not self.loss_plot:
                plot.setXLink(self.loss_plot)
        self.output_plot.setYRange(0, 1, padding=0.02)
        self._slots = [_RunItems(self, colour) for colour in PALETTE[:MAX_COMPARED]]
        self._markers = []
        for plot in (self.loss_plot, self.output_plot, self.quality_plot):
            line = pg.InfiniteLine(angle=90, movable=False,
                                   pen=pg.mkPen(text, width=1, style=Qt.PenStyle.DotLine))
            line.setVisible(False)
            plot.addItem(line, ignoreBounds=True)
            self._markers.append(line)
        self._labels: list[str] = []

    @property
    def slots(self) -> list[_RunItems]:
        """Each run's items, in the comparison's order (unused slots hold no data)."""
        return self._slots

    def legend_labels(self) -> list[str]:
        """The legend's entries, one a run."""
        return [label.text for _, label in self.legend.items]

    def show_comparison(self, comparison: Comparison, axis: str, quality: str) -> None:
        """Draws `comparison`'s runs on `axis`, the quality number `quality` below.

        Args:
            comparison: the runs.
            axis: `step`, `images` or `time`.
            quality: a field of `comparison.QUALITY_FIELDS`.
        """
        curves = comparison.curves(axis)
        points = comparison.quality_points(axis, quality)
        for i, items in enumerate(self._slots):
            if i >= len(curves):
                items.clear()
                continue
            x, y = curves[i].x, curves[i].y
            for item, name in ((items.g, "g_loss"), (items.d, "d_loss"), (items.real, "d_real"),
                               (items.fake, "d_fake")):
                item.setData(x, y[name], connect="finite")
            items.quality.setData(*points[i])
        self._set_legend(comparison.labels)
        self.output_plot.setLabel("bottom", AXIS_TITLES[axis])
        self.quality_plot.setLabel("bottom", AXIS_TITLES[axis])
        self.quality_plot.setLabel("left", QUALITY_TITLES.get(quality, quality))
        self.loss_plot.enableAutoRange()
        self.quality_plot.enableAutoRange(axis="y")

    def _set_legend(self, labels: list[str]) -> None:
        if labels == self._labels:
            return
        self._labels = list(labels)
        self.legend.clear()
        # The legend sets the plots' width: long labels (runs of different data sets differ
        # in a dozen levers) go one a line, cut; the grids' titles and the table keep them whole.
        shown = [label if len(label) <= LEGEND_CHARS else label[:LEGEND_CHARS - 1] + "…"
                 for label in labels]
        longest = max((len(label) for label in shown), default=0)
        self.legend.setColumnCount(max(1, min(3, len(shown), LEGEND_CHARS // max(1, longest))))
        for items, label in zip(self._slots, shown):
            self.legend.addItem(items.g, label)

    def set_marker(self, position: float | None) -> None:
        """Moves the vertical line to `position` on the axis (None: hides it)."""
        shown = position is not None and bool(np.isfinite(position))
        for line in self._markers:
            line.setVisible(shown)
            if shown:
                line.setValue(float(position))

"""Live loss curves (G and D, raw and smoothed) and mean discriminator outputs."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gan_studio.core.runs.run_model import SAVED, RunModel
from gan_studio.core.training.progress import Progress
from gan_studio.ui.training.epoch_lines import EpochLines
from gan_studio.ui.widgets.tick_grid import TickGrid

G_COLOR = "#f28e2b"
D_COLOR = "#4e79a7"
REAL_COLOR = "#59a14f"
FAKE_COLOR = "#e15759"
# At most 2 redraws a second, however fast points arrive: on a 2-core CPU a repaint pre-empts one
# of TensorFlow's two compute threads and stalls the other at the next barrier, so painting costs
# training about twice its own CPU time (tests/benchmarks/RESULTS.md, figure 2). Zooming and
# panning still repaint at once.
REDRAW_MS = 500
# Points drawn per horizontal pixel. Stroking the thick smoothed curves costs in proportion to
# their points, and they change little from one step to the next: one point every 2 pixels
# looks the same. Raw curves keep a min/max pair per pixel, so every spike stays visible.
SMOOTHED_POINTS_PER_PIXEL = 0.5
RAW_POINTS_PER_PIXEL = 1.0
SERIES = ("g_loss", "d_loss", "d_real", "d_fake")


class _GrowingBuffer:
    """A float64 array that doubles its capacity as values are appended (amortised O(1))."""

    def __init__(self, capacity: int = 1024):
        self._data = np.empty(capacity, dtype=np.float64)
        self.size = 0

    def extend(self, values: np.ndarray) -> None:
        values = np.asarray(values, dtype=np.float64).ravel()
        needed = self.size + len(values)
        if needed > len(self._data):
            grown = np.empty(max(needed, 2 * len(self._data)), dtype=np.float64)
            grown[:self.size] = self._data[:self.size]
            self._data = grown
        self._data[self.size:needed] = values
        self.size = needed

    def values(self) -> np.ndarray:
        return self._data[:self.size]

    def clear(self) -> None:
        self.size = 0


def exponential_moving_average(values: np.ndarray, smoothing: float,
                               start: float | None = None) -> np.ndarray:
    """Smooths `values` with an EMA: `s[i] = smoothing * s[i-1] + (1 - smoothing) * values[i]`.

    Args:
        values: 1-D array; non-finite values are skipped (they repeat the previous average).
        smoothing: weight of the past, in [0, 1).
        start: the average before `values[0]`; None starts at the first finite value.

    Returns:
        An array of the same length.
    """
    out = np.empty(len(values), dtype=np.float64)
    current = start
    for i, value in enumerate(np.asarray(values, dtype=np.float64)):
        if np.isfinite(value):
            current = value if current is None else smoothing * current + (1 - smoothing) * value
        out[i] = np.nan if current is None else current
    return out


class LossPlot(QWidget):
    """Two linked plots: G and D loss per step (raw thin, EMA thick, epoch boundaries dashed,
    thinned to every k-th epoch where they would crowd: `EpochLines`) above mean D(x) and D(G(z)).

    Data lives in growing numpy buffers; the curve items are created once and redrawn in place
    at most twice a second, with downsampling and clip-to-view so 100k steps stay smooth.

    Args:
        session: a `TrainingSession` whose `progress` signal feeds the plot (optional).
        run: the window's `RunModel`: a run opened from its folder shows its logged losses, and
            a different run starting clears them (optional).
        smoothing: EMA weight of the past for the thick curves.
        parent: the parent widget.
    """

    def __init__(self, session=None, run: RunModel | None = None, smoothing: float = 0.95,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self._run = run
        self._smoothing = smoothing
        self._steps = _GrowingBuffer()
        self._raw = {name: _GrowingBuffer() for name in SERIES}
        self._ema = {name: _GrowingBuffer() for name in SERIES}
        self._boundaries: list[float] = []
        self._boundary_epochs: list[int] = []  # the zero-based epoch each boundary begins
        self._last_epoch: int | None = None
        self._dirty = False
        self._build()
        self._timer = QTimer(self)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw)
        self._timer.start()
        if session is not None:
            session.progress.connect(self.add_progress)
        if run is not None:
            run.observe(self._on_run_changed)

    def _on_run_changed(self, what: frozenset) -> None:
        if SAVED not in what:
            return
        metrics = self._run.saved.metrics if self._run.saved is not None else {}
        if len(metrics.get("step", ())):
            self.set_history(metrics["step"], metrics["epoch"], metrics)
        else:
            self.clear()

    def _build(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        self._view = pg.GraphicsLayoutWidget()
        self._view.setBackground(palette.color(QPalette.ColorRole.Base))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._view)
        self.loss_plot = self._view.addPlot(row=0, col=0)
        self.output_plot = self._view.addPlot(row=1, col=0)
        self._view.ci.layout.setRowStretchFactor(0, 3)
        self._view.ci.layout.setRowStretchFactor(1, 2)
        self.output_plot.setXLink(self.loss_plot)
        self.output_plot.setYRange(0, 1, padding=0.02)
        self.output_plot.enableAutoRange(axis="y", enable=False)
        for plot, ylabel in ((self.loss_plot, "loss"), (self.output_plot, "mean D output")):
            plot.setClipToView(True)
            plot.setLabel("left", ylabel)
            plot.setMenuEnabled(False)
            for axis in ("left", "bottom"):
                plot.getAxis(axis).setTextPen(text)
                plot.getAxis(axis).setPen(text)
        self.output_plot.setLabel("bottom", "step")
        self.loss_plot.addLegend(offset=(-10, 10), labelTextColor=text)
        self.output_plot.addLegend(offset=(-10, 10), labelTextColor=text)
        grid_color = QColor(text)
        grid_color.setAlphaF(0.15)
        self._grids = [TickGrid(plot, pg.mkPen(grid_color, width=1))
                       for plot in (self.loss_plot, self.output_plot)]
        self._raw_curves = {}
        self._ema_curves = {}
        for name, plot, color, label in (
                ("g_loss", self.loss_plot, G_COLOR, "G"), ("d_loss", self.loss_plot, D_COLOR, "D"),
                ("d_real", self.output_plot, REAL_COLOR, "D(x)"),
                ("d_fake", self.output_plot, FAKE_COLOR, "D(G(z))")):
            faint = QColor(color)
            faint.setAlpha(80)
            self._raw_curves[name] = _downsampled(plot.plot(pen=pg.mkPen(faint, width=1)),
                                                  RAW_POINTS_PER_PIXEL, "peak")
            self._ema_curves[name] = _downsampled(
                plot.plot(pen=pg.mkPen(color, width=2.5), name=label),
                SMOOTHED_POINTS_PER_PIXEL, "subsample")
        marker_pen = pg.mkPen(text, width=1, style=pg.QtCore.Qt.PenStyle.DashLine)
        self._markers = {plot: EpochLines(plot, marker_pen)
                         for plot in (self.loss_plot, self.output_plot)}

    # ---- data -----------------------------------------------------------------------------
    @property
    def point_count(self) -> int:
        """Number of steps plotted."""
        return self._steps.size

    @property
    def epoch_boundaries(self) -> list[float]:
        """Steps at which a new epoch began."""
        return list(self._boundaries)

    def series(self, name: str, smoothed: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Returns (steps, values) of `g_loss`, `d_loss`, `d_real` or `d_fake` (copies)."""
        values = (self._ema if smoothed else self._raw)[name].values()
        return self._steps.values().copy(), values.copy()

    def add_progress(self, progress: Progress) -> None:
        """Appends the steps of a progress report (its per-step lists, else its means)."""
        first = progress.steps[0] if progress.steps else progress.step
        if self._steps.size and first <= self._steps.values()[-1]:
            self.truncate(first - 1)  # training went back to an earlier checkpoint
        if progress.steps:
            steps = np.asarray(progress.steps, dtype=np.float64)
            columns = {"g_loss": progress.g_losses, "d_loss": progress.d_losses,
                       "d_real": progress.d_reals, "d_fake": progress.d_fakes}
            columns = {k: _fit(v, len(steps)) for k, v in columns.items()}
        else:
            steps = np.asarray([progress.step], dtype=np.float64)
            columns = {name: np.asarray([getattr(progress, name)], dtype=np.float64)
                       for name in SERIES}
        self._add_boundaries(progress, steps)
        self._last_epoch = progress.epoch if self._last_epoch is None else max(
            self._last_epoch, progress.epoch)
        self._append(steps, columns)

    def set_history(self, steps: np.ndarray, epochs: np.ndarray, columns: dict) -> None:
        """Replaces the plot's data with a saved history (a run's metrics.csv).

        Args:
            steps: step of each row.
            epochs: zero-based epoch of each row.
            columns: `g_loss`, `d_loss`, `d_real`, `d_fake` arrays, same length (missing: NaN).
        """
        self.clear()
        steps = np.asarray(steps, dtype=np.float64)
        epochs = np.asarray(epochs)
        if len(epochs) == len(steps) and len(steps) > 1:
            changes = np.flatnonzero(np.diff(epochs) > 0) + 1
            self._boundaries = [float(steps[i - 1]) for i in changes]
            self._boundary_epochs = [int(epochs[i]) for i in changes]
            self._last_epoch = int(epochs[-1])
        self._append(steps, {name: _fit(columns.get(name, []), len(steps)) for name in SERIES})

    def truncate(self, last_step: float) -> None:
        """Drops the points after `last_step` (a run rolled back or resumed from a checkpoint)."""
        keep = int(np.searchsorted(self._steps.values(), last_step, side="right"))
        if keep == self._steps.size:
            return
        self._steps.size = keep
        for buffers in (self._raw, self._ema):
            for buffer in buffers.values():
                buffer.size = keep
        kept = [(b, e) for b, e in zip(self._boundaries, self._boundary_epochs) if b <= last_step]
        self._boundaries = [b for b, _ in kept]
        self._boundary_epochs = [e for _, e in kept]
        self._last_epoch = None
        self._dirty = True

    def clear(self) -> None:
        """Removes every point and epoch marker."""
        self._steps.clear()
        for buffers in (self._raw, self._ema):
            for buffer in buffers.values():
                buffer.clear()
        self._boundaries = []
        self._boundary_epochs = []
        self._last_epoch = None
        self._dirty = True
        self._redraw()
        self.loss_plot.enableAutoRange()
        self.output_plot.enableAutoRange(axis="x")

    def _add_boundaries(self, progress: Progress, steps: np.ndarray) -> None:
        """Marks the epochs begun since the last report: several, when epochs are shorter than
        a report's steps (9 steps an epoch on 300 images, a report every quarter second)."""
        per_epoch = progress.steps_per_epoch
        if not per_epoch:
            if self._last_epoch is not None and progress.epoch > self._last_epoch:
                self._boundaries.append(float(steps[0]))
                self._boundary_epochs.append(progress.epoch)
            return
        # Epoch e begins after step e * per_epoch (the meter's epoch of a step is
        # (step - 1) // per_epoch): the first report of a run or after a rollback has its own.
        before = (self._last_epoch if self._last_epoch is not None
                  else max(0, int(steps[0]) - 2) // per_epoch)
        # A report of n steps crosses at most n boundaries, whatever its epoch numbers say.
        for epoch in range(max(before + 1, progress.epoch - len(steps) + 1), progress.epoch + 1):
            self._boundaries.append(float(epoch * per_epoch))
            self._boundary_epochs.append(epoch)

    def _append(self, steps: np.ndarray, columns: dict) -> None:
        self._steps.extend(steps)
        for name in SERIES:
            previous = self._ema[name].values()
            start = previous[-1] if len(previous) and np.isfinite(previous[-1]) else None
            self._raw[name].extend(columns[name])
            self._ema[name].extend(exponential_moving_average(columns[name], self._smoothing, start))
        self._dirty = True

    # ---- drawing --------------------------------------------------------------------------
    def _redraw(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        steps = self._steps.values()
        for name in SERIES:
            self._raw_curves[name].setData(steps, self._raw[name].values())
            self._ema_curves[name].setData(steps, self._ema[name].values())
        self._update_markers()

    def _update_markers(self) -> None:
        for marker in self._markers.values():
            marker.set_boundaries(self._boundaries, self._boundary_epochs)


def _downsampled(curve: pg.PlotDataItem, points_per_pixel: float, method: str):
    """Makes `curve` pick its downsampling from the visible range (`points_per_pixel` bins)."""
    curve.opts["autoDownsampleFactor"] = points_per_pixel  # not exposed by setDownsampling
    curve.setDownsampling(auto=True, method=method)
    return curve


def _fit(values, length: int) -> np.ndarray:
    """Returns `values` as a float array of exactly `length` (padded with NaN)."""
    array = np.asarray(values, dtype=np.float64).ravel()[:length]
    if len(array) < length:
        array = np.concatenate([array, np.full(length - len(array), np.nan)])
    return array

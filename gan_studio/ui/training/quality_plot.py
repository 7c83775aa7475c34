"""The Quality plot: FD, KID, diversity, the classifier score and the copy rate of each
evaluation, per step."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gan_studio.core.config import TrainConfig
from gan_studio.core.quality.copy_rate import WARN_RATE
from gan_studio.core.quality.report import FD_NAME, QualityReport
from gan_studio.core.runs.run_model import QUALITY, RunModel
from gan_studio.ui.widgets.tick_grid import TickGrid

FD_COLOR = "#4e79a7"
KID_COLOR = "#af7aa1"
DIVERSITY_COLOR = "#59a14f"
SCORE_COLOR = "#f28e2b"
COPY_COLOR = "#e15759"
SERIES = ("fd", "kid", "diversity", "score", "copy_rate")
AXIS_WIDTH = 64  # pixels, room for "0.0123" and the axis title
Y_PADDING = 0.05  # of the y-range, above and below: points at zero or at the top stay whole


def empty_text(minutes: float) -> str:
    """What the plot says before the first evaluation, for a run evaluated every `minutes`."""
    what = ("It shows how far generated samples are from real ones, "
            f"{FD_NAME} and KID (lower is better), their diversity (real images: 1) and, "
            "for labelled data, the classifier score, and the copy rate: the share of samples "
            "nearer to a training image than new real images are (real images score its "
            "dashed floor).")
    if minutes <= 0:
        return (f"Automatic quality evaluation is off for this run. {what} "
                "Training → Evaluate Now measures at once.")
    every = f"{minutes:g} minute{'' if minutes == 1 else 's'}"
    return (f"The quality meter scores samples at each epoch's end and every {every}; "
            f"Training → Evaluate Now measures at once. {what}")


class QualityPlot(QWidget):
    """Two linked plots of the run's quality evaluations against the step: FD (data-set
    features) on the left axis and KID with its standard error on the right above, diversity
    and (for labelled data) the classifier score below it, and once measured the copy rate at
    the bottom, with the held-out real images' floor (dashed) and the rate that warns (dotted).
    Hovering a point shows every number of that evaluation.

    The reports live in the window's `RunModel` (`run`), which other views read too; the items
    are created once and redrawn in place when they change, which is rare (about once an epoch).

    Args:
        session: a `TrainingSession` whose run's settings name the measuring interval
            (optional).
        run: the `RunModel` to follow (default: one of its own).
        parent: the parent widget.
    """

    def __init__(self, session=None, run: RunModel | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.run = run if run is not None else RunModel()
        self._build()
        self.run.observe(lambda what: QUALITY in what and self._redraw())
        if session is not None:
            session.run_started.connect(self._on_run_started)
        self._redraw()

    def _build(self) -> None:
        palette = self.palette()
        text = palette.color(QPalette.ColorRole.Text)
        self._placeholder = QLabel(empty_text(TrainConfig().quality_every_minutes))
        self._placeholder.setWordWrap(True)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setMargin(24)
        self._placeholder.setEnabled(False)
        self._view = pg.GraphicsLayoutWidget()
        self._view.setBackground(palette.color(QPalette.ColorRole.Base))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._placeholder, 1)
        layout.addWidget(self._view, 1)
        self.distance_plot = self._view.addPlot(row=0, col=0)
        self.sample_plot = self._view.addPlot(row=1, col=0)
        self.sample_plot.setXLink(self.distance_plot)
        self.copy_plot = self._view.addPlot(row=2, col=0)
        self.copy_plot.setXLink(self.distance_plot)
        self.copy_plot.setLabel("bottom", "step")
        self.sample_plot.setLabel("bottom", "step")
        self.copy_plot.showAxis("right")  # empty, as wide as the others': the steps line up
        self.copy_plot.getAxis("right").setStyle(showValues=False)
        self.copy_plot.getAxis("right").setWidth(AXIS_WIDTH)
        grid_color = QColor(text)
        grid_color.setAlphaF(0.15)
        for plot in (self.distance_plot, self.sample_plot, self.copy_plot):
            plot.setMenuEnabled(False)
            plot.setMouseEnabled(x=False, y=False)  # a few points, all in view: nothing to pan
            for axis in ("left", "bottom", "right"):
                plot.getAxis(axis).setTextPen(text)
                plot.getAxis(axis).setPen(text)
            TickGrid(plot, pg.mkPen(grid_color, width=1))
        kid_box = _right_axis_box(self.distance_plot)
        self._score_box = _right_axis_box(self.sample_plot)
        # Each series' own y-axis, set by `_redraw` (not autoranged: see `_from_zero`).
        self._boxes = {"fd": self.distance_plot.getViewBox(), "kid": kid_box,
                       "diversity": self.sample_plot.getViewBox(), "score": self._score_box,
                       "copy_rate": self.copy_plot.getViewBox()}
        self.curves = {
            "fd": self._series(self.distance_plot, FD_COLOR, "o"),
            "kid": self._series(kid_box, KID_COLOR, "t"),
            "diversity": self._series(self.sample_plot, DIVERSITY_COLOR, "o"),
            "score": self._series(self._score_box, SCORE_COLOR, "s"),
            "copy_rate": self._series(self.copy_plot, COPY_COLOR, "d"),
        }
        self.copy_floor = pg.InfiniteLine(angle=0, pen=pg.mkPen(COPY_COLOR, width=1,
                                                                 style=Qt.PenStyle.DashLine))
        self.copy_warn = pg.InfiniteLine(WARN_RATE, angle=0, pen=pg.mkPen(
            COPY_COLOR, width=1, style=Qt.PenStyle.DotLine))
        self.copy_plot.addItem(self.copy_floor)
        self.copy_plot.addItem(self.copy_warn)
        self.kid_errors = pg.ErrorBarItem(x=np.zeros(0), y=np.zeros(0), pen=pg.mkPen(KID_COLOR))
        kid_box.addItem(self.kid_errors)
        for plot, side, name, color in (
                (self.distance_plot, "left", FD_NAME, FD_COLOR),
                (self.distance_plot, "right", "KID", KID_COLOR),
                (self.sample_plot, "left", "diversity (real images: 1)", DIVERSITY_COLOR),
                (self.sample_plot, "right", "classifier score", SCORE_COLOR),
                (self.copy_plot, "left", "copy rate", COPY_COLOR)):
            plot.setLabel(side, name, color=color)
            plot.getAxis(side).enableAutoSIPrefix(False)  # "(x0.001)" would hide KID's scale
            plot.getAxis(side).setWidth(AXIS_WIDTH)  # the two plots' steps line up

    def _series(self, target, color: str, symbol: str) -> pg.PlotDataItem:
        item = pg.PlotDataItem(pen=pg.mkPen(color, width=2), symbol=symbol, symbolSize=7,
                               symbolPen=pg.mkPen(color), symbolBrush=pg.mkBrush(color))
        # Set before any point exists: PlotDataItem keeps the scatter's hover options.
        item.scatter.setData(hoverable=True, tip=self._tip)
        target.addItem(item)
        return item

    # ---- data -----------------------------------------------------------------------------
    @property
    def point_count(self) -> int:
        """How many evaluations are plotted."""
        return len(self.run.reports)

    def add(self, report: QualityReport) -> None:
        """Plots one more evaluation (the run model's)."""
        self.run.add_report(report)

    def set_history(self, reports: list[QualityReport]) -> None:
        """Replaces the plotted evaluations (e.g. with a run's quality.csv)."""
        self.run.set_reports(reports)

    def clear(self) -> None:
        """Removes every evaluation (a new run)."""
        self.run.set_reports([])

    def report_at(self, step: int) -> QualityReport | None:
        """The evaluation made at `step`, or None."""
        return self.run.report_at(step)

    @property
    def empty_text(self) -> str:
        """What the plot says while there is nothing to plot."""
        return self._placeholder.text()

    # ---- drawing --------------------------------------------------------------------------
    def _redraw(self) -> None:
        reports = self.run.reports
        steps = np.array([r.step for r in reports], dtype=np.float64)
        for name in SERIES:
            values = np.array([np.nan if getattr(r, name) is None else getattr(r, name)
                               for r in reports], dtype=np.float64)
            shown = np.isfinite(values)  # unlabelled reports have no score
            self.curves[name].setData(steps[shown], values[shown])
            if name == "kid":  # the error bars must fit too
                errors = np.array([r.kid_error for r in reports], dtype=np.float64)
                self.kid_errors.setData(x=steps, y=values, top=errors, bottom=errors, beam=0)
                values = np.concatenate([values - errors, values + errors])
            if name == "copy_rate":  # the line that warns stays in view
                values = np.concatenate([values, [WARN_RATE]])
            y_range = _from_zero(values)
            if y_range is not None:
                self._boxes[name].setYRange(*y_range, padding=Y_PADDING)
        labelled = any(r.labelled for r in reports)
        # The axis stays (empty when unlabelled), as wide as the others': the steps line up.
        self.sample_plot.getAxis("right").setStyle(showValues=labelled)
        self.sample_plot.setLabel("right", "classifier score" if labelled else "",
                                  color=SCORE_COLOR)
        self._score_box.setVisible(labelled)
        floors = [r.copy_floor for r in reports if r.copy_floor is not None]
        copies = bool(floors) or any(r.copy_rate is not None for r in reports)
        self.copy_plot.setVisible(copies)
        self.sample_plot.showAxis("bottom", not copies)  # the lowest plot shows the steps
        if floors:
            self.copy_floor.setValue(floors[-1])
        self._placeholder.setVisible(not reports)
        self._view.setVisible(bool(reports))

    def _tip(self, x: float, y: float, data=None) -> str:
        report = self.run.report_at(int(round(x)))
        if report is None:
            return ""
        return f"Step {report.step:,} (epoch {report.epoch + 1})\n" + report.summary().replace(
            ", ", "\n")

    def _on_run_started(self, _run_dir: str, config) -> None:
        minutes = getattr(config, "quality_every_minutes", TrainConfig().quality_every_minutes)
        self._placeholder.setText(empty_text(minutes))


def _from_zero(values: np.ndarray) -> tuple[float, float] | None:
    """The y-range a series is drawn in: its values and zero (None: no finite value).

    Every series here is a size (a distance, a spread, a score) whose zero means something.
    Autoranged to the data, two evaluations of FD 10.63 and 10.60 filled the plot as a steep
    fall; measured from zero they are the flat line they are, while a fall from 120 to 10 still
    fills it. (KID's unbiased estimate can dip below zero: the range then reaches down to it.)
    """
    finite = values[np.isfinite(values)]
    if not len(finite):
        return None
    low, high = min(0.0, float(finite.min())), max(0.0, float(finite.max()))
    return (low, high) if high > low else (low, low + 1.0)  # all zero: any span will do


def _right_axis_box(plot: pg.PlotItem) -> pg.ViewBox:
    """A second view box over `plot`, scaled by its right-hand axis, sharing its steps."""
    box = pg.ViewBox(enableMouse=False)
    box.setMenuEnabled(False)
    plot.scene().addItem(box)
    plot.showAxis("right")
    plot.getAxis("right").linkToView(box)
    box.setXLink(plot)
    view = plot.getViewBox()
    view.sigResized.connect(lambda *_: box.setGeometry(view.sceneBoundingRect()))
    box.setGeometry(view.sceneBoundingRect())
    return box

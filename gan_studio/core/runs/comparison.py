"""Runs compared side by side: their curves on one axis, their grids at one point, the
settings they differ in and their quality at an equal budget.

Each run is read once (`ComparedRun.read`, off the GUI thread) and labelled by the levers in
which the compared runs differ (`lr 0.0001 · loss hinge`), its folder's name where they differ
in none. A damaged run stays in the comparison, by name, with its problem.

Example:

```python
comparison = Comparison([ComparedRun.read(d) for d in run_dirs])
for run, curve in zip(comparison.runs, comparison.curves("images")):
    plot(curve.x, curve.y["g_loss"], label=run.label)
table = comparison.quality_table("time")   # at the minutes all runs reached; table.best
```
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field

import numpy as np

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.quality.report import QualityReport, read_quality
from gan_studio.core.runs.compared_grids import (
    GridChoice,
    grid_positions,
    nearest_grid,
    slider_positions,
)
from gan_studio.core.runs.grid_files import saved_grids
from gan_studio.core.runs.layout import (
    CONFIG_FILE,
    METRICS_FILE,
    QUALITY_FILE,
    SAMPLES_DIR,
    files_signature,
)
from gan_studio.core.runs.lever_diff import (
    format_value,
    lever_label,
    lever_value,
    levers_that_differ,
    short_name,
)
from gan_studio.core.runs.metrics_log import read_metrics
from gan_studio.core.runs.run_axes import AXES, RunAxis, common_budget, quality_at_budget

MAX_COMPARED = 6
MAX_CURVE_POINTS = 2000  # per curve: a 100k-step run draws as fast as a short one
SMOOTHING_SHARE = 0.01  # the running mean spans this share of a run's steps
CURVES = ("g_loss", "d_loss", "d_real", "d_fake")
QUALITY_FIELDS = ("fd", "score", "diversity", "copy_rate")
# Okabe and Ito's palette (black and yellow left out: they vanish on a dark or a light plot),
# told apart with every common colour-vision deficiency.
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#D55E00", "#0072B2", "#CC79A7")
STAMPED_FILES = (CONFIG_FILE, METRICS_FILE, QUALITY_FILE, SAMPLES_DIR)


def files_stamp(run_dir: str) -> tuple:
    """What changes when a run writes: the size and time of its config, metrics, quality
    and samples folder (a grid added or thinned changes the folder's time)."""
    return files_signature(run_dir, STAMPED_FILES)


@dataclass
class ComparedRun:
    """A run folder as a comparison shows it.

    Args:
        run_dir: the folder.
        config: its configuration, or None where config.json is missing or damaged.
        metrics: its `read_metrics`, in step order.
        quality: its `QualityReport`s, oldest first.
        grids: its `SavedGrid`s, unread, in step order.
        problem: why it cannot be compared in full ("" when it can).
        stamp: its `files_stamp` when read.
    """

    run_dir: str
    config: TrainConfig | None
    metrics: dict = field(default_factory=dict)
    quality: list = field(default_factory=list)
    grids: list = field(default_factory=list)
    problem: str = ""
    stamp: tuple = ()

    @classmethod
    def read(cls, run_dir: str) -> ComparedRun:
        """Reads a run folder defensively (a worker thread's job): nothing in it raises.

        Args:
            run_dir: the run folder.
        """
        stamp = files_stamp(run_dir)
        config, problem = None, ""
        path = os.path.join(run_dir, CONFIG_FILE)
        if not os.path.isdir(run_dir):
            problem = "the folder is gone"
        elif not os.path.isfile(path):
            problem = f"{path} is missing: not a GAN Studio run folder"
        else:
            try:
                config = TrainConfig.load(path)
            except (ConfigError, OSError) as exc:
                problem = f"{path}: {exc}"
        metrics = read_metrics(run_dir)
        order = np.argsort(metrics["step"], kind="stable")
        metrics = {name: values[order] for name, values in metrics.items()}
        return cls(run_dir, config, metrics, read_quality(run_dir),
                   saved_grids(run_dir, metrics), problem, stamp)

    @property
    def name(self) -> str:
        """The folder's name."""
        return os.path.basename(os.path.normpath(self.run_dir))

    @property
    def batch_size(self) -> int | None:
        """The batch it trains with (None when its config is unreadable)."""
        return None if self.config is None else lever_value(self.config, "batch_size")

    @property
    def axis(self) -> RunAxis:
        """Its steps placed by images seen and minutes trained."""
        return RunAxis.of(self.metrics, self.batch_size)

    @property
    def steps(self) -> int:
        """Its newest logged step (0 before the first)."""
        return int(self.metrics["step"][-1]) if len(self.metrics.get("step", ())) else 0


@dataclass(frozen=True)
class RunCurves:
    """One run's curves on an axis: shared x, a y per series in `CURVES` (running means)."""

    x: np.ndarray
    y: dict


@dataclass(frozen=True)
class SettingRow:
    """A setting the compared runs differ in: its short name and each run's value as text."""

    name: str
    values: tuple


@dataclass(frozen=True)
class QualityTable:
    """The compared runs' quality at the furthest point all of them reached.

    Args:
        axis: the axis of the budget.
        budget: the point on it (0 when some run has not started).
        reports: each run's newest report at or before the budget (None: none yet).
        best: the index of the run with the lowest FD, or None (fewer than two measured,
            or runs of different data sets).
        comparable: whether the runs' FDs share a scale: each data set has its own feature
            network, so FDs of different data sets are not compared.
    """

    axis: str
    budget: float
    reports: tuple
    best: int | None
    comparable: bool = True


def running_mean(values: np.ndarray, window: int) -> np.ndarray:
    """The trailing mean of the last `window` finite values at each point (fewer at the start;
    NaN where a window holds none)."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.isfinite(values)
    sums = np.concatenate([[0.0], np.cumsum(np.where(finite, values, 0.0))])
    counts = np.concatenate([[0], np.cumsum(finite)])
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - max(1, window), 0)
    n = counts[ends] - counts[starts]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, (sums[ends] - sums[starts]) / np.maximum(n, 1), np.nan)


def display_points(count: int, limit: int = MAX_CURVE_POINTS) -> np.ndarray:
    """The indices kept of `count` points: every k-th one and the last, at most `limit`."""
    if count <= limit:
        return np.arange(count)
    stride = math.ceil(count / (limit - 1))
    kept = np.arange(0, count, stride)
    return kept if kept[-1] == count - 1 else np.append(kept, count - 1)


class Comparison:
    """Up to `MAX_COMPARED` runs, labelled and coloured, lined up on any axis of `AXES`.

    Args:
        runs: the `ComparedRun`s, in the order shown (their colours follow it).

    Raises:
        ValueError: for more than `MAX_COMPARED` runs.
    """

    def __init__(self, runs: list[ComparedRun]):
        if len(runs) > MAX_COMPARED:
            raise ValueError(f"{len(runs)} runs chosen: a comparison shows at most "
                             f"{MAX_COMPARED}; choose fewer.")
        self.runs = list(runs)
        configs = [r.config for r in self.runs if r.config is not None]
        self.differing = levers_that_differ(configs) if len(configs) > 1 else []
        self.labels = self._labels()
        self.colours = [PALETTE[i] for i in range(len(self.runs))]
        self._axes = [r.axis for r in self.runs]

    def _labels(self) -> list[str]:
        named = self.differing
        labels = [lever_label(r.config, named) if r.config is not None and named else r.name
                  for r in self.runs]
        # Runs alike in every differing lever (a third run repeating the first) get their
        # folder's name as well, so no two legend entries read the same.
        return [f"{label} ({run.name})" if labels.count(label) > 1 and label != run.name
                else label for label, run in zip(labels, self.runs)]

    @property
    def run_dirs(self) -> list[str]:
        """The compared folders, in order."""
        return [r.run_dir for r in self.runs]

    def curves(self, axis: str) -> list[RunCurves]:
        """Each run's loss and D-output curves on `axis`, smoothed by a running mean over
        `SMOOTHING_SHARE` of its steps and thinned to `MAX_CURVE_POINTS`.

        Raises:
            ValueError: for an axis not in `AXES`.
        """
        _check_axis(axis)
        out = []
        for run, run_axis in zip(self.runs, self._axes):
            x = run_axis.values(axis)
            window = max(1, round(len(x) * SMOOTHING_SHARE))
            kept = display_points(len(x))
            kept = kept[np.isfinite(x[kept])]
            out.append(RunCurves(x[kept], {name: running_mean(run.metrics[name], window)[kept]
                                           for name in CURVES}))
        return out

    def quality_points(self, axis: str, name: str) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each run's `name` (a field of `QUALITY_FIELDS`) at its reports' steps, placed on
        `axis`, as (x, y); a report without that number gives NaN."""
        _check_axis(axis)
        if name not in QUALITY_FIELDS:
            raise ValueError(f"unknown quality number {name!r}: one of {', '.join(QUALITY_FIELDS)}")
        out = []
        for run, run_axis in zip(self.runs, self._axes):
            x = run_axis.at(axis, [r.step for r in run.quality])
            y = np.array([_number(getattr(r, name)) for r in run.quality], dtype=np.float64)
            finite = np.isfinite(x)
            out.append((x[finite], y[finite]))
        return out

    def common_budget(self, axis: str) -> float:
        """The furthest point on `axis` every run that has logged a step reached."""
        _check_axis(axis)
        started = [a for a in self._axes if len(a.steps)]
        return common_budget(started, axis) if started else 0.0

    def grids_at(self, axis: str, position: float) -> list[GridChoice | None]:
        """Each run's saved grid nearest to `position` on `axis` (None: a run without grids)."""
        _check_axis(axis)
        return [nearest_grid(r.grids, a, axis, position) for r, a in zip(self.runs, self._axes)]

    def grid_stops(self, axis: str) -> np.ndarray:
        """The points on `axis` a shared grid slider stops at (`slider_positions`)."""
        _check_axis(axis)
        return slider_positions([grid_positions(r.grids, a, axis)[1]
                                 for r, a in zip(self.runs, self._axes)])

    def settings_table(self) -> list[SettingRow]:
        """A row per setting the runs differ in, each run's value ("—": config unreadable)."""
        return [SettingRow(short_name(name),
                           tuple("—" if r.config is None else format_value(_setting(r.config, name))
                                 for r in self.runs))
                for name in self.differing]

    def quality_table(self, axis: str) -> QualityTable:
        """Each run's quality at `common_budget(axis)` (`quality_at_budget`), the best by FD."""
        budget = self.common_budget(axis)
        reports = tuple(quality_at_budget(r.quality, a, axis, budget) if budget > 0 else None
                        for r, a in zip(self.runs, self._axes))
        scored = [(r.fd, i) for i, r in enumerate(reports)
                  if r is not None and np.isfinite(_number(r.fd))]
        comparable = "dataset" not in self.differing
        best = min(scored)[1] if len(scored) > 1 and comparable else None
        return QualityTable(axis, budget, reports, best, comparable)


def _setting(config: TrainConfig, name: str):
    return getattr(config, name, "") if name in ("dataset", "preset") else lever_value(config, name)


def _number(value) -> float:
    return float("nan") if value is None else float(value)


def _check_axis(axis: str) -> None:
    if axis not in AXES:
        raise ValueError(f"unknown axis {axis!r}: one of {', '.join(AXES)}")


def describe_budget(table: QualityTable) -> str:
    """"at 3.0 minutes trained, the most all runs reached" (or why there is no such point)."""
    from gan_studio.core.runs.run_axes import AXIS_TITLES

    if table.budget <= 0:
        return "no equal budget yet: a run has not logged a step"
    if table.axis == "step":
        where = f"step {round(table.budget):,}"
    elif table.axis == "images":
        where = f"{round(table.budget):,} {AXIS_TITLES['images']}"
    else:
        where = f"{table.budget:.1f} {AXIS_TITLES['time']}"
    text = f"at {where}, the most all runs reached"
    if not table.comparable:  # (the CLI and the window say it where they would name the best)
        text += " (different data sets: each FD is in its own data set's features)"
    return text


def quality_cells(report: QualityReport | None) -> dict[str, str]:
    """A report's numbers as the quality table shows them ("—" where not measured)."""
    if report is None:
        return dict.fromkeys(QUALITY_ROWS, "—")

    def fmt(value, pattern):
        return "—" if value is None or not np.isfinite(value) else format(value, pattern)

    return {"FD": fmt(report.fd, ".2f"), "KID": fmt(report.kid, ".4f"),
            "score": fmt(report.score, ".2f"), "diversity": fmt(report.diversity, ".2f"),
            "copy rate": fmt(report.copy_rate, ".1%"), "measured at": f"step {report.step:,}"}


QUALITY_ROWS = ("FD", "KID", "score", "diversity", "copy rate", "measured at")

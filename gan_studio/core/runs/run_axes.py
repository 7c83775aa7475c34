"""The three ways to line runs up: by step, by images seen and by time trained.

A step of a batch of 32 is not a step of 256, and a step on bfloat16 is not a step on float32:
runs compared by step, by images (step × batch) and by minutes trained can rank differently,
and a fair comparison says which. Every curve, grid and quality report of a run is placed on
the chosen axis through its metrics.csv (each step's wall-clock time).

Time trained counts the gaps between logged steps, except those of a pause, a stop or a
restart: a gap longer than `PAUSE_GAP_SECONDS` (and than `PAUSE_GAP_STEPS` typical gaps)
counts as one typical gap.

Example:

```python
axis = RunAxis.of(read_metrics(run_dir), batch_size=32)
x = axis.at("images", quality_steps)       # images seen at each report's step
report = quality_at_budget(reports, axis, "time", 180.0)
```
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

AXES = ("step", "images", "time")
AXIS_TITLES = {"step": "step", "images": "images seen", "time": "minutes trained"}
PAUSE_GAP_SECONDS = 60.0
PAUSE_GAP_STEPS = 50


def trained_seconds(times: np.ndarray) -> np.ndarray:
    """Seconds trained at each logged step, from the steps' wall-clock times, without pauses.

    Args:
        times: each metrics row's `time` (seconds since the epoch), in step order.

    Returns:
        float64 array of the same length, starting at the first row's typical gap.
    """
    times = np.asarray(times, dtype=np.float64)
    if not len(times):
        return np.zeros(0)
    gaps = np.diff(times)
    positive = gaps[gaps > 0]
    typical = float(np.median(positive)) if len(positive) else 0.0
    limit = max(PAUSE_GAP_SECONDS, PAUSE_GAP_STEPS * typical)
    gaps = np.where((gaps < 0) | (gaps > limit), typical, gaps)
    return np.concatenate([[typical], typical + np.cumsum(gaps)])


@dataclass(frozen=True)
class RunAxis:
    """A run's logged steps with the images seen and seconds trained at each.

    Args:
        steps: int64 steps, ascending.
        images: images seen at each step (step × batch size).
        seconds: seconds trained at each step (`trained_seconds`).
    """

    steps: np.ndarray
    images: np.ndarray
    seconds: np.ndarray

    @classmethod
    def of(cls, metrics: dict, batch_size: int | None) -> RunAxis:
        """Builds the axis from a run's `read_metrics` and its batch size (None: unknown, so
        images seen are unknown too: NaN)."""
        steps = np.asarray(metrics.get("step", ()), dtype=np.int64)
        times = np.asarray(metrics.get("time", ()), dtype=np.float64)
        order = np.argsort(steps, kind="stable")
        steps, times = steps[order], times[order]
        images = steps * float(batch_size) if batch_size else np.full(len(steps), np.nan)
        return cls(steps, images.astype(np.float64), trained_seconds(times))

    def values(self, axis: str) -> np.ndarray:
        """Each logged step's position on `axis` (`step`, `images` or `time` in minutes)."""
        if axis == "step":
            return self.steps.astype(np.float64)
        if axis == "images":
            return self.images
        if axis == "time":
            return self.seconds / 60.0
        raise ValueError(f"unknown axis {axis!r}: one of {', '.join(AXES)}")

    def at(self, axis: str, steps) -> np.ndarray:
        """The positions on `axis` of any steps (of quality reports, of grids): interpolated
        between logged steps; a step past the log is placed by the last logged rate."""
        steps = np.asarray(steps, dtype=np.float64)
        if axis == "step" or not len(self.steps):
            return steps if axis == "step" else np.full(steps.shape, np.nan)
        values = self.values(axis)
        x = self.steps.astype(np.float64)
        if len(x) == 1:
            rate = values[0] / x[0] if x[0] else 0.0
            return steps * rate
        out = np.interp(steps, x, values)
        slope = (values[-1] - values[0]) / (x[-1] - x[0]) if x[-1] > x[0] else 0.0
        past = steps > x[-1]
        out[past] = values[-1] + (steps[past] - x[-1]) * slope
        before = steps < x[0]
        out[before] = values[0] * steps[before] / x[0] if x[0] else 0.0
        return out

    def end(self, axis: str) -> float:
        """How far the run got on `axis` (0 before its first step)."""
        values = self.values(axis)
        return float(values[-1]) if len(values) else 0.0


def common_budget(axes: list[RunAxis], axis: str) -> float:
    """The furthest point on `axis` that every run reached: where they compare at equal budget."""
    ends = [a.end(axis) for a in axes]
    return float(min(ends)) if ends and all(np.isfinite(ends)) else 0.0


def quality_at_budget(reports: list, axis_of_run: RunAxis, axis: str, budget: float):
    """The newest quality report at or within 1 % past `budget` on `axis`, or None.

    Args:
        reports: the run's `QualityReport`s, oldest first.
        axis_of_run: its `RunAxis`.
        axis: `step`, `images` or `time`.
        budget: the point on that axis.
    """
    if not reports:
        return None
    where = axis_of_run.at(axis, [r.step for r in reports])
    slack = abs(budget) * 0.01
    kept = [r for r, x in zip(reports, where) if np.isfinite(x) and x <= budget + slack]
    return kept[-1] if kept else None

"""What a run's loss curves show: non-finite losses, a discriminator that wins, oscillation.

Pure functions over `read_metrics`' arrays (one value per step). D's outputs, D(x) (`d_real`)
and D(G(z)) (`d_fake`), are judged rather than the losses: they lie in [0, 1] whatever the
loss (BCE or hinge), so one threshold fits every recipe. Each is smoothed by a running mean
of `SMOOTH_STEPS` steps, the step-to-step noise of a batch being no sign of anything.

The thresholds were calibrated on the metrics.csv of ten real runs (MNIST, CIFAR-10, a
colour folder; 300 to 1,950 steps each; README, "Training doctor"), all healthy: smoothed
D(x) never rose above 0.85, D(G(z)) never fell below 0.21, and the balance D(x) − D(G(z))
never swung further than 0.42 above or 0.17 below its median, and only once (the start).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SMOOTH_STEPS = 50  # running mean over this many steps before anything is judged
WIN_REAL = 0.9  # D(x) at or above this ...
WIN_FAKE = 0.1  # ... and D(G(z)) at or below this: D tells real from generated at a glance
WIN_STEPS = 200  # ... for at least this many steps, up to the newest: sustained, not a blip
SWING = 0.25  # the balance D(x) − D(G(z)) this far above, then below, its median is a swing
SWINGS = 4  # this many swings, alternating up and down, is an oscillation ...
SWING_WINDOW = 2000  # ... within the newest this many steps
LOSS_COLUMNS = ("g_loss", "d_loss", "d_real", "d_fake")


@dataclass(frozen=True)
class Stretch:
    """Steps of a run that show something, and the numbers that do.

    Args:
        first_step: the first step of the stretch.
        last_step: the last.
        values: named numbers for the evidence (e.g. `d_real`, `d_fake`, `count`).
    """

    first_step: int
    last_step: int
    values: dict


def running_mean(values: np.ndarray, steps: int = SMOOTH_STEPS) -> np.ndarray:
    """The mean of each value and the `steps - 1` before it (fewer at the start)."""
    values = np.asarray(values, dtype=np.float64)
    if not len(values):
        return values
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - steps)
    return (sums[ends] - sums[starts]) / (ends - starts)


def non_finite(metrics: dict) -> Stretch | None:
    """The steps whose losses or D outputs are NaN or infinite, if any.

    Returns:
        A `Stretch` from the first such step to the newest step, with `count` (how many
        steps) and `column` (the first column that went), or None.
    """
    steps = metrics.get("step", np.zeros(0, np.int64))
    if not len(steps):
        return None
    broken = {name: ~np.isfinite(metrics[name]) for name in LOSS_COLUMNS}
    bad = np.logical_or.reduce(list(broken.values()))
    if not bad.any():
        return None
    column = next(name for name in LOSS_COLUMNS if broken[name][np.argmax(bad)])
    first = int(steps[np.argmax(bad)])
    return Stretch(first, int(steps[-1]), {"count": int(bad.sum()), "column": column})


def discriminator_winning(metrics: dict) -> Stretch | None:
    """The newest stretch in which D wins outright, if it reaches the newest step and lasts
    `WIN_STEPS` steps or more.

    Returns:
        A `Stretch` with the stretch's mean `d_real` and `d_fake`, or None.
    """
    steps = metrics.get("step", np.zeros(0, np.int64))
    finite = _finite(metrics)
    if not finite.any():
        return None
    steps = steps[finite]
    real = running_mean(metrics["d_real"][finite])
    fake = running_mean(metrics["d_fake"][finite])
    winning = (real >= WIN_REAL) & (fake <= WIN_FAKE)
    if not winning[-1]:
        return None
    start = len(winning) - np.argmin(winning[::-1]) if not winning.all() else 0
    if steps[-1] - steps[start] + 1 < WIN_STEPS:
        return None
    raw = slice(start, None)
    return Stretch(int(steps[start]), int(steps[-1]),
                   {"d_real": float(np.mean(metrics["d_real"][finite][raw])),
                    "d_fake": float(np.mean(metrics["d_fake"][finite][raw]))})


def oscillation(metrics: dict) -> Stretch | None:
    """Swings of the balance D(x) − D(G(z)) between D and G winning, in the newest
    `SWING_WINDOW` steps, if there are `SWINGS` or more.

    Returns:
        A `Stretch` from the first swing to the newest step, with `swings` (how many), `high`
        and `low` (the balance's extremes) and `median`, or None.
    """
    finite = _finite(metrics)
    steps = metrics.get("step", np.zeros(0, np.int64))[finite]
    if not len(steps):
        return None
    balance = running_mean(metrics["d_real"][finite] - metrics["d_fake"][finite])
    recent = steps > steps[-1] - SWING_WINDOW
    balance, steps = balance[recent], steps[recent]
    median = float(np.median(balance))
    side = np.where(balance >= median + SWING, 1, np.where(balance <= median - SWING, -1, 0))
    turns, last, first = 0, 0, None
    for i in np.flatnonzero(side):
        if side[i] != last:
            turns, last = turns + 1, side[i]
            first = steps[i] if first is None else first
    if turns < SWINGS:
        return None
    return Stretch(int(first), int(steps[-1]), {"swings": turns, "high": float(balance.max()),
                                               "low": float(balance.min()), "median": median})


def _finite(metrics: dict) -> np.ndarray:
    steps = metrics.get("step", np.zeros(0, np.int64))
    finite = np.ones(len(steps), dtype=bool)
    for name in ("d_real", "d_fake"):
        finite &= np.isfinite(metrics[name])
    return finite

"""Where a saved run stands, for the progress bars of a reopened run: its last step, epoch and
losses from metrics.csv, the time it trained from trained_time.json, its length from
config.json (the step it ends at, or its time budget)."""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.config import TrainConfig
from gan_studio.core.config_rules import MAX_STEPS
from gan_studio.core.runs.trained_time import trained_seconds_at
from gan_studio.core.training.plan import steps_per_epoch
from gan_studio.core.training.progress import Progress


def end_step(config: TrainConfig, per_epoch: int) -> int:
    """The step a run ends at, with `per_epoch` steps an epoch; a run whose length is a time
    has none (`MAX_STEPS`, or its `max_steps`)."""
    total = config.epochs * per_epoch if config.epochs and not config.max_minutes else MAX_STEPS
    return min(total, config.max_steps) if config.max_steps else total


def logged_steps_per_epoch(steps: np.ndarray, epochs: np.ndarray) -> int | None:
    """Steps in one epoch, from metrics.csv's rows: the first step of epoch e > 0 is
    e × steps per epoch + 1 (None while the log holds no such step)."""
    for i in np.flatnonzero(np.diff(epochs) > 0) + 1:
        step, epoch = int(steps[i]), int(epochs[i])
        if epoch > 0 and steps[i - 1] == step - 1 and (step - 1) % epoch == 0:
            return (step - 1) // epoch
    return None


def saved_progress(run_dir: str | os.PathLike, config: TrainConfig | None,
                   metrics: dict) -> Progress | None:
    """What the progress bars of a run opened from its folder show.

    Args:
        run_dir: the run folder (its trained_time.json).
        config: its configuration (None when unreadable: the bars then have no length).
        metrics: its `read_metrics`.

    Returns:
        A `Progress` of its last logged step (no speed or ETA: nothing is training;
        `steps_per_epoch` 0 and `total_steps` 0 where the log and the data set's size do not
        tell them), or None before its first step.
    """
    steps = np.asarray(metrics.get("step", ()), dtype=np.int64)
    if not len(steps):
        return None
    epochs = np.asarray(metrics["epoch"], dtype=np.int64)
    step, epoch = int(steps[-1]), int(epochs[-1])
    # The log first: it is what the run trained (a data folder may hold a smaller MNIST).
    per_epoch = logged_steps_per_epoch(steps, epochs) or (
        steps_per_epoch(config) if config is not None and config.batch_size else None) or 0
    trained = trained_seconds_at(run_dir, step)
    budget = 60.0 * config.max_minutes if config is not None else 0.0
    if config is None:
        total = 0
    elif budget:  # an estimate, at the speed it trained
        total = max(step, round(step * budget / trained)) if trained else step
    else:  # (a length in epochs says nothing without the epoch's steps)
        total = end_step(config, per_epoch) if per_epoch else config.max_steps
    last = {name: float(metrics[name][-1]) for name in ("g_loss", "d_loss", "d_real", "d_fake")}
    return Progress(step=step, epoch=epoch, steps_per_epoch=per_epoch, total_steps=total,
                    images_per_sec=0.0, eta_seconds=-1.0, elapsed_seconds=trained,
                    trained_seconds=trained, budget_seconds=budget, **last)

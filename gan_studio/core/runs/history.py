"""Reads what a run folder holds (config, metrics, grids, quality, checkpoints) for display."""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass, field

import numpy as np

from gan_studio.core.animation import evenly_spaced
from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.quality.report import read_quality
from gan_studio.core.runs.layout import (
    CONFIG_FILE,
    EPOCH_GRID_RE,
    SAMPLES_DIR,
    is_run_dir,
    latest_grid_png,
    list_checkpoints,
)
from gan_studio.core.runs.metrics_log import read_metrics

MAX_GRIDS = 500


@dataclass
class RunHistory:
    """A run folder's contents, ready for the window.

    Args:
        run_dir: the run folder.
        config: its configuration (None if config.json is unreadable).
        metrics: `read_metrics` output (arrays keyed by step, epoch, g_loss...).
        grids: (step or None, zero-based epoch, uint8 image) per saved grid, oldest first; the
            last one is the newest grid (`samples/last.png`) when it exists.
        checkpoints: (step, path prefix), oldest first.
        quality: its quality evaluations (`QualityReport`s from quality.csv), oldest first.
        config_error: why config.json could not be read ("" when it could).
    """

    run_dir: str
    config: TrainConfig | None
    metrics: dict = field(default_factory=dict)
    grids: list = field(default_factory=list)
    checkpoints: list = field(default_factory=list)
    quality: list = field(default_factory=list)
    config_error: str = ""


def load_run_history(run_dir: str) -> RunHistory:
    """Reads a run folder; call it off the GUI thread.

    Args:
        run_dir: the run folder.

    Returns:
        A `RunHistory`.

    Raises:
        ValueError: if `run_dir` is not a GAN Studio run folder.
    """
    from gan_studio.core.images import load_image

    if not is_run_dir(run_dir):
        raise ValueError(f"{run_dir} is not a GAN Studio run folder (it has no config.json).")
    try:
        config, config_error = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE)), ""
    except ConfigError as exc:
        config, config_error = None, str(exc)
    metrics = read_metrics(run_dir)
    grids = []
    paths = sorted(glob.glob(os.path.join(run_dir, SAMPLES_DIR, "grid-epoch-*.png")))
    for path in evenly_spaced(paths, MAX_GRIDS):
        epoch = int(EPOCH_GRID_RE.search(path).group(1)) - 1
        image = _try_load(load_image, path)
        if image is not None:
            grids.append((_last_step_of_epoch(metrics, epoch), epoch, image))
    last = latest_grid_png(run_dir)
    if last is not None and not EPOCH_GRID_RE.search(last):
        image = _try_load(load_image, last)
        if image is not None and not (grids and np.array_equal(grids[-1][2], image)):
            steps = metrics.get("step", np.zeros(0))
            epochs = metrics.get("epoch", np.zeros(0))
            grids.append((int(steps[-1]) if len(steps) else None,
                          int(epochs[-1]) if len(epochs) else 0, image))
    return RunHistory(run_dir, config, metrics, grids, list_checkpoints(run_dir),
                      read_quality(run_dir), config_error)


def _try_load(load, path):
    try:
        return load(path)
    except (OSError, ValueError):
        return None  # a half-written or corrupt PNG should not stop the run from opening


def _last_step_of_epoch(metrics: dict, epoch: int) -> int | None:
    epochs = metrics.get("epoch")
    if epochs is None or not len(epochs):
        return None
    rows = np.flatnonzero(epochs == epoch)
    return int(metrics["step"][rows[-1]]) if len(rows) else None

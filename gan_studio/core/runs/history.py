"""Reads what a run folder holds (config, metrics, grids, quality, checkpoints) for display."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.quality.report import read_quality
from gan_studio.core.runs.grid_files import SavedGrid, saved_grids
from gan_studio.core.runs.layout import CONFIG_FILE, LAST_GRID, is_run_dir, list_checkpoints
from gan_studio.core.runs.metrics_log import read_metrics
from gan_studio.core.runs.saved_progress import saved_progress
from gan_studio.core.training.progress import Progress

NEWEST_TRIES = 5  # unreadable newest grids passed over before a run opens without a grid


@dataclass
class RunHistory:
    """A run folder's contents, ready for the window.

    Args:
        run_dir: the run folder.
        config: its configuration (None if config.json is unreadable).
        metrics: `read_metrics` output (arrays keyed by step, epoch, g_loss...).
        grids: a `SavedGrid` per grid file, in step order; the newest is read (its `image`),
            the others are read when shown.
        checkpoints: (step, path prefix), oldest first.
        quality: its quality evaluations (`QualityReport`s from quality.csv), oldest first.
        config_error: why config.json could not be read ("" when it could).
        progress: where the run stands (its bars), or None before its first step.
    """

    run_dir: str
    config: TrainConfig | None
    metrics: dict = field(default_factory=dict)
    grids: list = field(default_factory=list)
    checkpoints: list = field(default_factory=list)
    quality: list = field(default_factory=list)
    config_error: str = ""
    progress: Progress | None = None


def load_run_history(run_dir: str) -> RunHistory:
    """Reads a run folder; call it off the GUI thread.

    Args:
        run_dir: the run folder.

    Returns:
        A `RunHistory`.

    Raises:
        ValueError: if `run_dir` is not a GAN Studio run folder.
    """
    if not is_run_dir(run_dir):
        raise ValueError(f"{run_dir} is not a GAN Studio run folder (it has no config.json).")
    try:
        config, config_error = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE)), ""
    except ConfigError as exc:
        config, config_error = None, str(exc)
    metrics = read_metrics(run_dir)
    return RunHistory(run_dir, config, metrics, _with_newest_read(saved_grids(run_dir, metrics)),
                      list_checkpoints(run_dir), read_quality(run_dir), config_error,
                      saved_progress(run_dir, config, metrics))


def _with_newest_read(grids: list[SavedGrid]) -> list[SavedGrid]:
    """Reads the newest grid (what the window shows first, and how it learns the tiles'
    size), passing over unreadable ones; `last.png` of an older run only where it differs
    from the grid before it (the last epoch's)."""
    from gan_studio.core.images import load_image

    for _ in range(NEWEST_TRIES):
        if not grids:
            break
        grids[-1].image = _try_load(load_image, grids[-1].path)
        if grids[-1].image is None:
            grids.pop()
        elif os.path.basename(grids[-1].path) == LAST_GRID and len(grids) > 1:
            before = _try_load(load_image, grids[-2].path)
            if before is not None and np.array_equal(before, grids[-1].image):
                grids.pop()
                grids[-1].image = before
            break
        else:
            break
    return grids


def _try_load(load, path):
    try:
        return load(path)
    except (OSError, ValueError):
        return None  # a half-written or corrupt PNG should not stop the run from opening

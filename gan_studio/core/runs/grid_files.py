"""The sample grids a run keeps in `samples/`: one file per grid training draws (the timelapse
a reopened run shows), thinned as they grow, beside the grid of each epoch's end.

Training draws a grid every `sample_every_steps` steps or `sample_every_seconds` seconds:
hundreds an hour. Past `MAX_STEP_GRIDS` files, or `STEP_GRID_BYTES` of them, every other
older one is deleted, as the window's timelapse thins its frames: the span stays whole at
half the density, and the disk a run takes stays bounded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from gan_studio.core.runs.layout import EPOCH_GRID_RE, LAST_GRID, SAMPLES_DIR, STEP_GRID_RE

MAX_STEP_GRIDS = 1000
STEP_GRID_BYTES = 256 * 2**20  # 64 px colour grids are ~0.5 MB: some 500 of them
MIN_STEP_GRIDS = 16  # kept whatever their size


def step_grids(run_dir: str | os.PathLike) -> list[tuple[int, str]]:
    """The run's grid files by step, as (step, path), oldest first ([] when there are none)."""
    samples = os.path.join(run_dir, SAMPLES_DIR)
    return _step_grids_among(samples, _names_in(samples))


def _names_in(samples: str) -> list[str]:
    try:
        return sorted(os.listdir(samples))
    except OSError:
        return []


def _step_grids_among(samples: str, names: list[str]) -> list[tuple[int, str]]:
    found = ((STEP_GRID_RE.fullmatch(name), name) for name in names)
    return sorted((int(match.group(1)), os.path.join(samples, name))
                  for match, name in found if match)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:  # (a file that stays costs some disk, nothing else)
        pass


class StepGridFiles:
    """Keeps the count and size of a run's grid files bounded as training adds them.

    Args:
        run_dir: the run folder.
        resume_step: the step training restarts from; the grids of later steps belong to a
            future the run went back from, and are deleted.
    """

    def __init__(self, run_dir: str | os.PathLike, resume_step: int = 0):
        self._files = []
        for step, path in step_grids(run_dir):
            if step > resume_step:
                _remove(path)
            else:
                self._files.append((step, path))

    def added(self, step: int, path: str) -> None:
        """Notes the grid file of `step` just written; thins the older ones past the limit."""
        self._files = [(s, p) for s, p in self._files if s != step] + [(step, path)]
        try:
            size = os.path.getsize(path)
        except OSError:
            size = 0
        limit = max(MIN_STEP_GRIDS, min(MAX_STEP_GRIDS, STEP_GRID_BYTES // max(1, size)))
        if len(self._files) > limit:
            kept = self._files[:-1:2] + self._files[-1:]
            for gone in set(self._files) - set(kept):
                _remove(gone[1])
            self._files = kept


@dataclass
class SavedGrid:
    """A grid file of a run, for the timelapse of a reopened run.

    Args:
        step: the step it was drawn at (None where unknown: an epoch's grid of a run without
            metrics).
        epoch: its zero-based epoch.
        path: the PNG.
        image: its pixels, when already read (uint8 (H, W) or (H, W, 3)); None: read it when
            it is shown.
    """

    step: int | None
    epoch: int
    path: str
    image: np.ndarray | None = None


def saved_grids(run_dir: str | os.PathLike, metrics: dict) -> list[SavedGrid]:
    """Every grid a run folder holds, in step order, unread: its grids by step, and the grids
    of epochs' ends that are not among them (all a run written before the grids by step
    has, then its newest grid, `last.png`, which the caller reads and keeps if it differs).

    Args:
        run_dir: the run folder.
        metrics: its `read_metrics` (the step and epoch of each epoch's grid and step grid).
    """
    steps = np.asarray(metrics.get("step", ()), dtype=np.int64)
    epochs = np.asarray(metrics.get("epoch", ()), dtype=np.int64)
    samples = os.path.join(run_dir, SAMPLES_DIR)
    names = _names_in(samples)  # one listing for the grids by step and the epochs' alike
    grids = [SavedGrid(step, _epoch_at(steps, epochs, step), path)
             for step, path in _step_grids_among(samples, names)]
    known = {grid.step for grid in grids}
    for name in names:
        match = EPOCH_GRID_RE.fullmatch(name)
        if match:
            epoch = int(match.group(1)) - 1
            rows = np.flatnonzero(epochs == epoch)
            step = int(steps[rows[-1]]) if len(rows) else None
            if step not in known and (step is not None or not known):
                grids.append(SavedGrid(step, epoch, os.path.join(samples, name)))
    grids.sort(key=lambda g: (g.step is not None, g.step or 0, g.epoch))
    last = os.path.join(samples, LAST_GRID)
    if not known and os.path.isfile(last):
        grids.append(SavedGrid(int(steps[-1]) if len(steps) else None,
                               int(epochs[-1]) if len(epochs) else 0, last))
    return grids


def _epoch_at(steps: np.ndarray, epochs: np.ndarray, step: int) -> int:
    """The epoch metrics.csv logs for `step` (or the step before it; 0 when unknown)."""
    index = int(np.searchsorted(steps, step, side="right")) - 1
    return int(epochs[index]) if 0 <= index < len(epochs) else 0

"""The worker's `TrainingCallbacks`: a run's reports turned into the worker's signals."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from gan_studio.core.quality.collapse import CollapseWarning
from gan_studio.core.quality.report import QualityReport
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.progress import Event, Progress, SampleGrid
from gan_studio.core.training.throttle import Coalescer
from gan_studio.workers.training.signals import TrainingSignals
from gan_studio.workers.training.snapshots import GeneratorSnapshots

# Seconds between progress signals. Each report carries every step since the last one, so the
# curves lose nothing; numbers that change faster than 4 times a second cannot be read, and each
# repaint is taken from training (tests/benchmarks/RESULTS.md, figure 2).
PROGRESS_INTERVAL = 1 / 4
GRID_INTERVAL = 1 / 10
DOWNLOAD_INTERVAL = 1 / 10


class DownloadCancelled(Exception):
    """Raised inside the engine's download callback to abort a download the user cancelled."""


class SignalCallbacks(TrainingCallbacks):
    """Emits a run's reports as `signals`' signals, on the training thread.

    Progress is throttled by the trainer (it is asked for `PROGRESS_INTERVAL`); grids and
    download progress, which keep only their latest value, are coalesced here. Call `flush`
    when the run ends, so the last of each arrives.

    Args:
        signals: the worker whose signals to emit.
        cancelled: says whether the user cancelled the download (checked at each report).
        snapshots: copies the generator for the `generator` signal; None: none are wanted.
    """

    progress_interval = PROGRESS_INTERVAL

    def __init__(self, signals: TrainingSignals, cancelled: Callable[[], bool],
                 snapshots: GeneratorSnapshots | None = None):
        self._signals, self._cancelled, self._snapshots = signals, cancelled, snapshots
        self._grids = Coalescer(signals.grid.emit, GRID_INTERVAL)
        self._downloads = Coalescer(lambda pair: signals.download.emit(*pair), DOWNLOAD_INTERVAL)
        self.wants_generator = snapshots is not None

    def on_progress(self, progress: Progress) -> None:
        self._signals.progress.emit(progress)
        self._grids.poll()

    def on_grid(self, grid: SampleGrid) -> None:
        self._grids.push(_as_uint8_grid(grid))

    def on_event(self, event: Event) -> None:
        self._grids.flush()
        self._downloads.flush()
        self._signals.event.emit(event)

    def on_download(self, done: int, total: int) -> None:
        if self._cancelled():
            raise DownloadCancelled("download cancelled")
        self._downloads.push((int(done), int(total or 0)))
        if total and done >= total:
            self._downloads.flush()

    def on_generator(self, generator) -> None:
        self._snapshots.offer(generator)

    def on_quality(self, report: QualityReport) -> None:
        self._signals.quality.emit(report)

    def on_collapse(self, warning: CollapseWarning) -> None:
        self._signals.collapse.emit(warning)

    def flush(self) -> None:
        """Sends the grid, download progress and generator snapshot still held back."""
        self._grids.flush()
        self._downloads.flush()
        if self._snapshots is not None:
            self._snapshots.flush()


def _as_uint8_grid(grid: SampleGrid) -> SampleGrid:
    """Makes sure the grid sent across threads holds contiguous uint8 arrays of its own."""
    return dataclasses.replace(grid, image=np.array(grid.image, dtype=np.uint8, copy=True),
                               tiles=np.array(grid.tiles, dtype=np.uint8, copy=True))

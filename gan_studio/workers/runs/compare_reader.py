"""The compared runs and their grid images, read off the GUI thread, and read again as the
runs of a sweep write to their folders."""

from __future__ import annotations

import os
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from gan_studio.core.runs.comparison import ComparedRun, Comparison, files_stamp
from gan_studio.workers.tasks import TaskRunner

KEPT_IMAGES = 64  # grid images kept in memory: a slider dragged back shows them at once


@dataclass(frozen=True)
class GridImages:
    """Grid files read for the comparison's slider.

    Attributes:
        paths: the files asked for (None: a run without a grid there).
        images: their pixels, uint8 (H, W) or (H, W, 3), or None where unreadable or absent.
        tag: the caller's own (the point asked for), handed back.
    """

    paths: tuple
    images: tuple
    tag: object


class _Reading:
    """The worker thread's side: the runs read so far (re-read when their files change) and
    the grid images read lately."""

    def __init__(self):
        self._runs: dict[str, ComparedRun] = {}
        self._images: OrderedDict[tuple, np.ndarray] = OrderedDict()

    def comparison(self, run_dirs: tuple, only_if_changed: bool) -> Comparison | None:
        """The runs as a `Comparison`, reading only those whose files changed; None when
        `only_if_changed` and none did."""
        changed = set(run_dirs) != set(self._runs)
        runs = []
        for run_dir in run_dirs:
            run = self._runs.get(run_dir)
            if run is None or run.stamp != files_stamp(run_dir):
                run, changed = ComparedRun.read(run_dir), True
            runs.append(run)
        self._runs = dict(zip(run_dirs, runs))
        return Comparison(runs) if changed or not only_if_changed else None

    def images(self, paths: tuple, tag) -> GridImages:
        return GridImages(paths, tuple(self._image(p) for p in paths), tag)

    def _image(self, path: str | None) -> np.ndarray | None:
        from gan_studio.core.images import load_image

        if path is None:
            return None
        try:
            key = (path, os.stat(path).st_mtime_ns)
        except OSError:
            return None
        if key in self._images:
            self._images.move_to_end(key)
            return self._images[key]
        try:
            image = load_image(path)
        except (OSError, ValueError):
            return None  # a grid being written, or a damaged one: that run shows none
        self._images[key] = image
        while len(self._images) > KEPT_IMAGES:
            self._images.popitem(last=False)
        return image


class CompareReader(QObject):
    """Reads the compared runs and the grids a slider asks for, each on its own thread.

    One read of each kind runs at a time; a newer request waits and replaces a waiting one,
    so a dragged slider never queues up grids it has moved past. `reload_if_changed` reads
    again only the runs whose files changed (a sweep's runs as they train) and emits nothing
    when none did.

    Signals:
        loaded(Comparison): the runs of the latest `load`, read (again).
        grids_read(GridImages): the grid images of the latest `read_grids`.
        failed(str): one line saying why the runs could not be compared.

    Args:
        parent: the owning QObject.
    """

    loaded = Signal(object)
    grids_read = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._runs_tasks = TaskRunner("compare-runs", self)
        self._grid_tasks = TaskRunner("compare-grids", self)
        self._reading = _Reading()
        self._run_dirs: tuple = ()
        self._waiting_runs: tuple | None = None  # (run_dirs, only_if_changed)
        self._waiting_grids: tuple | None = None

    @property
    def run_dirs(self) -> tuple:
        """The folders of the latest `load`."""
        return self._run_dirs

    @property
    def busy(self) -> bool:
        """Whether a read is under way."""
        return self._runs_tasks.busy or self._grid_tasks.busy

    def load(self, run_dirs: list[str]) -> None:
        """Reads `run_dirs` (unchanged ones from memory); `loaded` or `failed` follows."""
        self._run_dirs = tuple(os.fspath(d) for d in run_dirs)
        self._ask_runs((self._run_dirs, False))

    def reload_if_changed(self) -> None:
        """Reads again the loaded runs whose files changed; `loaded` follows if any did."""
        if not self._run_dirs:
            return
        if self._runs_tasks.busy and self._waiting_runs is not None:
            return  # a load waits already: it reads what changed
        self._ask_runs((self._run_dirs, True))

    def _ask_runs(self, request: tuple) -> None:
        if self._runs_tasks.busy:
            self._waiting_runs = request
            return
        self._runs_tasks.submit(self._reading.comparison, *request, on_done=self._on_runs,
                                on_error=self._on_runs_failed)

    def _next_runs(self) -> None:
        request, self._waiting_runs = self._waiting_runs, None
        if request is not None:
            self._ask_runs(request)

    def _on_runs(self, comparison: Comparison | None) -> None:
        if comparison is not None:
            if self._waiting_runs is not None:
                # This read took in the changes: the next one must be emitted even if it
                # finds none of its own.
                self._waiting_runs = (self._waiting_runs[0], False)
            elif tuple(comparison.run_dirs) == self._run_dirs:
                self.loaded.emit(comparison)
        self._next_runs()

    def _on_runs_failed(self, message: str) -> None:
        if self._waiting_runs is None:
            self.failed.emit(message)
        self._next_runs()

    def read_grids(self, paths: list[str | None], tag=None) -> None:
        """Reads the grid files `paths` (None: no grid); `grids_read` follows."""
        request = (tuple(paths), tag)
        if self._grid_tasks.busy:
            self._waiting_grids = request
            return
        self._grid_tasks.submit(self._reading.images, *request, on_done=self._on_grids,
                                on_error=lambda message: self._next_grids())

    def _next_grids(self) -> None:
        request, self._waiting_grids = self._waiting_grids, None
        if request is not None:
            self.read_grids(*request)

    def _on_grids(self, images: GridImages) -> None:
        if self._waiting_grids is None:  # a newer request makes these stale
            self.grids_read.emit(images)
        self._next_grids()

    def shutdown(self) -> None:
        """Drops waiting requests and joins both threads (at most one read each)."""
        self._waiting_runs = self._waiting_grids = None
        self._runs_tasks.shutdown()
        self._grid_tasks.shutdown()

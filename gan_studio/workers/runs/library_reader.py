"""The runs library's folders read off the GUI thread, a batch at a time, again only when they
change.

Example:

```python
reader = LibraryReader()
reader.summaries.connect(model.upsert)     # lists of LibraryRow
reader.removed.connect(model.remove)       # lists of folders
reader.refresh([runs_dir])
...
reader.shutdown()                           # on close
```
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from gan_studio.core.runs.library import (
    RunSummary,
    change_signature,
    read_summary,
    read_thumbnail,
    scan_runs,
    sweep_folders,
)
from gan_studio.core.runs.location import run_activity

BATCH_SIZE = 50  # summaries per signal at most...
BATCH_SECONDS = 0.1  # ... and at most this long between two, so the table fills as it reads


@dataclass(frozen=True)
class LibraryRow:
    """One run as the library shows it.

    Args:
        summary: what was read of its folder.
        thumbnail: its newest grid shrunk to about 64 px (uint8 (H, W) or (H, W, 3)), or None.
    """

    summary: RunSummary
    thumbnail: np.ndarray | None = None


class _Generations:
    """The newest refresh's number, shared by both threads: a read that is no longer the
    newest stops between two folders (cooperative cancel)."""

    def __init__(self):
        self._lock = threading.Lock()
        self._newest = 0

    def next(self) -> int:
        with self._lock:
            self._newest += 1
            return self._newest

    def is_newest(self, generation: int) -> bool:
        with self._lock:
            return generation == self._newest


def _read_row(folder: str) -> LibraryRow:
    try:
        summary = read_summary(folder)
        return LibraryRow(summary, read_thumbnail(summary.grid))
    except Exception as exc:  # noqa: BLE001 - a folder no check foresaw is a row, not a stop
        return LibraryRow(RunSummary(folder, os.path.basename(folder),
                                     problem=f"cannot be read: {exc}"))


class _ReadWorker(QObject):
    """Lives on the reader's thread; keeps each folder's change signature and reads only the
    folders whose signature changed."""

    rows = Signal(int, object)
    removed = Signal(int, object)
    sweeps = Signal(int, object)
    done = Signal(int)

    def __init__(self, generations: _Generations, clock: Callable[[], float]):
        super().__init__()
        self._generations = generations
        self._clock = clock
        self._signatures: dict[str, tuple] = {}

    @Slot(int, object, bool)
    def read(self, generation: int, roots: list[str], reread: bool) -> None:
        if not self._generations.is_newest(generation):
            return  # a newer refresh is queued behind this one
        if reread:
            self._signatures.clear()
        folders = scan_runs(roots)
        self.sweeps.emit(generation, sweep_folders(roots))
        present = set(folders)
        gone = [f for f in self._signatures if f not in present]
        for folder in gone:
            del self._signatures[folder]
        if gone:
            self.removed.emit(generation, gone)
        # The most recently active first: those are the runs the user looks for.
        folders.sort(key=lambda f: run_activity(f) or 0.0, reverse=True)
        batch, last_sent = [], self._clock()
        for folder in folders:
            if not self._generations.is_newest(generation):
                break
            signature = change_signature(folder)
            if self._signatures.get(folder) == signature:
                continue
            batch.append(_read_row(folder))
            self._signatures[folder] = signature
            if len(batch) >= BATCH_SIZE or self._clock() - last_sent >= BATCH_SECONDS:
                self.rows.emit(generation, batch)
                batch, last_sent = [], self._clock()
        if batch:
            self.rows.emit(generation, batch)
        if self._generations.is_newest(generation):
            self.done.emit(generation)


class LibraryReader(QObject):
    """Reads the run folders of some roots on its own thread, for the runs library.

    The first `refresh` reads every folder; later ones only the folders whose files changed
    (`core/runs/library.change_signature`) and report the folders that went. A refresh asked
    while one runs supersedes it: the older stops after its current folder (what it read
    still arrives).

    Signals:
        summaries(list): `LibraryRow`s of new or changed folders, in batches (at most
            `BATCH_SIZE`, `BATCH_SECONDS` apart).
        removed(list): folders (absolute paths) no longer in the roots.
        sweeps(list): the sweep folders in the roots, found by each refresh (to watch).
        done(): the newest refresh has read every folder.

    Args:
        clock: seconds, for the batches' pace (tests pass their own).
        parent: the owning QObject.
    """

    summaries = Signal(list)
    removed = Signal(list)
    sweeps = Signal(list)
    done = Signal()
    _read = Signal(int, object, bool)

    def __init__(self, clock: Callable[[], float] = time.monotonic,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._generations = _Generations()
        self._pending: int | None = None
        self._thread = QThread()
        self._thread.setObjectName("runs-library")
        self._worker = _ReadWorker(self._generations, clock)
        self._worker.moveToThread(self._thread)
        self._read.connect(self._worker.read)
        self._worker.rows.connect(self._on_rows)
        self._worker.removed.connect(self._on_removed)
        self._worker.sweeps.connect(self._on_sweeps)
        self._worker.done.connect(self._on_done)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """Whether a refresh has not finished yet."""
        return self._pending is not None

    def refresh(self, roots: list[str], reread: bool = False) -> None:
        """Reads the run folders of `roots` that changed since the last refresh.

        Args:
            roots: runs folders (see `core/runs/library.scan_runs`).
            reread: read every folder again, changed or not.
        """
        if not self._thread.isRunning():
            return
        self._pending = self._generations.next()
        self._read.emit(self._pending, [os.fspath(r) for r in roots], reread)

    def shutdown(self) -> None:
        """Stops a refresh under way and joins the thread (call on close)."""
        self._generations.next()
        self._pending = None
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    @Slot(int, object)
    def _on_rows(self, _generation: int, rows: list) -> None:
        self.summaries.emit(rows)  # an older refresh's rows are still true: the cache has them

    @Slot(int, object)
    def _on_removed(self, _generation: int, folders: list) -> None:
        self.removed.emit(folders)

    @Slot(int, object)
    def _on_sweeps(self, _generation: int, folders: list) -> None:
        self.sweeps.emit(folders)

    @Slot(int)
    def _on_done(self, generation: int) -> None:
        if generation == self._pending:
            self._pending = None
            self.done.emit()

"""Loads TensorFlow and finds the compute device on a background thread, after the window shows."""

from __future__ import annotations

import gc
import logging
import os
import threading
from importlib import metadata

from PySide6.QtCore import QObject, Signal

from gan_studio.workers.tasks import TaskRunner

log = logging.getLogger(__name__)

BACKGROUND_NICENESS = 10


def lower_thread_priority(niceness: int = BACKGROUND_NICENESS) -> bool:
    """Lowers the calling thread's CPU priority (Linux; elsewhere a no-op).

    Linux threads inherit their creator's nice value, so calling this on the thread that first
    starts TensorFlow's runtime puts TensorFlow's thread pools in the background too: training
    then takes whatever CPU the window and the latent explorer leave.

    Args:
        niceness: the nice value to set (higher is lower priority).

    Returns:
        Whether the priority was changed.
    """
    if not hasattr(os, "setpriority") or not os.path.isdir("/proc/self/task"):
        return False
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) >= niceness:
            return False
        os.setpriority(os.PRIO_PROCESS, tid, niceness)
    except OSError as exc:  # e.g. a sandbox that forbids it: run at normal priority
        log.debug("cannot lower the thread's priority: %s", exc)
        return False
    return True


def package_version(name: str) -> str:
    """Returns an installed package's version without importing it ("unknown" if absent)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "unknown"


def load_tensorflow() -> str:
    """Imports TensorFlow (through `gan_studio.ml`) and describes the device it will train on.

    Returns:
        "GPU: <name>" or "CPU".

    Raises:
        ImportError: if TensorFlow or the engine cannot be imported.
    """
    lower_thread_priority()  # before TensorFlow makes its thread pools, which inherit it
    from gan_studio.ml.runtime.device import describe_device, import_tensorflow  # seconds

    device = describe_device()  # sets GPU memory growth, which must come before the runtime
    # Start the runtime now, on this thread: its compute pools inherit the lowered priority
    # whatever thread runs the first operation later (the window's never should, but may).
    import_tensorflow().config.list_logical_devices()
    freeze_loaded_objects()
    return device


def freeze_loaded_objects() -> int:
    """Moves every object alive now out of the garbage collector's reach.

    Once TensorFlow, Keras, Qt and pyqtgraph are loaded, the heap holds some 300,000 objects
    that live as long as the app. A full collection scans them all while holding the GIL: one
    falling while a run traces its train step froze the window for 180 ms (figure 3 of
    tests/benchmarks/RESULTS.md). Frozen, they are skipped; objects made later are collected
    as usual.

    Returns:
        How many objects are frozen.
    """
    gc.freeze()
    return gc.get_freeze_count()


class TFLoader(QObject):
    """Loads TensorFlow once, off the GUI thread.

    Signals:
        loaded(str): the device description ("GPU: <name>" or "CPU").
        failed(str): a readable reason why TensorFlow could not be loaded.

    Args:
        parent: the owning QObject.
    """

    loaded = Signal(str)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._runner: TaskRunner | None = None
        self.device: str | None = None
        self.gpus = 0  # GPUs TensorFlow sees, once loaded
        self.tensorflow_version = package_version("tensorflow")

    def start(self) -> None:
        """Starts loading; does nothing if it was started before."""
        if self._runner is not None:
            return
        self._runner = TaskRunner("tensorflow-loader", self)
        self._runner.submit(load_tensorflow, on_done=self._on_loaded, on_error=self.failed.emit)

    def shutdown(self) -> None:
        """Waits for the import to finish (an import cannot be interrupted) and joins the thread."""
        if self._runner is not None:
            self._runner.shutdown()

    def _on_loaded(self, device: str) -> None:
        from gan_studio.ml.runtime.device import (
            gpu_count,  # (counted while loading: no TensorFlow call)
        )

        self.device, self.gpus = device, gpu_count()
        self.loaded.emit(device)

"""Latest-request slots: a worker thread that only ever does the newest job of each kind.

Dragging a slider asks for a new image many times a second. Queueing every request would make
the preview trail the mouse further and further behind; instead each channel keeps one pending
request, a newer one replaces it, and an idle worker thread is woken once (not once per
request). With two workers a new request starts at once even while the previous one is still
being drawn (whose result the window then drops as stale), instead of waiting for it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gan_studio.workers.tasks import describe_exception

log = logging.getLogger(__name__)


@dataclass
class Job:
    """One pending request.

    Attributes:
        channel: the kind of work (requests of one channel replace each other).
        request_id: increasing per slots object; results carry it back.
        payload: what the handler needs.
    """

    channel: str
    request_id: int
    payload: Any


class LatestSlots:
    """A thread-safe mailbox holding at most one job per channel.

    Args:
        channels: the channels, most urgent first: `take` serves them in this order.
        workers: how many consumers take jobs (numbered from 0; all idle at first).
    """

    def __init__(self, channels: Sequence[str], workers: int = 1):
        self._order = tuple(channels)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._idle = list(range(workers))  # consumers that are neither busy nor woken
        self.replaced = 0  # requests dropped because a newer one came first

    def put(self, channel: str, payload: Any) -> tuple[int, int | None]:
        """Stores a request, replacing the channel's pending one.

        Returns:
            (request id, the idle consumer to wake, or None while all are busy or woken:
            a busy consumer takes the request when it finishes).
        """
        if channel not in self._order:
            raise ValueError(f"unknown channel {channel!r}")
        with self._lock:
            request_id = next(self._ids)
            if channel in self._jobs:
                self.replaced += 1
            self._jobs[channel] = Job(channel, request_id, payload)
            wake = self._idle.pop(0) if self._idle else None
        return request_id, wake

    def take(self, channel: str | None = None, worker: int | None = None) -> Job | None:
        """Removes and returns the most urgent pending job (or that of `channel`).

        Args:
            channel: take only this channel's job.
            worker: the consumer asking; when there is nothing to take it counts as idle
                (in the same step, so no request can slip in unnoticed).
        """
        with self._lock:
            if channel is not None:
                return self._jobs.pop(channel, None)
            for name in self._order:
                if name in self._jobs:
                    return self._jobs.pop(name)
            if worker is not None and worker not in self._idle:
                self._idle.append(worker)
            return None

    def pending(self, channel: str) -> bool:
        """Whether `channel` has a job waiting."""
        with self._lock:
            return channel in self._jobs

    def clear(self) -> None:
        """Drops every pending job."""
        with self._lock:
            self._jobs.clear()


class _SlotWorker(QObject):
    """Lives on the worker thread: drains the slots through the handler."""

    done = Signal(object, object)  # Job, result
    failed = Signal(object, str)  # Job, message
    wake = Signal()  # emitted from the owner's thread: queued to this worker's

    def __init__(self, index: int, slots: LatestSlots, handler: Callable,
                 on_start: Callable | None):
        super().__init__()
        self.wake.connect(self.drain)
        self.index = index
        self.slots, self._handler, self._on_start = slots, handler, on_start
        self._started = False
        self.closing = threading.Event()

    @Slot()
    def drain(self) -> None:
        if not self._started:
            self._started = True
            if self._on_start is not None:
                self._on_start()
        while not self.closing.is_set():
            job = self.slots.take(worker=self.index)
            if job is None:
                return
            self.run(job)

    def run(self, job: Job) -> None:
        try:
            result = self._handler(job, self)
        except Exception as exc:  # noqa: BLE001 - a failed render must not kill the thread
            log.debug("%s job failed:\n%s", job.channel, traceback.format_exc())
            self.failed.emit(job, describe_exception(exc))
        else:
            if result is not None:
                self.done.emit(job, result)


class LatestWorkerThread(QObject):
    """Runs `handler(job, worker)` on worker QThreads for the newest request of each channel.

    The handler may call `serve(worker, channel)` for a more urgent job between chunks of a
    long one. Results come back on the owner's thread, possibly out of order when there are
    several workers (each carries its request id).

    Signals:
        done(Job, object): a job finished with a result (None results are not reported).
        failed(Job, str): a job raised; the message is readable.

    Args:
        name: the threads' name.
        channels: the channels, most urgent first.
        handler: called on a worker thread as `handler(job, worker)`.
        on_start: called once on each worker thread before its first job (e.g. to lower its
            priority or cap BLAS threads).
        workers: how many worker threads.
        parent: the owning QObject.
    """

    done = Signal(object, object)
    failed = Signal(object, str)

    def __init__(self, name: str, channels: Sequence[str], handler: Callable,
                 on_start: Callable | None = None, workers: int = 1,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.slots = LatestSlots(channels, workers)
        self._threads: list[QThread] = []
        self._workers: list[_SlotWorker] = []
        for index in range(workers):
            thread = QThread()
            thread.setObjectName(f"{name}-{index}" if workers > 1 else name)
            worker = _SlotWorker(index, self.slots, handler, on_start)
            worker.moveToThread(thread)
            worker.done.connect(self.done)
            worker.failed.connect(self.failed)
            thread.start()
            self._threads.append(thread)
            self._workers.append(worker)

    @property
    def running(self) -> bool:
        """Whether any worker thread is alive (False after `shutdown`)."""
        return any(thread.isRunning() for thread in self._threads)

    def submit(self, channel: str, payload: Any) -> int:
        """Asks for `payload` to be handled; replaces the channel's pending request.

        Returns:
            The request's id (results carry it).
        """
        request_id, wake = self.slots.put(channel, payload)
        if wake is not None:
            self._workers[wake].wake.emit()
        return request_id

    def shutdown(self) -> None:
        """Drops pending jobs, lets current ones finish, then joins the threads. Blocks."""
        for worker in self._workers:
            worker.closing.set()
        self.slots.clear()
        for thread in self._threads:
            if thread.isRunning():
                thread.quit()
                thread.wait()


def serve(worker: _SlotWorker, channel: str) -> None:
    """Runs `channel`'s pending job now, if any (call it between chunks of a long job)."""
    job = worker.slots.take(channel)
    if job is not None:
        worker.run(job)

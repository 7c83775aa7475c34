"""Latest-request slots: a worker thread that only ever does the newest job of each kind.

Dragging a slider asks for a new image many times a second. Queueing every request would make
the preview trail the mouse further and further behind; instead each channel keeps one pending
request, a newer one replaces it, and the worker thread is woken once (not once per request).
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
    """

    def __init__(self, channels: Sequence[str]):
        self._order = tuple(channels)
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._wake_pending = False
        self.replaced = 0  # requests dropped because a newer one came first

    def put(self, channel: str, payload: Any) -> tuple[int, bool]:
        """Stores a request, replacing the channel's pending one.

        Returns:
            (request id, whether the consumer must be woken: False while a wake-up is pending).
        """
        if channel not in self._order:
            raise ValueError(f"unknown channel {channel!r}")
        with self._lock:
            request_id = next(self._ids)
            if channel in self._jobs:
                self.replaced += 1
            self._jobs[channel] = Job(channel, request_id, payload)
            wake = not self._wake_pending
            self._wake_pending = True
        return request_id, wake

    def take(self, channel: str | None = None) -> Job | None:
        """Removes and returns the most urgent pending job (or that of `channel`).

        With no `channel`, an empty mailbox also clears the wake-up flag, so that the next
        `put` wakes the consumer again.
        """
        with self._lock:
            if channel is not None:
                return self._jobs.pop(channel, None)
            for name in self._order:
                if name in self._jobs:
                    return self._jobs.pop(name)
            self._wake_pending = False
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

    def __init__(self, slots: LatestSlots, handler: Callable, on_start: Callable | None):
        super().__init__()
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
            job = self.slots.take()
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
    """Runs `handler(job, worker)` on its own QThread for the newest request of each channel.

    The handler may call `worker.run(job)` for a more urgent job between chunks of a long one
    (see `serve`). Results come back on the owner's thread.

    Signals:
        done(Job, object): a job finished with a result (None results are not reported).
        failed(Job, str): a job raised; the message is readable.

    Args:
        name: the thread's name.
        channels: the channels, most urgent first.
        handler: called on the worker thread as `handler(job, worker)`.
        on_start: called once on the worker thread before the first job (e.g. to lower its
            priority or cap BLAS threads).
        parent: the owning QObject.
    """

    done = Signal(object, object)
    failed = Signal(object, str)
    _wake = Signal()

    def __init__(self, name: str, channels: Sequence[str], handler: Callable,
                 on_start: Callable | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.slots = LatestSlots(channels)
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _SlotWorker(self.slots, handler, on_start)
        self._worker.moveToThread(self._thread)
        self._wake.connect(self._worker.drain)
        self._worker.done.connect(self.done)
        self._worker.failed.connect(self.failed)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether the thread is alive (False after `shutdown`)."""
        return self._thread.isRunning()

    def submit(self, channel: str, payload: Any) -> int:
        """Asks for `payload` to be handled; replaces the channel's pending request.

        Returns:
            The request's id (results carry it).
        """
        request_id, wake = self.slots.put(channel, payload)
        if wake:
            self._wake.emit()
        return request_id

    def shutdown(self) -> None:
        """Drops pending jobs, lets the current one finish, then joins the thread. Blocks."""
        self._worker.closing.set()
        self.slots.clear()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()


def serve(worker: _SlotWorker, channel: str) -> None:
    """Runs `channel`'s pending job now, if any (call it between chunks of a long job)."""
    job = worker.slots.take(channel)
    if job is not None:
        worker.run(job)

"""Runs short blocking jobs (reading a run, exporting, listing checkpoints) off the GUI thread."""

from __future__ import annotations

import itertools
import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gan_studio.core.atomic import describe_os_error
from gan_studio.workers.fresh_thread import call_on_fresh_thread

log = logging.getLogger(__name__)


class _TaskWorker(QObject):
    """Lives on the background thread; runs each job it is sent and reports the outcome."""

    done = Signal(int, object)
    failed = Signal(int, str)

    @Slot(int, object)
    def run(self, task_id: int, job: Callable[[], Any]) -> None:
        try:
            result = call_on_fresh_thread(job, f"task {task_id}")
        except Exception as exc:  # noqa: BLE001 - any failure becomes a message for the user
            log.debug("task %d failed:\n%s", task_id, traceback.format_exc())
            self.failed.emit(task_id, describe_exception(exc))
        else:
            self.done.emit(task_id, result)


def describe_exception(exc: BaseException) -> str:
    """Turns an exception into a sentence for a dialog.

    Args:
        exc: the exception.

    Returns:
        The exception's own message (an OSError's reason alone), or its type name when it has
        none.
    """
    text = str(exc).strip()
    if isinstance(exc, OSError) and exc.strerror:
        return describe_os_error(exc)
    if type(exc).__name__ == "ResourceExhaustedError" or isinstance(exc, MemoryError):
        return ("Out of memory. Try a smaller batch size or image size." +
                (f"\n\n{text}" if text else ""))
    return text or type(exc).__name__


class TaskRunner(QObject):
    """Runs callables one at a time on its own QThread and calls back on the owner's thread.

    Args:
        name: the thread's name (shown in debuggers).
        parent: the owning QObject.
    """

    _submit = Signal(int, object)

    def __init__(self, name: str = "tasks", parent: QObject | None = None):
        super().__init__(parent)
        self._ids = itertools.count(1)
        self._callbacks: dict[int, tuple[Callable | None, Callable | None]] = {}
        self._thread = QThread()
        self._thread.setObjectName(name)
        self._worker = _TaskWorker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.run)
        self._worker.done.connect(self._on_done)
        self._worker.failed.connect(self._on_failed)
        self._thread.start()

    @property
    def busy(self) -> bool:
        """Whether a submitted job has not reported back yet."""
        return bool(self._callbacks)

    def submit(self, job: Callable[..., Any], *args: Any,
               on_done: Callable[[Any], None] | None = None,
               on_error: Callable[[str], None] | None = None) -> int:
        """Queues `job(*args)` on the background thread.

        Args:
            job: the function to run; it must not touch widgets.
            *args: its arguments.
            on_done: called on this object's thread with the result.
            on_error: called on this object's thread with a readable message if it raises.

        Returns:
            The job's id.
        """
        task_id = next(self._ids)
        self._callbacks[task_id] = (on_done, on_error)
        self._submit.emit(task_id, (lambda: job(*args)) if args else job)
        return task_id

    def shutdown(self) -> None:
        """Lets queued jobs finish, then stops and joins the thread."""
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()
        self._callbacks.clear()

    @Slot(int, object)
    def _on_done(self, task_id: int, result: Any) -> None:
        on_done, _ = self._callbacks.pop(task_id, (None, None))
        if on_done is not None:
            on_done(result)

    @Slot(int, str)
    def _on_failed(self, task_id: int, message: str) -> None:
        _, on_error = self._callbacks.pop(task_id, (None, None))
        if on_error is not None:
            on_error(message)
        else:
            log.warning("background task failed: %s", message)

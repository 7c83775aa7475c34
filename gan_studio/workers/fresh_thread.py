"""Runs a blocking job on a Python thread of its own, so that TensorFlow never meets a stale
thread state."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def call_on_fresh_thread(job: Callable[[], Any], name: str) -> Any:
    """Calls `job()` on a new Python thread, waits for it and returns (or raises) what it did.

    A QThread runs each Python slot under a thread state that Shiboken makes for the call and
    drops after it; TensorFlow's pybind11 bindings remember the thread state they first saw on
    a thread. The second TensorFlow job of a long-lived QThread then took the GIL through a
    freed thread state: the second run in one window session hung in its first variable (or
    died with a double free). A thread per job owns one thread state from start to end.

    Args:
        job: what to run; it may block for hours (a training run).
        name: the thread's name, as debuggers and `py-spy` show it.

    Returns:
        `job()`'s result.

    Raises:
        Whatever `job()` raised, unchanged.
    """
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["result"] = job()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name=name)
    thread.start()
    thread.join()
    if "error" in outcome:
        error = outcome.pop("error")
        try:
            raise error
        finally:
            del error  # no reference cycle through the traceback
    return outcome.get("result")

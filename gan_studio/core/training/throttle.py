"""Rate limits for what a training run sends out: one clock, one rule, used everywhere."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class Throttle:
    """Says whether something limited to once per `interval` seconds may happen again.

    The clock is `time.monotonic`, read at each call (tests monkeypatch it).

    Args:
        interval: the shortest time between two occurrences, in seconds.
        ready: whether `due` is True at once; False waits `interval` from now first.
    """

    def __init__(self, interval: float, ready: bool = True):
        self.interval = interval
        self._last = -float("inf") if ready else time.monotonic()

    def due(self) -> bool:
        """Whether `interval` seconds have passed since the last `restart`."""
        return time.monotonic() - self._last >= self.interval

    def restart(self) -> None:
        """Marks the occurrence now: `due` turns False for `interval` seconds."""
        self._last = time.monotonic()


class Coalescer:
    """Passes items on at most once per `interval` seconds; in between it keeps the latest.

    An item pushed too soon is held (replacing any held one) until a later `push` or `poll`
    finds the interval over, or `flush` sends it regardless.

    Args:
        emit: receives the items passed on.
        interval: the shortest time between two items, in seconds.
    """

    def __init__(self, emit: Callable[[Any], None], interval: float):
        self._emit = emit
        self._throttle = Throttle(interval)
        self._pending = None

    def push(self, item: Any) -> None:
        """Passes `item` on now if the interval is over, else holds it."""
        self._pending = item
        self.poll()

    def poll(self) -> None:
        """Passes the held item on if the interval is over."""
        if self._pending is not None and self._throttle.due():
            self.flush()

    def flush(self) -> None:
        """Passes the held item on now, if there is one."""
        if self._pending is not None:
            item, self._pending = self._pending, None
            self._throttle.restart()
            self._emit(item)

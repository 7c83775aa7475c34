"""How many cores other processes keep busy: what a render may count on having to itself."""

from __future__ import annotations

import os
import time
from collections.abc import Callable

PROC_STAT = "/proc/stat"
WINDOW = 0.5  # seconds: the load is averaged over at least this long (a drag's few renders)


def usable_cores() -> int:
    """The cores this process may run on (its affinity where the system tells it)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # no affinity on this system
        return max(1, os.cpu_count() or 1)


def machine_busy_seconds(path: str = PROC_STAT) -> float | None:
    """CPU seconds all processes have spent busy since boot (Linux), or None where unknown.

    Busy is everything but idle and I/O wait, summed over the cores (`/proc/stat`'s first line).
    """
    try:
        with open(path, encoding="ascii") as f:
            fields = f.readline().split()
        ticks = [int(n) for n in fields[1:]]
        idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
        return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):  # not Linux, or unreadable
        return None


def own_busy_seconds() -> float:
    """CPU seconds this process's threads have spent, user and system."""
    times = os.times()
    return times.user + times.system


class OthersLoad:
    """How many cores other processes have kept busy lately, this process's own work left out.

    A browser or a second app holding a core is invisible to this process's thread counts, but
    it decides how many threads a render should ask for: two BLAS threads on a 2-core machine
    with one core taken wait on each other at every barrier (a 64 px render took 1.5 s instead
    of 40 ms). Read from the machine's busy time less this process's, over the last `window`
    seconds at least.

    Args:
        machine: returns the machine's busy CPU seconds (None: unknown on this system).
        own: returns this process's busy CPU seconds.
        clock: a monotonic clock in seconds.
        window: the shortest span the load is averaged over.
    """

    def __init__(self, machine: Callable[[], float | None] = machine_busy_seconds,
                 own: Callable[[], float] = own_busy_seconds,
                 clock: Callable[[], float] = time.monotonic, window: float = WINDOW):
        self._machine, self._own, self._clock, self._window = machine, own, clock, window
        self._older: tuple[float, float, float] | None = None  # (time, machine, own)
        self._newer: tuple[float, float, float] | None = None
        self._cores: float | None = None

    def cores(self) -> float | None:
        """Cores' worth of other processes' work over the last window or so (None: unknown)."""
        machine = self._machine()
        if machine is None:
            return None
        now = (self._clock(), machine, self._own())
        if self._older is None:
            self._older = self._newer = now
            return self._cores
        if now[0] - self._newer[0] >= self._window:
            self._older, self._newer = self._newer, now
        span = now[0] - self._older[0]
        if span >= self._window:
            busy = (now[1] - self._older[1]) - (now[2] - self._older[2])
            self._cores = max(0.0, busy / span)
        return self._cores

"""A run's length in time: the training time it may take, counted across pauses and restarts."""

from __future__ import annotations

import contextlib
import math
import time


def describe_minutes(minutes: float) -> str:
    """A budget in words: `45 minutes`, `1 hour`, `2.5 hours`, `90 seconds`."""
    if minutes < 1:
        return f"{minutes * 60:.3g} seconds"
    if minutes >= 60 and minutes % 30 == 0:
        hours = minutes / 60
        return f"{hours:g} hour{'s' if hours != 1 else ''}"
    return f"{minutes:.4g} minute{'s' if minutes != 1 else ''}"


class TimeBudget:
    """Counts the time a run has trained and says when its budget is spent.

    Time trained is the wall time of the sessions that trained the run, less the time each
    spent paused by the user: a run that is paused over lunch, or closed and resumed the next
    day, still trains for its budget. A quality measurement or a checkpoint counts, since they
    are part of what the run costs.

    Args:
        minutes: the budget (0: none; the run's length is counted in steps or epochs).
        trained_before: seconds the run trained in earlier sessions.
        clock: where the time comes from (seconds, monotonic); tests inject their own.
    """

    def __init__(self, minutes: float = 0.0, trained_before: float = 0.0, clock=time.monotonic):
        self.seconds = max(0.0, float(minutes)) * 60.0
        self._before = max(0.0, float(trained_before))
        self._clock = clock
        self._start = clock()
        self._paused_at: float | None = None
        self._paused = 0.0

    @property
    def limited(self) -> bool:
        """Whether the run's length is a time."""
        return self.seconds > 0

    @property
    def trained(self) -> float:
        """Seconds trained so far, earlier sessions included."""
        now = self._paused_at if self._paused_at is not None else self._clock()
        return self._before + max(0.0, now - self._start - self._paused)

    @property
    def session(self) -> float:
        """Seconds trained in this session."""
        return self.trained - self._before

    @property
    def remaining(self) -> float:
        """Seconds left (infinite without a budget)."""
        return max(0.0, self.seconds - self.trained) if self.limited else math.inf

    @property
    def spent(self) -> bool:
        """Whether the budget is used up (never, without one)."""
        return self.limited and self.trained >= self.seconds

    def pause(self) -> None:
        """Stops counting (the user paused the run)."""
        if self._paused_at is None:
            self._paused_at = self._clock()

    def resume(self) -> None:
        """Counts again after `pause`."""
        if self._paused_at is not None:
            self._paused += self._clock() - self._paused_at
            self._paused_at = None

    @contextlib.contextmanager
    def paused(self):
        """Stops counting for the block's duration (a wait that is not training)."""
        self.pause()
        try:
            yield
        finally:
            self.resume()

"""Cooperative pause/resume/stop flags shared by a training loop and whoever drives it."""

from __future__ import annotations

import threading


class TrainControl:
    """Thread-safe flags a training loop checks at least once per step.

    The loop never gets interrupted from outside: it looks at these flags between steps, so a
    stop always ends at a consistent state that can be checkpointed.
    """

    def __init__(self):
        self._stop = threading.Event()
        self._running = threading.Event()
        self._running.set()
        self._checkpoint = threading.Event()
        self._evaluation = threading.Event()

    def pause(self) -> None:
        """Asks the loop to wait before its next step."""
        self._running.clear()

    def resume(self) -> None:
        """Lets a paused loop continue."""
        self._running.set()

    def stop(self) -> None:
        """Asks the loop to save a checkpoint and return (also wakes a paused loop)."""
        self._stop.set()
        self._running.set()

    def request_checkpoint(self) -> None:
        """Asks the loop to save a checkpoint after the current step."""
        self._checkpoint.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    @property
    def stop_event(self) -> threading.Event:
        """The event set by `stop` (long operations such as downloads watch it to cancel)."""
        return self._stop

    def wait_while_paused(self, timeout: float | None = None) -> bool:
        """Blocks while paused; returns True once running (or stopping), False on timeout."""
        return self._running.wait(timeout)

    def request_evaluation(self) -> None:
        """Asks the loop to measure the generator's quality after the current step."""
        self._evaluation.set()

    def take_evaluation_request(self) -> bool:
        """Returns whether a quality evaluation was requested, clearing the request."""
        if self._evaluation.is_set():
            self._evaluation.clear()
            return True
        return False

    def take_checkpoint_request(self) -> bool:
        """Returns whether a checkpoint was requested, clearing the request."""
        if self._checkpoint.is_set():
            self._checkpoint.clear()
            return True
        return False

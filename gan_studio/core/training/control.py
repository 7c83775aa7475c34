"""Cooperative pause/resume/stop flags shared by a training loop and whoever drives it."""

from __future__ import annotations

import threading

from gan_studio.core.training.events import EventKind

# What a loop waiting at a flag tells: (event message, the event after it, its message).
WAITS = {EventKind.PAUSED: ("Paused", EventKind.RESUMED, "Resumed"),
         EventKind.HELD: ("Training waits while the latent search runs", EventKind.RELEASED, "")}


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
        self._holds = 0  # `hold`s not yet released
        self._free = threading.Event()  # set while nothing holds the loop
        self._free.set()
        self._lock = threading.Lock()

    def pause(self) -> None:
        """Asks the loop to wait before its next step."""
        self._running.clear()

    def resume(self) -> None:
        """Lets a paused loop continue."""
        self._running.set()

    def stop(self) -> None:
        """Asks the loop to save a checkpoint and return (also wakes a paused or held loop)."""
        self._stop.set()
        self._running.set()
        self._free.set()

    def hold(self) -> None:
        """Asks the loop to wait before its next step until as many `release`s have come.

        Unlike `pause` the run is not paused (nobody asked it to be): something in the
        foreground, a latent search, needs the CPU for a few seconds. Sharing it step by step
        made a 6 s search take 68 s, as TensorFlow's one thread pool served both.
        """
        with self._lock:
            self._holds += 1
            self._free.clear()

    def release(self) -> None:
        """Ends one `hold`; the loop goes on once none is left."""
        with self._lock:
            self._holds = max(0, self._holds - 1)
            if not self._holds:
                self._free.set()

    @property
    def held(self) -> bool:
        return not self._free.is_set()

    def wait_while_held(self, timeout: float | None = None) -> bool:
        """Blocks while held; returns True once free (or stopping), False on timeout."""
        return self._free.wait(timeout)

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

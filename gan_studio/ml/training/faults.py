"""What a run does when its losses go non-finite or a file it writes cannot be written."""

from __future__ import annotations

from collections.abc import Callable

from gan_studio.core.training.control import TrainControl
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.ml.runs.checkpoints import CheckpointError, CheckpointStore
from gan_studio.ml.training.data import TrainingError

FAULT_POLICIES = ("pause", "raise")
KEPT = "The run stopped; its last checkpoint is kept."
PAUSED = "Training is paused: make room (or fix the folder), then resume, or stop."


class RunFaults:
    """Saves a run's checkpoints and answers its faults, the same way for each kind of fault.

    In the window (`on_fault="pause"`) a fault is an event (`nan` or `write_failed`) and a
    pause, so that nothing trained is lost and the user decides; headless (`"raise"`), a
    `TrainingError` in one line. Once the losses went non-finite no checkpoint is written:
    weights with NaNs must never become the latest checkpoint.

    Args:
        store: the run's `CheckpointStore`.
        control: the run's pause/stop flags.
        emit: reports an `Event` (the trainer's, which flushes progress first).
        on_fault: one of FAULT_POLICIES.
    """

    def __init__(self, store: CheckpointStore, control: TrainControl,
                 emit: Callable[[Event], None], on_fault: str = "pause"):
        if on_fault not in FAULT_POLICIES:
            raise ValueError(f"on_fault must be one of {FAULT_POLICIES}, not {on_fault!r}")
        self.store, self.control, self.emit, self.on_fault = store, control, emit, on_fault
        self.poisoned = False
        self.ending = False  # set by the trainer once the last step is done

    def save(self, step: int, message: str, milestone: bool = False) -> str | None:
        """Saves a checkpoint of `step` and reports it; returns its prefix, or None if none
        was written (poisoned weights, or a write that failed in the window)."""
        if self.poisoned:
            return None
        try:
            path = self.store.save(step, milestone=milestone)
        except CheckpointError as exc:
            self.write_failed(str(exc))
            return None
        self.emit(Event(EventKind.CHECKPOINT, f"{message} (step {step})",
                        {"path": path, "step": step}))
        return path

    def write_failed(self, problem: str) -> None:
        """A file of the run could not be written: `problem` is one line naming it.

        Raises:
            TrainingError: headless, or while the run is stopping or ending (a pause cannot
                help then).
        """
        problem = problem.rstrip(".") + "."
        if self.on_fault == "raise" or self.control.stopping or self.ending:
            raise TrainingError(f"{problem} {KEPT}")
        # Paused before it is told: a Resume answered to the event must not come first.
        self.control.pause()
        self.emit(Event(EventKind.WRITE_FAILED, f"{problem} {PAUSED}", {"problem": problem}))

    def non_finite(self, step: int) -> None:
        """The losses became NaN or infinite at `step`.

        Raises:
            TrainingError: headless.
        """
        self.poisoned = True
        message = (f"The losses became NaN or infinite at step {step}. "
                   "Roll back to the last good checkpoint, or lower the learning rate.")
        if self.on_fault == "raise":
            raise TrainingError(message)
        self.control.pause()
        self.emit(Event(EventKind.NAN, message, {"step": step}))

"""What a run does when its losses go non-finite or a file it writes cannot be written."""

from __future__ import annotations

from collections.abc import Callable

from gan_studio.core.training.control import TrainControl
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.ml.runs.checkpoints import CheckpointError
from gan_studio.ml.training.data import TrainingError
from gan_studio.ml.training.outputs import OutputError

FAULT_POLICIES = ("pause", "raise")
KEPT = "The run stopped; its last checkpoint is kept."
PAUSED = "Training is paused: make room (or fix the folder), then resume, or stop."


class RunFaults:
    """Answers a run's faults, the same way for each kind of fault.

    In the window (`on_fault="pause"`) a fault is an event (`nan` or `write_failed`) and a
    pause, so that nothing trained is lost and the user decides; headless (`"raise"`), a
    `TrainingError` in one line.

    Not a hook (`RunHook`): a fault comes from wherever a write is refused or a step goes
    non-finite, not at a point of the loop, so the trainer and the hooks call it there
    (`RunContext.faults`).

    Args:
        control: the run's pause/stop flags.
        emit: reports an `Event` (the trainer's, which flushes progress first).
        on_fault: one of FAULT_POLICIES.

    Example:

    ```python
    faults = RunFaults(control, callbacks.on_event, on_fault="raise")
    faults.guarded(outputs.write_metrics, rows)  # a full disk: TrainingError, one line
    ```
    """

    def __init__(self, control: TrainControl, emit: Callable[[Event], None],
                 on_fault: str = "pause"):
        if on_fault not in FAULT_POLICIES:
            raise ValueError(f"on_fault must be one of {FAULT_POLICIES}, not {on_fault!r}")
        self.control, self.emit, self.on_fault = control, emit, on_fault
        self.ending = False  # set by the trainer once the last step is done

    def guarded(self, work: Callable, *args):
        """Runs `work(*args)`, which writes run files, and returns what it returns; a write
        the disk refuses (`OutputError`, `CheckpointError`) is a fault, and returns None."""
        try:
            return work(*args)
        except (OutputError, CheckpointError) as exc:
            self.write_failed(str(exc))
            return None

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
        """The losses became NaN or infinite at `step` (the hooks have heard of it first:
        `RunHook.on_non_finite`).

        Raises:
            TrainingError: headless.
        """
        message = (f"The losses became NaN or infinite at step {step}. "
                   "Roll back to the last good checkpoint, or lower the learning rate.")
        if self.on_fault == "raise":
            raise TrainingError(message)
        self.control.pause()
        self.emit(Event(EventKind.NAN, message, {"step": step}))

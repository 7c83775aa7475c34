"""The trainer's hooks: what runs at each point of the loop, and the run they see.

Like Keras' `Callback` and `CallbackList`: the trainer builds one `RunContext` and one
`RunHooks` list when a session starts, and calls the list at each point of its loop; the list
calls each hook in its order. The run's own hooks, in that order: `RunGrids` (grids.py),
`RunCheckpoints` (checkpointing.py), `LiveQuality` (live_quality.py), `RunLength` (length.py).
What is asked for a value (`RunLength`'s end step and budget) or called where a fault happens
(`RunFaults`) stays a plain call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.core.training.control import TrainControl
    from gan_studio.core.training.progress import Event
    from gan_studio.core.training.progress_meter import ProgressMeter
    from gan_studio.ml.runs.checkpoints import CheckpointStore
    from gan_studio.ml.training.faults import RunFaults
    from gan_studio.ml.training.outputs import RunOutputs


@dataclass
class RunContext:
    """What the hooks of a training session share; the trainer builds it once per session.

    Args:
        config: the run's configuration.
        write_dir: where this process writes: the run folder, or a non-chief worker's scratch.
        data: the training `Dataset` (images, labels, classes).
        gan: the run's `GAN` (its sampler, step counter, sample grid).
        store: the run's `CheckpointStore`.
        outputs: the run's `RunOutputs` (metrics, grids, quality.csv, TensorBoard).
        callbacks: the `TrainingCallbacks` the run reports to.
        control: the run's pause/stop flags and the user's requests.
        faults: the run's `RunFaults`: a refused write or a bad step goes there.
        emit: reports an `Event`, after the progress of the steps before it.
        progress: the session's `ProgressMeter` (the grid's timing; its clock stops while
            something that is not training runs).
        is_chief: whether this process writes the run's samples, metrics and quality.
        start_step: the step the session started from (0, or the checkpoint's).
        fresh_run: whether the run folder was made for this run (no checkpoint before).
        epochs_per_round: how many epochs one round's end work (grid, checkpoint) covers.
        hooks: the session's `RunHooks`, for a hook whose work is itself a point of the loop
            (`RunCheckpoints` calls `on_checkpoint` after each save).
    """

    config: TrainConfig
    write_dir: str
    data: Any
    gan: Any
    store: CheckpointStore
    outputs: RunOutputs
    callbacks: TrainingCallbacks
    control: TrainControl
    faults: RunFaults
    emit: Callable[[Event], None]
    progress: ProgressMeter
    is_chief: bool = True
    start_step: int = 0
    fresh_run: bool = False
    epochs_per_round: int = 1
    hooks: RunHooks | None = None

    @property
    def step(self) -> int:
        """The global step trained so far (the GAN's counter)."""
        return int(self.gan.step.numpy())


class RunHook:
    """Work the trainer runs at points of its loop; every method does nothing until overridden.

    Each method is called on the training thread, between steps, by `RunHooks` in the list's
    order. A write the disk refuses goes to `ctx.faults` (`guarded`), which pauses the run or
    raises `TrainingError`.

    Example:

    ```python
    class CheckpointNotice(RunHook):
        def on_checkpoint(self, ctx, step):
            ctx.emit(Event(EventKind.NOTICE, f"{ctx.store.latest} holds step {step}"))
    ```
    """

    def on_run_start(self, ctx: RunContext) -> None:
        """The session starts, before its first step (its checkpoint is restored)."""

    def on_wait(self, ctx: RunContext) -> None:
        """The loop waits (paused, or held by a latent search): called every 0.1 s or so."""

    def on_step_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        """The steps up to `step` (global) are trained and reported; `epoch` is zero-based."""

    def on_non_finite(self, ctx: RunContext, step: int) -> None:
        """The losses went NaN or infinite at `step`: the weights are poisoned. (The trainer
        then hands the fault to `ctx.faults`, which pauses or raises.)"""

    def on_epoch_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        """A round of epochs (`ctx.epochs_per_round`) ends with epoch `epoch` at `step`."""

    def on_checkpoint(self, ctx: RunContext, step: int) -> None:
        """A checkpoint of `step` was written."""

    def on_last_step(self, ctx: RunContext, step: int, stopped: bool) -> None:
        """Training is over at `step` (finished, or `stopped`): what must not be lost to a
        fault in the end's other work (the last checkpoint) runs here, before `on_run_end`."""

    def on_run_end(self, ctx: RunContext, step: int, epoch: int,
                   stopped: bool) -> dict[str, Any] | None:
        """The session ends (finished, or `stopped`) at `step`, in epoch `epoch`.

        Returns:
            What the `finished` or `stopped` event's data adds (None: nothing).
        """
        return None


class RunHooks:
    """Calls a list of `RunHook`s in order, as Keras' `CallbackList` does.

    Args:
        hooks: the hooks, in the order they run at every point.

    Example:

    ```python
    hooks = RunHooks([RunGrids(), RunCheckpoints(), LiveQuality(ctx), length])
    ctx.hooks = hooks
    hooks.on_run_start(ctx)
    ```
    """

    def __init__(self, hooks: list[RunHook]):
        self.hooks = list(hooks)

    def on_run_start(self, ctx: RunContext) -> None:
        for hook in self.hooks:
            hook.on_run_start(ctx)

    def on_wait(self, ctx: RunContext) -> None:
        for hook in self.hooks:
            hook.on_wait(ctx)

    def on_step_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        for hook in self.hooks:
            hook.on_step_end(ctx, step, epoch)

    def on_non_finite(self, ctx: RunContext, step: int) -> None:
        for hook in self.hooks:
            hook.on_non_finite(ctx, step)

    def on_epoch_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        for hook in self.hooks:
            hook.on_epoch_end(ctx, step, epoch)

    def on_checkpoint(self, ctx: RunContext, step: int) -> None:
        for hook in self.hooks:
            hook.on_checkpoint(ctx, step)

    def on_last_step(self, ctx: RunContext, step: int, stopped: bool) -> None:
        for hook in self.hooks:
            hook.on_last_step(ctx, step, stopped)

    def on_run_end(self, ctx: RunContext, step: int, epoch: int, stopped: bool) -> dict[str, Any]:
        """Returns what the hooks add to the end event's data, merged in the list's order."""
        data: dict[str, Any] = {}
        for hook in self.hooks:
            data.update(hook.on_run_end(ctx, step, epoch, stopped) or {})
        return data

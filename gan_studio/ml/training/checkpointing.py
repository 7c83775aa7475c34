"""When a training run saves its checkpoints: at a round of epochs' end, at the user's request
and as it ends, never once its weights went non-finite."""

from __future__ import annotations

from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.ml.runs.checkpoints import CheckpointError
from gan_studio.ml.training.hooks import RunContext, RunHook

SAVED = "Checkpoint saved"


class RunCheckpoints(RunHook):
    """Saves a run's checkpoints into `ctx.store` and reports each (`checkpoint`).

    Weights with NaNs must never become the latest checkpoint, so after `on_non_finite`
    nothing is saved. Each save is followed by the hooks' `on_checkpoint`; one the disk
    refuses goes to `ctx.faults` instead.

    Example:

    ```python
    checkpoints = RunCheckpoints()
    checkpoints.save(ctx, step, "Checkpoint saved")  # the prefix, or None
    ```
    """

    def __init__(self):
        self.poisoned = False
        self._round_saved = -1  # the step of the last round's checkpoint (-1: none)

    def on_run_start(self, ctx: RunContext) -> None:
        self._round_saved = -1 if ctx.fresh_run else ctx.start_step  # a resumed run's own

    def on_wait(self, ctx: RunContext) -> None:
        if ctx.control.take_checkpoint_request():
            self.save(ctx, ctx.step, SAVED)

    def on_step_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        if ctx.control.take_checkpoint_request():
            self.save(ctx, step, SAVED)

    def on_non_finite(self, ctx: RunContext, step: int) -> None:
        self.poisoned = True

    def on_epoch_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        """Saves the round's checkpoint (a milestone every `keep_every_epochs` rounds, kept
        when older ones are pruned), then announces the round: `epoch_end` means done and
        checkpointed."""
        every = ctx.config.keep_every_epochs * ctx.epochs_per_round
        self.save(ctx, step, f"Epoch {epoch + 1} done, checkpoint saved",
                  milestone=(epoch + 1) % every == 0)
        ctx.emit(Event(EventKind.EPOCH_END, f"Epoch {epoch + 1} finished", {"epoch": epoch + 1}))
        self._round_saved = step

    def on_last_step(self, ctx: RunContext, step: int, stopped: bool) -> None:
        # A stop names its checkpoint, even one just saved.
        if stopped or self._round_saved != step:
            self.save(ctx, step, "Stopped; checkpoint saved" if stopped else SAVED)

    def save(self, ctx: RunContext, step: int, message: str,
             milestone: bool = False) -> str | None:
        """Saves a checkpoint of `step` and reports it as `message (step N)`.

        Returns:
            The checkpoint's prefix, or None if none was written (poisoned weights, or a
            write that failed in the window).
        """
        if self.poisoned:
            return None
        try:
            path = ctx.store.save(step, milestone=milestone)
        except CheckpointError as exc:
            ctx.faults.write_failed(str(exc))
            return None
        ctx.emit(Event(EventKind.CHECKPOINT, f"{message} (step {step})",
                       {"path": path, "step": step}))
        if ctx.hooks is not None:
            ctx.hooks.on_checkpoint(ctx, step)
        return path

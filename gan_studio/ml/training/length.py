"""How long a run trains: the step it ends at or its time budget, the time noted at each
checkpoint (what a resumed run counts from) and the speed noted for the plans of later runs."""

from __future__ import annotations

import logging
import time

from gan_studio.core.config import TrainConfig
from gan_studio.core.machine import cpu_signature
from gan_studio.core.runs.layout import checkpoint_step
from gan_studio.core.runs.saved_progress import end_step
from gan_studio.core.runs.trained_time import record_trained_seconds, trained_seconds_at
from gan_studio.core.training.budget import TimeBudget
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.core.training.speed_book import SpeedBook, speed_key
from gan_studio.ml.training.hooks import RunContext, RunHook

log = logging.getLogger(__name__)

# A session's speed is noted for plans once it has trained this long and this many steps: the
# first call's tracing, a few seconds, would make a shorter one look slow.
SPEED_AFTER_SECONDS = 60.0
SPEED_AFTER_STEPS = 10


class RunLength(RunHook):
    """Keeps a run's length for its trainer.

    Two parts: a service the loop asks for values (`end_step`, `start`, which gives the
    `TimeBudget` the progress meter counts with, `spent`, and `budget`, paused in a `with`
    while the run waits), and a hook that notes the time trained at each checkpoint
    (`on_checkpoint`) and this machine's speed when the run ends (`on_run_end`, the chief).

    Args:
        config: the run's configuration (`max_minutes` is its budget).
        run_dir: the run folder (its `trained_time.json`).
        fresh: whether the run is new (nothing trained before).
        clock: the budget's time source (tests inject one).
        speeds: where speeds are noted (None: the user's `SpeedBook`).
    """

    def __init__(self, config: TrainConfig, run_dir: str, fresh: bool, clock=time.monotonic,
                 speeds: SpeedBook | None = None):
        self.config, self.run_dir, self._fresh = config, run_dir, fresh
        self._clock, self._speeds = clock, speeds
        self.budget = TimeBudget(clock=clock)
        self._first = 0
        self._any_worker = bool

    def end_step(self, steps_per_epoch: int) -> int:
        """The step the run ends at; a run whose length is a time has none (`MAX_STEPS`)."""
        return end_step(self.config, steps_per_epoch)

    def start(self, step: int, any_worker=bool) -> TimeBudget:
        """Starts counting a session that trains from `step`.

        Args:
            step: the step the session starts from.
            any_worker: `Placement.any_worker`, so that every worker of a multi-worker run
                finds the budget spent after the same step.
        """
        before = 0.0 if self._fresh else trained_seconds_at(self.run_dir, step)
        self.budget = TimeBudget(self.config.max_minutes, before, self._clock)
        self._first, self._any_worker = step, any_worker
        return self.budget

    def spent(self, step: int) -> bool:
        """Whether the budget is spent before training the step after `step` (a session trains
        one step at least)."""
        return step > self._first and self.budget.limited and \
            self._any_worker(self.budget.spent)

    def spent_at_start(self, checkpoint: str | None) -> bool:
        """Whether a resumed run's budget was used up by the checkpoint it starts from."""
        if not self.config.max_minutes or self._fresh or not checkpoint:
            return False
        trained = trained_seconds_at(self.run_dir, checkpoint_step(checkpoint))
        return TimeBudget(self.config.max_minutes, trained, self._clock).spent

    def on_checkpoint(self, ctx: RunContext, step: int) -> None:
        problem = self.checkpoint_saved(ctx.write_dir, step)
        if problem:
            ctx.emit(Event(EventKind.NOTICE, problem))

    def on_run_end(self, ctx: RunContext, step: int, epoch: int, stopped: bool) -> None:
        if ctx.is_chief:
            self.note_speed(step)

    def checkpoint_saved(self, write_dir: str, step: int) -> str | None:
        """Notes the time trained up to `step`'s checkpoint; returns the problem, if any.

        A failure costs only a resumed run's time count, so it is told, not a fault.
        """
        try:
            record_trained_seconds(write_dir, step, self.budget.trained)
        except OSError as exc:
            return f"Cannot note the time trained in {write_dir}: {exc.strerror or exc}"
        return None

    def note_speed(self, step: int) -> None:
        """Notes this session's time per step (all its work included) for later plans."""
        steps, seconds = step - self._first, self.budget.session
        if steps < SPEED_AFTER_STEPS or seconds < SPEED_AFTER_SECONDS:
            return
        try:
            (self._speeds or SpeedBook()).record(speed_key(self.config), cpu_signature(),
                                                 seconds / steps)
        except OSError as exc:  # a plan without this machine's speed is all it costs
            log.warning("cannot note the training speed: %s", exc)

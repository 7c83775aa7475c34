"""The training loop: config in, progress out through `TrainingCallbacks`; knows nothing of Qt."""

from __future__ import annotations

import copy
import os
import shutil
import time

import numpy as np

from gan_studio.core.config import TrainConfig, epochs_per_round
from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.core.training.budget import describe_minutes
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.control import WAITS, TrainControl
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event, StepMetrics
from gan_studio.core.training.progress_meter import ProgressMeter
from gan_studio.ml.training.checkpointing import RunCheckpoints
from gan_studio.ml.training.data import (
    TrainingError,
    fit_config_to_data,
    load_training_data,
    new_run_settings,
    resume_settings,
    save_started_run,
)
from gan_studio.ml.training.faults import RunFaults
from gan_studio.ml.training.grids import RunGrids
from gan_studio.ml.training.hooks import RunContext, RunHooks
from gan_studio.ml.training.length import RunLength
from gan_studio.ml.training.live_quality import LiveQuality
from gan_studio.ml.training.outputs import RunOutputs

__all__ = ["Trainer", "TrainControl", "TrainingError"]


class Trainer:
    """Trains a DCGAN for a run folder, reporting to a `TrainingCallbacks` object.

    Use `Trainer.create` for a new run and `Trainer.resume` to continue one; then `run()`.
    Around the steps, the work runs as hooks (`hooks.py`: grids, checkpoints, the quality
    meter, the run's length), called in order at each point of the loop with one
    `RunContext`.

    Args:
        config: the run's resolved configuration.
        run_dir: the run folder (already holding config.json).
        checkpoint: checkpoint prefix to start from (None: the latest, if any).
        callbacks: receives progress (every `callbacks.progress_interval` seconds at most),
            sample grids, events, download progress and, if it wants them, generator
            snapshots (see `RunGrids`).
            None: nothing is reported.
        control: pause/resume/stop flags.
        on_fault: what non-finite losses and a file that cannot be written do: `pause` (an
            event, `nan` or `write_failed`, and a pause, for the window) or `raise` (a
            TrainingError, headless); see `RunFaults`.
        clock: the time source of the run's time budget (`TimeBudget`; tests inject one).

    Example:

    ```python
    class Losses(TrainingCallbacks):
        progress_interval = 1.0

        def on_progress(self, progress):
            print(progress.step, progress.g_loss, progress.d_loss)

    config = TrainConfig(dataset="mnist", epochs=5, runs_dir="runs")
    trainer = Trainer.create(config, callbacks=Losses(), on_fault="raise")
    trainer.run()  # "finished"; trainer.run_dir holds its checkpoints, grids and metrics
    ```
    """

    def __init__(self, config: TrainConfig, run_dir: str, checkpoint: str | None = None,
                 callbacks: TrainingCallbacks | None = None,
                 control: TrainControl | None = None, on_fault: str = "pause",
                 clock=time.monotonic):
        self.config = config
        self.run_dir = run_dir
        self._checkpoint = checkpoint
        self.callbacks = callbacks or TrainingCallbacks()
        self.control = control or TrainControl()
        self.on_fault = on_fault
        self._meter: ProgressMeter | None = None  # set while the loop runs
        self._outputs: RunOutputs | None = None
        self._ctx: RunContext | None = None  # the session's hooks and what they share, set
        self._hooks: RunHooks | None = None  # by `_loop`
        self._clock = clock
        self._length: RunLength | None = None  # set by `run`, which knows whether the run is new
        self._fresh_run = False  # set by `create`: a folder made for this run alone
        self._skipped: list[str] = []  # newer checkpoints that `resume` found unreadable
        self._pending_config: TrainConfig | None = None  # `resume`'s, saved once restored
        self.gan = None
        self.device = None
        self.placement = None  # set by `run`: the tf.distribute strategy and this process's part
        self._write_dir = run_dir  # a non-chief worker's scratch folder instead

    @classmethod
    def create(cls, config: TrainConfig, **kwargs) -> Trainer:
        """Starts a new run: resolves the config and makes `runs_dir/<dataset>-<timestamp>/`."""
        config, run_dir = new_run_settings(config)
        trainer = cls(config, run_dir, **kwargs)
        trainer._fresh_run = True
        return trainer

    @classmethod
    def resume(cls, run_dir: str, epochs: int | None = None, max_steps: int | None = None,
               checkpoint: str | None = None, strategy: str | None = None,
               devices: list[str] | None = None, minutes: float | None = None,
               overrides: dict | None = None, **kwargs) -> Trainer:
        """Continues a run from its latest checkpoint (or `checkpoint`), with its config.json.

        Args:
            run_dir: the run folder.
            epochs: new epoch target (None: keep).
            max_steps: new step limit (None: keep, unless the run already reached it, in
                which case it is lifted so that training goes on to the epoch target).
            checkpoint: a checkpoint prefix to roll back to (None: the newest that reads; the
                `checkpoint` event names newer ones passed over, torn by a killed save).
            strategy: a new strategy (None: the run's); a checkpoint of any strategy and
                number of replicas restores under any other.
            devices: new devices of a `mirrored` run (None: keep).
            minutes: train this many minutes more than the checkpoint had trained (None:
                keep the run's length). It replaces a length in epochs or steps; `epochs` or
                `max_steps` replace a length in time.
            overrides: levers to continue with another value, name → value (the training
                doctor's remedies); only those a checkpoint restores under
                (`core.continuation.continued_config`), saved to config.json once resumed.

        Raises:
            TrainingError: if `run_dir` is not a run folder or no (chosen) checkpoint reads.
        """
        config, checkpoint, skipped = resume_settings(run_dir, epochs, max_steps, checkpoint,
                                                      strategy, devices, minutes, overrides)
        trainer = cls(config, os.path.abspath(run_dir), checkpoint=checkpoint, **kwargs)
        # config.json changes only once the run has really resumed (see `run`).
        trainer._pending_config = copy.deepcopy(config)
        trainer._skipped = skipped
        return trainer

    def budget_spent_at_start(self) -> bool:
        """Whether a resumed run's time budget was used up by the checkpoint it starts from
        (it would train nothing: the caller asks for more time instead)."""
        return self._run_length().spent_at_start(self._checkpoint)

    def _run_length(self) -> RunLength:
        if self._length is None:
            self._length = RunLength(self.config, self.run_dir, self._fresh_run, self._clock)
        return self._length

    # -- set-up ---------------------------------------------------------------------------
    def _build(self, shape, count: int):
        from gan_studio.ml.training.parts import set_up_run

        parts = set_up_run(self.config, shape, count, self.run_dir, self._checkpoint,
                           self._fresh_run, self._skipped, self._event)
        self.placement, self.gan, self.store = parts.placement, parts.gan, parts.store
        self.device, self._write_dir = self.placement.description, parts.write_dir
        self._faults = RunFaults(self.control, self._event, self.on_fault)

    @property
    def generator(self):
        """The Keras generator that draws samples, the weight average if the run keeps one
        (None until `run` has built it)."""
        return self.gan.sampler if self.gan else None

    # -- the loop -------------------------------------------------------------------------
    def run(self) -> str:
        """Trains until the epoch target or step limit is reached, or a stop is requested.

        Returns:
            `finished` or `stopped`.

        Raises:
            DatasetError: if the data cannot be loaded.
            TrainingError: on non-finite losses or a file that cannot be written, with
                `on_fault="raise"`; on a bad checkpoint.
        """
        try:
            data = load_training_data(self.config, self.callbacks, self.control, self._event)
            images = data.images
            changed = fit_config_to_data(self.config, data)
            self._build(images.shape[1:], len(images))
            # Written once the checkpoint is restored: a run that fails to resume stays as it was.
            save_started_run(self._write_dir, self.config if changed else self._pending_config,
                             data, self.config.dataset, self._event)
        except BaseException:
            self._discard_if_empty()
            raise
        from gan_studio.ml.training.pipeline import host_tensors

        tf_images, tf_labels = host_tensors(images, data.labels if self.gan.num_classes else None)
        self._outputs = RunOutputs(self._write_dir, int(self.gan.step.numpy()))
        try:
            with self.placement.worker_failures(lambda: (int(self.gan.step.numpy()),
                                                         self.store.latest)):
                return self._loop(tf_images, tf_labels, data)
        finally:
            self._outputs.close()
            if not self.placement.is_chief:  # its scratch folder, a new run's or a resumed one's
                shutil.rmtree(self._write_dir, ignore_errors=True)

    def _discard_if_empty(self) -> None:
        """Removes a new run's folder when it failed before training (offline, bad data)."""
        if self._fresh_run and not list_checkpoints(self.run_dir):
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def _loop(self, tf_images, tf_labels, data) -> str:
        from gan_studio.ml.training.pipeline import epoch_order

        cfg, gan, count = self.config, self.gan, len(data.images)
        steps_per_epoch = count // cfg.batch_size
        length = self._run_length()
        total = length.end_step(steps_per_epoch)
        step = int(gan.step.numpy())
        budget = length.start(step, self.placement.any_worker)
        meter = self._meter = ProgressMeter(step, total, cfg.batch_size, steps_per_epoch,
                                            self.callbacks.progress_interval, budget)
        ctx, hooks = self._start_hooks(data, step, length)
        over = False
        while step < total and not over:
            epoch, done_in_epoch = divmod(step, steps_per_epoch)
            order = epoch_order(count, cfg.batch_size, cfg.seed, epoch)
            due = min(steps_per_epoch - done_in_epoch, total - step)
            order = order[done_in_epoch: done_in_epoch + due]
            gan.epoch.assign(epoch)
            for batches in self.placement.epoch_dataset(tf_images, order, cfg.steps_per_call,
                                                        tf_labels):
                if not self._wait_if_paused(meter):
                    return self._end(step, stopped=True)
                if length.spent(step):
                    over = True
                    break
                metrics = gan.train(batches, step)
                meter.add(StepMetrics.after(step, epoch, metrics))
                step += len(metrics)
                if not np.all(np.isfinite(metrics)):
                    self._flush(force=True)
                    hooks.on_non_finite(ctx, step)
                    self._faults.non_finite(step)
                    continue
                self._flush()
                hooks.on_step_end(ctx, step, epoch)
            self._flush(force=True)
            if step % steps_per_epoch == 0 and (step == total or
                                                (epoch + 1) % ctx.epochs_per_round == 0):
                hooks.on_epoch_end(ctx, step, epoch)
            elif self.placement.any_worker(self.control.stopping):
                return self._end(step, stopped=True)
        return self._end(step, over=over)

    def _start_hooks(self, data, step: int, length: RunLength) -> tuple[RunContext, RunHooks]:
        """Builds the session's `RunContext` and hooks, and calls their `on_run_start`.

        The hooks run in this order at every point: a round's end draws its grid, then saves
        its checkpoint, then measures; a step's end draws a grid that is due, then saves a
        checkpoint asked for, then measures; the end saves first (`on_last_step`), so that a
        fault in its other work cannot lose the steps since the last checkpoint.
        """
        ctx = self._ctx = RunContext(
            config=self.config, write_dir=self._write_dir, data=data, gan=self.gan,
            store=self.store, outputs=self._outputs, callbacks=self.callbacks,
            control=self.control, faults=self._faults, emit=self._event, progress=self._meter,
            is_chief=self.placement.is_chief, start_step=step, fresh_run=self._fresh_run,
            # small data: a round's end work every few epochs
            epochs_per_round=epochs_per_round(len(data.images)))
        # Made before the first grid: its clock, and quality.csv cut back to the start step,
        # begin with the session, whatever the grid then costs or meets.
        quality = LiveQuality(ctx)
        hooks = self._hooks = ctx.hooks = RunHooks([RunGrids(), RunCheckpoints(), quality,
                                                    length])
        hooks.on_run_start(ctx)
        return ctx, hooks

    def _end(self, step: int, stopped: bool = False, over: bool = False) -> str:
        """Ends a finished or stopped run the same way, on every worker: a checkpoint, the
        last grid, the final quality measurement (which a stop does not wait for a feature
        network still to train for) and the speed; returns `finished` or `stopped`."""
        self._flush(force=True)
        self._faults.ending = True  # a fault cannot pause now: no step is left to resume
        ctx, hooks = self._ctx, self._hooks
        hooks.on_last_step(ctx, step, stopped)
        epoch = max(0, (step - 1) // self._meter.steps_per_epoch)
        data = {"step": step, "run_dir": self.run_dir, "unmeasured": "",
                **hooks.on_run_end(ctx, step, epoch, stopped)}
        if stopped:
            self._event(Event(EventKind.STOPPED, f"Stopped at step {step}", data))
            return "stopped"
        why = f": {describe_minutes(self.config.max_minutes)} of training done" if over else ""
        self._event(Event(EventKind.FINISHED, f"Training finished at step {step}{why}", data))
        return "finished"

    def _wait_if_paused(self, meter: ProgressMeter) -> bool:
        """Blocks while paused or held (`TrainControl.hold`), a time that counts toward no
        progress, ETA or time budget; returns False when the loop must stop."""
        control = self.control
        for waiting, wait, kind in ((control.paused, control.wait_while_paused, EventKind.PAUSED),
                                    (control.held, control.wait_while_held, EventKind.HELD)):
            if not waiting or control.stopping:
                continue
            message, after, after_message = WAITS[kind]
            self._event(Event(kind, message))
            with meter.paused(), self._length.budget.paused():
                while not wait(0.1):
                    self._hooks.on_wait(self._ctx)
            if not control.stopping:
                self._event(Event(after, after_message))
        return not self.placement.any_worker(control.stopping)

    def _flush(self, force: bool = False) -> None:
        """Logs and reports the steps since the last report, if the interval is over (or forced)."""
        report = self._meter.take_report(force) if self._meter is not None else None
        if report is not None:
            rows, progress = report
            self.callbacks.on_progress(progress)
            if rows:  # (a flush inside a fault's own event writes nothing again)
                self._faults.guarded(self._outputs.write_metrics, rows)

    def _event(self, event: Event) -> None:
        # Progress first: the steps trained before a notice (a pause, a checkpoint) are shown,
        # and logged, before it.
        self._flush(force=True)
        self.callbacks.on_event(event)

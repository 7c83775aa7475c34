"""`SweepRunner`: trains a sweep's runs one after another, then ranks them at equal budget.

Fairness first: the quality meter's feature network is prepared (trained, or loaded from the
data set's cache) before the first run, so that no run's budget pays for it; each run's own
meter then loads it from the cache. A run whose last checkpoint has no measurement (a run
shorter than the trainer's `PREPARE_AFTER` never measures itself) is measured after the last
run with the same meter, so every finished run is ranked.

A stop (`TrainControl.stop`) ends the current run as a stop ends any run (a checkpoint, and
its last measurement if the meter is ready) and leaves the rest pending; `SweepRunner.open`
on the sweep folder then resumes that run for the rest of its budget and trains the others.
"""

from __future__ import annotations

import logging
import os
import time

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.runs.layout import CHECKPOINT_DIR, list_checkpoints
from gan_studio.core.runs.lever_diff import lever_label
from gan_studio.core.sweep.ranking import RankedRun, final_report, rank_sweep
from gan_studio.core.sweep.sweep_file import (
    DONE,
    FAILED,
    PENDING,
    RUNNING,
    STOPPED,
    UNFINISHED,
    SweepFileError,
    SweepState,
    load_sweep,
    new_sweep,
)
from gan_studio.core.sweep.sweep_plan import SweepPlan
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.control import TrainControl

log = logging.getLogger(__name__)


class SweepCallbacks:
    """What a `SweepRunner` reports, on its own thread; override what you need.

    `training_callbacks` gives the `TrainingCallbacks` each run's trainer reports to (its
    progress, grids and events), as `gan-studio train` and the window have theirs.
    """

    def training_callbacks(self, index: int, run_dir: str) -> TrainingCallbacks:
        """The callbacks run `index` trains with (`run_dir`: "" for a new run, whose folder
        comes with its trainer: `on_run_started` names it)."""
        return TrainingCallbacks()

    def on_preparing(self, done: int, total: int) -> None:
        """The quality meter's preparation before the first run: `done` of `total` units."""

    def on_run_started(self, index: int, run_dir: str, label: str) -> None:
        """Run `index` (`label`: its varied levers) starts or resumes in `run_dir`."""

    def on_run_ended(self, index: int, run_dir: str, state: str, reason: str) -> None:
        """Run `index` ended `done`, `stopped` or `failed` (`reason`: one line why)."""

    def on_ranked(self, ranking: list[RankedRun]) -> None:
        """Every run has trained: the ranking, best first."""


def _run_errors() -> tuple[type[BaseException], ...]:
    """The errors that fail one run (its data, a file, a checkpoint), not the sweep."""
    from gan_studio.data import DatasetError
    from gan_studio.ml.runs.checkpoints import CheckpointError
    from gan_studio.ml.training.data import TrainingError
    from gan_studio.ml.training.outputs import OutputError

    return (DatasetError, TrainingError, OutputError, CheckpointError, ConfigError, OSError)


class _StopPreparing(Exception):
    """A stop came while the meter was being prepared."""


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


class SweepRunner:
    """Trains a sweep's runs in turn and ranks them (see the module's docstring).

    Use `SweepRunner.create(plan)` for a new sweep and `SweepRunner.open(folder)` to continue
    one; then `run()`. Plain Python: the CLI runs it in the foreground, the window on a
    worker thread (`workers/runs/sweep_queue.py`).

    Args:
        sweep: the sweep's state (its folder and sweep.json).
        callbacks: receives the sweep's progress (None: nothing is reported).
        control: the stop flag shared with each run's trainer.
        on_fault: passed to each `Trainer` (`raise` ends a faulty run as failed).
        clock: the time source of each run's time budget (tests inject one).

    Example:

    ```python
    plan = make_plan("mnist", ["lr=1e-4,2e-4"], minutes=5, runs_dir="runs")
    runner = SweepRunner.create(plan)
    runner.run()                    # "finished", or "stopped"
    runner.ranking[0].label         # "lr 0.0002": the lowest FD
    ```
    """

    def __init__(self, sweep: SweepState, callbacks: SweepCallbacks | None = None,
                 control: TrainControl | None = None, on_fault: str = "raise",
                 clock=time.monotonic):
        self.sweep = sweep
        self.callbacks = callbacks or SweepCallbacks()
        self.control = control or TrainControl()
        self.on_fault = on_fault
        self._clock = clock
        self._meter = None
        self._meter_off = ""  # why the sweep's meter could not be prepared
        self.ranking: list[RankedRun] = []

    @classmethod
    def create(cls, plan: SweepPlan, **kwargs) -> SweepRunner:
        """A new sweep: makes its folder and sweep.json, every run pending.

        Raises:
            SweepFileError: if the folder cannot be made.
        """
        return cls(new_sweep(plan), **kwargs)

    @classmethod
    def open(cls, folder: str, **kwargs) -> SweepRunner:
        """Continues the sweep in `folder`.

        Raises:
            SweepFileError: if its sweep.json is missing or damaged.
        """
        return cls(load_sweep(folder), **kwargs)

    @property
    def folder(self) -> str:
        """The sweep's folder."""
        return self.sweep.folder

    def run(self) -> str:
        """Trains every run not done yet, in the plan's order, then ranks them all.

        Returns:
            `finished` (all trained or failed; `ranking` holds the ranking) or `stopped`.

        Raises:
            SweepFileError: if sweep.json cannot be written.
            DatasetError: if the data set cannot be loaded for the quality meter.
        """
        todo = [i for i, run in enumerate(self.sweep.runs) if run.state in (PENDING, *UNFINISHED)]
        if todo and not self.control.stopping:
            self._prepare_meter(self.sweep.plan.run_configs()[todo[0]])
        for index in todo:
            if self.control.stopping:
                return "stopped"
            if self._train(index) == STOPPED:
                return "stopped"
        self._measure_unmeasured()
        self.ranking = rank_sweep(self.sweep)
        self.callbacks.on_ranked(self.ranking)
        return "finished"

    # -- the meter ---------------------------------------------------------------------------
    def _prepare_meter(self, config: TrainConfig) -> None:
        """Trains or loads the feature network (and the training images' features) once,
        before any run's budget starts; a meter that fails leaves the runs unranked."""
        from gan_studio.ml.quality.meter_factory import meter_for_config

        def progress(done: int, total: int) -> None:
            if self.control.stopping:  # a stop need not wait for the network to train
                raise _StopPreparing
            self.callbacks.on_preparing(done, total)

        meter = meter_for_config(config)
        try:
            meter.prepare(progress)
        except _StopPreparing:
            return
        except (OSError, ValueError) as exc:
            self._meter_off = _one_line(exc)
            log.warning("the sweep's quality meter is off: %s", self._meter_off)
            return
        self._meter = meter

    def _measure_unmeasured(self) -> None:
        """Measures the final checkpoint of each done run that has no number at it."""
        from gan_studio.ml.generators.export import generator_from_run
        from gan_studio.ml.training.outputs import log_final_quality

        for index, run in enumerate(self.sweep.runs):
            run_dir = self.sweep.run_path(index)
            if run.state != DONE or not run_dir:
                continue
            step, report = final_report(run_dir)
            if report is not None or not list_checkpoints(run_dir):
                continue
            if self._meter is None and not self._meter_off:
                self._prepare_meter(self.sweep.plan.run_configs()[index])
            if self._meter is None:
                continue
            checkpoint = list_checkpoints(run_dir)[-1][1]
            try:
                report = self._meter.evaluate(generator_from_run(run_dir, checkpoint), step=step)
                log_final_quality(run_dir, report)
            except (*_run_errors(), ValueError) as exc:
                log.warning("measuring %s: %s", run_dir, _one_line(exc))

    # -- a run -------------------------------------------------------------------------------
    def _train(self, index: int) -> str:
        """Trains (or resumes) run `index` and records how it ended; returns its state."""
        from gan_studio.ml.training.trainer import Trainer

        run, config = self.sweep.runs[index], self.sweep.plan.run_configs()[index]
        label = lever_label(config, self.sweep.plan.lever_names)
        old_dir = self.sweep.run_path(index)
        resumable = run.state in UNFINISHED and old_dir and list_checkpoints(old_dir)
        callbacks = self.callbacks.training_callbacks(index, old_dir if resumable else "")
        kwargs = {"callbacks": callbacks, "control": self.control, "on_fault": self.on_fault,
                  "clock": self._clock}
        try:
            if resumable:  # the rest of its budget: a step limit is kept, a time carries over
                trainer = Trainer.resume(old_dir, max_steps=config.max_steps or None, **kwargs)
            else:
                config.runs_dir = self.folder
                trainer = Trainer.create(config, **kwargs)
        except _run_errors() as exc:
            return self._ended(index, FAILED, _one_line(exc))
        run.run_dir, run.state, run.reason = os.path.basename(trainer.run_dir), RUNNING, ""
        self.sweep.save()
        self.callbacks.on_run_started(index, trainer.run_dir, label)
        if resumable and trainer.budget_spent_at_start():
            return self._ended(index, DONE)
        try:
            outcome = self._run_trainer(trainer)
        except _run_errors() as exc:
            return self._ended(index, FAILED, _one_line(exc))
        except BaseException as exc:  # a bug: recorded, then raised as it is
            self._ended(index, FAILED, _one_line(exc))
            raise
        return self._ended(index, STOPPED if outcome == "stopped" else DONE)

    def _run_trainer(self, trainer) -> str:
        from gan_studio.data import DatasetCancelledError

        try:
            return trainer.run()
        except DatasetCancelledError:  # stopped while its data was loading
            if not self.control.stopping:
                raise
            return "stopped"

    def _ended(self, index: int, state: str, reason: str = "") -> str:
        run = self.sweep.runs[index]
        if state == STOPPED and not self._has_checkpoint(index):
            state = PENDING  # stopped before its first save: it starts again from nothing
        run.state, run.reason = state, reason
        self.sweep.save()
        self.callbacks.on_run_ended(index, self.sweep.run_path(index), state, reason)
        return STOPPED if state == PENDING and self.control.stopping else state

    def _has_checkpoint(self, index: int) -> bool:
        path = self.sweep.run_path(index)
        return bool(path) and os.path.isdir(os.path.join(path, CHECKPOINT_DIR)) and \
            bool(list_checkpoints(path))


__all__ = ["SweepCallbacks", "SweepFileError", "SweepRunner"]

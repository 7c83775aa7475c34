"""Runs whose length is a time: they end when it is spent, across pauses, stops and resumes.

The budget's clock is injected: it reads 10 s per step trained, so a 1-minute budget is six
steps on any machine, however slowly it trains.
"""

import dataclasses
import os

import pytest
from helpers import Recorder

from gan_studio.cli.parser import main
from gan_studio.core.machine import cpu_signature
from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.core.runs.metrics_log import read_metrics
from gan_studio.core.runs.trained_time import trained_seconds_at
from gan_studio.core.training.control import TrainControl
from gan_studio.core.training.plan import make_plan
from gan_studio.ml.training.trainer import Trainer


class StepClock:
    """Ten seconds per step trained by `trainer`."""

    def __init__(self):
        self.trainer = None

    def __call__(self):
        gan = self.trainer.gan if self.trainer is not None else None
        return 10.0 * int(gan.step.numpy()) if gan is not None else 0.0


def _run(make, **kwargs):
    clock = StepClock()
    trainer = make(clock=clock, **kwargs)
    clock.trainer = trainer
    return trainer, trainer.run()


@pytest.fixture
def minute_config(tiny_config):
    tiny_config.epochs, tiny_config.max_minutes = None, 1.0
    return tiny_config


def test_a_time_budget_ends_the_run_and_reports_toward_it(minute_config):
    recorder = Recorder()
    trainer, outcome = _run(lambda **kw: Trainer.create(minute_config, **kw), callbacks=recorder)
    assert outcome == "finished"
    assert list(read_metrics(trainer.run_dir)["step"]) == [1, 2, 3, 4, 5, 6]  # across an epoch
    assert list_checkpoints(trainer.run_dir)[-1][0] == 6
    assert trained_seconds_at(trainer.run_dir, 6) == 60.0
    assert recorder.events_of("finished")[0].message == \
        "Training finished at step 6: 1 minute of training done"
    last = recorder.reports[-1]
    assert last.budget_seconds == 60 and last.trained_seconds == 60 and last.eta_seconds == 0
    # The steps the time left buys, at the speed measured: an estimate, not the 10**12 bound.
    assert all(r.total_steps < 10**6 for r in recorder.reports)


def test_a_budget_carries_over_a_stop_and_a_resume(minute_config):
    control = TrainControl()

    def stop_after_three(progress):
        if progress.step >= 3:
            control.stop()

    first, outcome = _run(lambda **kw: Trainer.create(minute_config, **kw),
                          callbacks=Recorder(stop_after_three), control=control)
    stopped_at = list_checkpoints(first.run_dir)[-1][0]
    assert outcome == "stopped" and trained_seconds_at(first.run_dir, stopped_at) == \
        10.0 * stopped_at
    second, outcome = _run(lambda **kw: Trainer.resume(first.run_dir, **kw))
    assert outcome == "finished" and list_checkpoints(first.run_dir)[-1][0] == 6
    assert list(read_metrics(first.run_dir)["step"]) == [1, 2, 3, 4, 5, 6]
    # A spent budget: resuming as it is would train nothing, so the command asks for time.
    assert Trainer.resume(first.run_dir).budget_spent_at_start()
    assert main(["resume", first.run_dir]) == 2
    # ... and more minutes train that much longer than the checkpoint had.
    third, outcome = _run(lambda **kw: Trainer.resume(first.run_dir, minutes=0.5, **kw))
    assert outcome == "finished" and third.config.max_minutes == 1.5
    assert list_checkpoints(first.run_dir)[-1][0] == 9


def test_a_count_given_on_resume_replaces_the_time(minute_config):
    first, _ = _run(lambda **kw: Trainer.create(minute_config, **kw))
    again, outcome = _run(lambda **kw: Trainer.resume(first.run_dir, max_steps=8, **kw))
    assert outcome == "finished" and again.config.max_minutes == 0
    assert list_checkpoints(first.run_dir)[-1][0] == 8


def test_the_cli_takes_minutes_and_hours(minute_config, capsys):
    args = ["train", "--dataset", "mnist", "--data-dir", minute_config.data_dir, "--run-dir",
            minute_config.runs_dir, "--batch-size", "8", "--minutes", "0.001"]
    assert main(args) == 0
    run_dir = os.path.join(minute_config.runs_dir, os.listdir(minute_config.runs_dir)[0])
    out = capsys.readouterr()
    assert "0.06 seconds of training done" in out.out + out.err
    assert len(read_metrics(run_dir)["step"]) >= 1
    assert main(["resume", run_dir, "--hours", "0.00001", "--epochs", "2"]) == 2
    assert "--hours and --epochs are two lengths" in capsys.readouterr().err


def test_a_plan_from_the_speed_a_run_noted_holds_for_the_next_run(minute_config):
    minute_config.max_minutes = 2.0  # 12 steps of 10 s: long enough to note the speed
    _run(lambda **kw: Trainer.create(minute_config, **kw))
    planned = dataclasses.replace(minute_config, max_minutes=3.0)
    plan = make_plan(planned.resolved(), cpu_signature(), native_bfloat16=False)
    assert plan.measured_here and plan.seconds_per_step == 10.0
    second, outcome = _run(lambda **kw: Trainer.create(planned, **kw))
    trained = int(read_metrics(second.run_dir)["step"][-1])
    assert outcome == "finished" and abs(plan.steps - trained) <= 0.25 * trained
    assert plan.steps == 18 and trained == 18  # (what the clock makes them)


def test_a_short_session_notes_no_speed(minute_config):
    minute_config.max_minutes = 0.5  # 3 steps: the first call's tracing would dominate
    _run(lambda **kw: Trainer.create(minute_config, **kw))
    plan = make_plan(minute_config.resolved(), cpu_signature(), native_bfloat16=False)
    assert not plan.measured_here


def test_a_run_of_steps_that_reached_them_goes_on_to_the_default_epochs(tiny_config):
    from gan_studio.core.config import DEFAULT_EPOCHS
    from gan_studio.ml.training.data import resume_settings

    tiny_config.epochs, tiny_config.max_steps = None, 3
    first = Trainer.create(tiny_config)
    first.run()
    config, _, _ = resume_settings(first.run_dir, None, None, None)
    assert (config.max_steps, config.epochs, config.max_minutes) == (0, DEFAULT_EPOCHS, 0)

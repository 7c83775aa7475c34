"""When the live quality meter measures, and what a measurement leads to (scripted meter)."""

import contextlib
import types

import pytest

from gan_studio.core.config import TrainConfig
from gan_studio.core.quality.report import QualityReport, read_quality
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.ml import live_quality
from gan_studio.ml.live_quality import LiveQuality


class ScriptedMeter:
    """Stands in for ml.quality's QualityMeter: ready after `prepare_steps`, FDs from a list."""

    def __init__(self, fds, diversities=None, prepare_steps=2):
        self.fds, self.diversities = list(fds), list(diversities or [0.9] * len(fds))
        self.prepare_steps, self.feature_seconds, self.evaluated = prepare_steps, 0.0, []

    @property
    def ready(self):
        return self.prepare_steps <= 0

    def prepare_step(self):
        self.prepare_steps -= 1
        self.feature_seconds += 0.01
        return self.ready

    def evaluate(self, generator, step=0, epoch=0):
        self.evaluated.append(step)
        return QualityReport(step=step, epoch=epoch, fd=self.fds.pop(0), kid=0.0, kid_error=0.0,
                             diversity=self.diversities.pop(0), samples=100)


class Recorder(TrainingCallbacks):
    def __init__(self):
        self.reports, self.warnings = [], []

    def on_quality(self, report):
        self.reports.append(report)

    def on_collapse(self, warning):
        self.warnings.append(warning)


class Outputs:
    def __init__(self, run_dir):
        self.run_dir = run_dir

    def write_quality(self, report):
        from gan_studio.core.quality.report import append_quality

        append_quality(self.run_dir, report)


class Store:
    def __init__(self):
        self.best = []

    def save_best(self, step):
        self.best.append(step)
        return f"best-{step}"


@pytest.fixture
def clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(live_quality.time, "monotonic", lambda: now[0])
    return now


def make(tmp_path, meter, minutes=5.0, resume_step=0):
    events = []
    callbacks, store = Recorder(), Store()
    quality = LiveQuality(TrainConfig(quality_every_minutes=minutes), str(tmp_path), None,
                          callbacks, store, Outputs(str(tmp_path)), resume_step, events.append,
                          generator=None, paused_clock=contextlib.nullcontext)
    quality._make_meter = lambda: meter
    return quality, callbacks, store, events


def test_nothing_happens_in_the_first_seconds_and_preparation_keeps_to_its_budget(tmp_path, clock):
    meter = ScriptedMeter([10.0], prepare_steps=3)
    quality, *_ = make(tmp_path, meter)
    quality.after_step(1, 0)
    assert meter.prepare_steps == 3  # short runs pay nothing
    clock[0] += live_quality.PREPARE_AFTER + 1
    quality.after_step(2, 0)
    quality.after_step(3, 0)  # 0.01 s spent of a 1.7 s budget: goes on
    assert meter.prepare_steps == 1
    meter.feature_seconds = 100.0  # over budget: waits for training to catch up
    quality.after_step(4, 0)
    assert meter.prepare_steps == 1 and not meter.evaluated


def test_measurements_follow_the_interval_the_epochs_and_requests(tmp_path, clock):
    meter = ScriptedMeter([30.0, 20.0, 25.0, 15.0, 14.0], prepare_steps=0)
    quality, callbacks, store, events = make(tmp_path, meter)
    clock[0] += 60
    quality.after_step(10, 0)
    quality.at_epoch_end(12, 0)
    assert meter.evaluated == []  # neither the interval nor half of it has passed
    clock[0] += 4 * 60
    quality.after_step(20, 0)  # 5 minutes: due
    clock[0] += 2.6 * 60
    quality.at_epoch_end(30, 1)  # half an interval since the last: due
    quality.request()
    quality.after_step(31, 2)  # asked for: at once
    quality.at_end(31, 2)  # this step was just measured: not again
    quality.at_end(40, 3)
    assert meter.evaluated == [20, 30, 31, 40]
    assert [r.step for r in callbacks.reports] == [20, 30, 31, 40]
    assert store.best == [20, 30, 40]  # FD 30, 20, (25 is worse), 15
    assert [e.kind for e in events] == ["best"] * 3 and "best/" in events[-1].message
    assert [r.fd for r in read_quality(tmp_path)] == [30.0, 20.0, 25.0, 15.0]


def test_a_collapse_is_reported_after_its_measurement(tmp_path, clock):
    meter = ScriptedMeter([10.0, 9.0], diversities=[0.9, 0.1], prepare_steps=0)
    quality, callbacks, *_ = make(tmp_path, meter)
    for step in (1, 2):
        quality.request()
        quality.after_step(step, 0)
    assert len(callbacks.warnings) == 1 and callbacks.warnings[0].step == 2


def test_off_by_default_only_when_asked_and_rolled_back_history(tmp_path, clock):
    meter = ScriptedMeter([10.0, 12.0], prepare_steps=1)
    quality, callbacks, *_ = make(tmp_path, meter, minutes=0)
    clock[0] += 3600
    quality.after_step(5, 0)
    quality.at_epoch_end(6, 0)
    assert meter.evaluated == [] and meter.prepare_steps == 1  # off: not even prepared
    quality.request()
    quality.after_step(7, 0)  # prepares at once when asked, then measures
    quality.request()
    quality.after_step(9, 0)
    assert meter.evaluated == [7, 9]
    again, *_ = make(tmp_path, ScriptedMeter([]), resume_step=8)
    assert [r.step for r in again.history] == [7]  # the abandoned future is dropped
    assert [r.step for r in read_quality(tmp_path)] == [7]


def test_a_generator_the_meter_cannot_score_turns_it_off_with_one_line(tmp_path, clock):
    meter = ScriptedMeter([], prepare_steps=0)
    meter.evaluate = types.MethodType(
        lambda self, *a, **k: (_ for _ in ()).throw(ValueError("the generator makes 32×32×3")),
        meter)
    quality, callbacks, _, events = make(tmp_path, meter)
    quality.request()
    quality.after_step(1, 0)
    quality.request()
    quality.after_step(2, 0)
    assert [e.kind for e in events] == ["quality_off"] and "32×32×3" in events[0].message
    assert callbacks.reports == []


def test_a_broken_meter_never_stops_training(tmp_path, clock):
    meter = ScriptedMeter([], prepare_steps=3)

    def broken():
        raise RuntimeError("no feature network today")

    meter.prepare_step = broken
    quality, callbacks, _, events = make(tmp_path, meter)
    quality.request()
    quality.after_step(1, 0)  # logs, says so once, and returns
    quality.request()
    quality.after_step(2, 0)
    assert [e.kind for e in events] == ["quality_off"] and "today" in events[0].message


def test_a_finished_run_completes_the_preparation_and_is_measured(tmp_path, clock):
    meter = ScriptedMeter([12.0], prepare_steps=5)
    quality, callbacks, *_ = make(tmp_path, meter)
    clock[0] += live_quality.PREPARE_AFTER + 1
    meter.feature_seconds = 1e9  # over budget while training
    quality.after_step(100, 0)
    assert not meter.ready
    quality.at_end(100, 0)  # training is over: no budget
    assert meter.ready and [r.step for r in callbacks.reports] == [100]
    short, short_callbacks, *_ = make(tmp_path / "short", ScriptedMeter([1.0], prepare_steps=5))
    (tmp_path / "short").mkdir()
    short.at_end(3, 0)  # a run of seconds (the tests') pays nothing at its end
    assert short_callbacks.reports == []


def test_a_failed_measurement_is_not_retried_at_an_epoch_end(tmp_path, clock):
    meter = ScriptedMeter([], prepare_steps=0)  # evaluate fails: no FD to pop
    quality, callbacks, _, events = make(tmp_path, meter)
    quality.request()
    quality.after_step(1, 0)
    clock[0] += 3600
    quality.at_epoch_end(2, 0)
    quality.at_end(3, 0)
    assert [e.kind for e in events] == ["quality_off"] and callbacks.reports == []


def test_stopped_measures_nothing_more(tmp_path, clock):
    meter = ScriptedMeter([10.0], prepare_steps=0)
    quality, callbacks, store, _ = make(tmp_path, meter)
    quality.stop()  # the trainer's answer to non-finite losses
    quality.request()
    quality.after_step(1, 0)
    clock[0] += 3600
    quality.at_epoch_end(2, 0)
    quality.at_end(3, 0)
    assert meter.evaluated == [] and store.best == []

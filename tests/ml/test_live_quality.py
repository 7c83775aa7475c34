"""How the live quality meter prepares its feature network, when it measures, and what a
measurement leads to (scripted meter, simulated clock)."""

import contextlib
import types

import pytest

from gan_studio.core.config import TrainConfig
from gan_studio.core.quality.report import QualityReport, read_quality
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.ml.training import live_quality
from gan_studio.ml.training.hooks import RunContext
from gan_studio.ml.training.live_quality import LiveQuality


class Clock:
    """The time LiveQuality sees: it moves only when a test, or a scripted meter's work, moves it."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class ScriptedMeter:
    """Stands in for ml.quality's QualityMeter: ready after `prepare_steps` units of work, each
    `unit_seconds` long on `clock`, then complete (the copy rate's features) after
    `bank_steps` more; FDs from a list."""

    def __init__(self, fds, diversities=None, prepare_steps=2, clock=None, unit_seconds=0.0,
                 from_cache=False, bank_steps=0):
        self.from_cache = from_cache  # the feature network loaded from the cache: only the
        # held-out images' features are left to prepare
        self.fds, self.diversities = list(fds), list(diversities or [0.9] * len(fds))
        self.prepare_steps, self.feature_seconds, self.evaluated = prepare_steps, 0.0, []
        self.bank_steps = bank_steps
        self.clock, self.unit_seconds, self.units = clock, unit_seconds, 0

    @property
    def ready(self):
        return self.prepare_steps <= 0

    @property
    def complete(self):
        return self.ready and self.bank_steps <= 0

    def prepare_step(self):
        if self.complete:
            return True
        if self.ready:
            self.bank_steps -= 1
        else:
            self.prepare_steps -= 1
        self.units += 1
        self.feature_seconds += self.unit_seconds
        if self.clock is not None:
            self.clock.now += self.unit_seconds
        return self.complete

    def prepare(self, progress=None, copies=True):
        total = self.units + max(0, self.prepare_steps) + (max(0, self.bank_steps) if copies else 0)
        while not (self.complete if copies else self.ready):
            self.prepare_step()
            if progress is not None:
                progress(self.units, total)
        if progress is not None:
            progress(total, total)

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
def clock():
    return Clock()


def make(tmp_path, meter, clock, minutes=5.0, resume_step=0):
    events = []
    callbacks, store = Recorder(), Store()
    ctx = RunContext(config=TrainConfig(quality_every_minutes=minutes), write_dir=str(tmp_path),
                     data=None, gan=types.SimpleNamespace(sampler=None), store=store,
                     outputs=Outputs(str(tmp_path)), callbacks=callbacks, control=None,
                     faults=None, emit=events.append,
                     progress=types.SimpleNamespace(paused=contextlib.nullcontext),
                     start_step=resume_step)
    quality = LiveQuality(ctx, clock=clock)
    quality._make_meter = lambda: meter
    return quality, callbacks, store, events


def test_preparation_takes_as_many_units_as_fit_its_slice_and_none_beyond_its_share(
        tmp_path, clock):
    meter = ScriptedMeter([10.0], prepare_steps=10_000, clock=clock, unit_seconds=0.25)
    quality, *_ = make(tmp_path, meter, clock)
    step = 0
    while clock.now - 1000 < live_quality.PREPARE_AFTER:  # GAN steps of half a second
        step += 1
        quality.after_step(step, 0)
        clock.now += 0.5
    assert meter.units == 0  # short runs pay nothing

    quality.after_step(step + 1, 0)  # after a step of 0.5 s: a slice of PREPARE_SLICE
    assert meter.units == live_quality.PREPARE_SLICE / 0.25 > 1
    clock.now += 2.0
    quality.after_step(step + 2, 0)  # after a slow step of 2 s: as long as the step
    assert meter.units == (live_quality.PREPARE_SLICE + 2.0) / 0.25

    for extra in range(3, 1000):  # steps that take no time: preparing catches up...
        before = meter.units
        quality.after_step(step + extra, 0)
        if meter.units == before:
            break
    share, spent = live_quality.PREPARE_SHARE, meter.units * 0.25
    assert share * (clock.now - 1000) <= spent < share * (clock.now - 1000) + 0.25
    quality.after_step(step + extra + 1, 0)  # ...and stops at its share of the time trained
    assert meter.units * 0.25 == spent and not meter.evaluated
    clock.now += 2.0  # a GAN step earns it more time
    quality.after_step(step + extra + 2, 0)
    assert spent + 0.25 < meter.units * 0.25 < share * (clock.now - 1000) + 0.25


def test_measurements_follow_the_interval_the_epochs_and_requests(tmp_path, clock):
    meter = ScriptedMeter([30.0, 20.0, 25.0, 15.0, 14.0], prepare_steps=0)
    quality, callbacks, store, events = make(tmp_path, meter, clock)
    clock.now += 60
    quality.after_step(10, 0)  # the meter is ready: the first number at once
    quality.after_step(11, 0)
    quality.at_epoch_end(12, 0)
    assert meter.evaluated == [10]  # neither the interval nor half of it has passed since
    clock.now += 5 * 60
    quality.after_step(20, 0)  # 5 minutes: due
    clock.now += 2.6 * 60
    quality.at_epoch_end(30, 1)  # half an interval since the last: due
    quality.request()
    quality.after_step(31, 2)  # asked for: at once
    quality.at_end(31, 2)  # this step was just measured: not again
    quality.at_end(40, 3)
    assert meter.evaluated == [10, 20, 30, 31, 40]
    assert [r.step for r in callbacks.reports] == [10, 20, 30, 31, 40]
    assert store.best == [10, 20, 31, 40]  # FD 30, 20, (25 is worse), 15, 14
    assert [e.kind for e in events] == ["best"] * 4 and "best/" in events[-1].message
    assert [r.fd for r in read_quality(tmp_path)] == [30.0, 20.0, 25.0, 15.0, 14.0]


@pytest.mark.parametrize("budget, every, interval", [(0, 5, 300), (30, 5, 300), (12, 5, 120),
                                                     (3, 5, 60), (12, 1, 60)])
def test_a_short_time_budget_measures_more_often(tmp_path, clock, budget, every, interval):
    quality, *_ = make(tmp_path, ScriptedMeter([1.0]), clock, minutes=every)
    quality.config.max_minutes = budget
    assert quality.interval == interval


def test_a_collapse_is_reported_after_its_measurement(tmp_path, clock):
    meter = ScriptedMeter([10.0, 9.0], diversities=[0.9, 0.1], prepare_steps=0)
    quality, callbacks, *_ = make(tmp_path, meter, clock)
    for step in (1, 2):
        quality.request()
        quality.after_step(step, 0)
    assert len(callbacks.warnings) == 1 and callbacks.warnings[0].step == 2


def test_off_by_default_only_when_asked_and_rolled_back_history(tmp_path, clock):
    meter = ScriptedMeter([10.0, 12.0], prepare_steps=1)
    quality, callbacks, *_ = make(tmp_path, meter, clock, minutes=0)
    clock.now += 3600
    quality.after_step(5, 0)
    quality.at_epoch_end(6, 0)
    assert meter.evaluated == [] and meter.prepare_steps == 1  # off: not even prepared
    quality.request()
    quality.after_step(7, 0)  # prepares at once when asked, then measures
    quality.request()
    quality.after_step(9, 0)
    assert meter.evaluated == [7, 9]
    again, *_ = make(tmp_path, ScriptedMeter([]), clock, resume_step=8)
    assert [r.step for r in again.history] == [7]  # the abandoned future is dropped
    assert [r.step for r in read_quality(tmp_path)] == [7]


def test_a_generator_the_meter_cannot_score_turns_it_off_with_one_line(tmp_path, clock):
    meter = ScriptedMeter([], prepare_steps=0)
    meter.evaluate = types.MethodType(
        lambda self, *a, **k: (_ for _ in ()).throw(ValueError("the generator makes 32×32×3")),
        meter)
    quality, callbacks, _, events = make(tmp_path, meter, clock)
    quality.request()
    quality.after_step(1, 0)
    quality.after_step(2, 0)  # says so once...
    quality.request()
    quality.after_step(3, 0)  # ...and again to each Evaluate Now, which must not go unanswered
    assert [e.kind for e in events] == ["quality_off"] * 2 and "32×32×3" in events[0].message
    assert events[1].message == events[0].message and callbacks.reports == []


def test_a_broken_meter_never_stops_training(tmp_path, clock):
    meter = ScriptedMeter([], prepare_steps=3)

    def broken():
        raise RuntimeError("no feature network today")

    meter.prepare_step = broken
    quality, callbacks, _, events = make(tmp_path, meter, clock)
    quality.request()
    quality.after_step(1, 0)  # logs, says so once, and returns
    clock.now += 3600
    quality.after_step(2, 0)
    quality.at_epoch_end(3, 0)
    assert [e.kind for e in events] == ["quality_off"] and "today" in events[0].message


def test_a_finished_run_completes_the_preparation_and_is_measured(tmp_path, clock):
    meter = ScriptedMeter([12.0], prepare_steps=5, clock=clock, unit_seconds=30.0)
    quality, callbacks, *_ = make(tmp_path, meter, clock)
    clock.now += live_quality.PREPARE_AFTER + 1
    quality.after_step(100, 0)  # one unit of 30 s takes it over its share
    assert meter.units == 1 and not meter.ready
    quality.at_end(100, 0)  # training is over: no budget
    assert meter.ready and [r.step for r in callbacks.reports] == [100]
    short, short_callbacks, *_ = make(tmp_path / "short", ScriptedMeter([1.0], prepare_steps=5),
                                      clock)
    (tmp_path / "short").mkdir()
    short.at_end(3, 0)  # a run of seconds (the tests') pays nothing at its end
    assert short_callbacks.reports == []


def test_a_failed_measurement_is_not_retried_at_an_epoch_end(tmp_path, clock):
    meter = ScriptedMeter([], prepare_steps=0)  # evaluate fails: no FD to pop
    quality, callbacks, _, events = make(tmp_path, meter, clock)
    quality.request()
    quality.after_step(1, 0)
    clock.now += 3600
    quality.at_epoch_end(2, 0)
    quality.at_end(3, 0)
    assert [e.kind for e in events] == ["quality_off"] and callbacks.reports == []


def test_stopped_measures_nothing_more(tmp_path, clock):
    meter = ScriptedMeter([10.0], prepare_steps=0)
    quality, callbacks, store, _ = make(tmp_path, meter, clock)
    quality.stop()  # the trainer's answer to non-finite losses
    quality.request()
    quality.after_step(1, 0)
    clock.now += 3600
    quality.at_epoch_end(2, 0)
    quality.at_end(3, 0)
    assert meter.evaluated == [] and store.best == []


def test_evaluate_now_prepares_completely_telling_how_far_along_then_measures(tmp_path, clock):
    meter = ScriptedMeter([12.0], prepare_steps=20, clock=clock, unit_seconds=0.25)
    quality, callbacks, store, events = make(tmp_path, meter, clock, minutes=0)
    quality.request()  # in the first seconds, before any preparation
    quality.after_step(3, 0)  # in this one call: prepared completely, then measured
    assert meter.ready and meter.evaluated == [3] and [r.step for r in callbacks.reports] == [3]
    kinds = [e.kind for e in events]
    told = [e for e in events if e.kind == "quality_preparing"]
    assert kinds == ["quality_preparing"] * len(told) + ["best"]  # the report follows them
    done = [e.data["done"] for e in told]
    assert len(told) >= 4 and done == sorted(set(done)) and done[-1] == told[-1].data["total"]
    assert len(told) <= 20 * 0.25 / live_quality.PROGRESS_EVERY + 2  # about once a second
    assert "feature network" in told[0].message and "left" not in told[0].message
    assert "5 / 20 (about 4 s left)" in told[1].message  # 1 s for 4 units: 15 more take 4 s
    assert "ready" in told[-1].message and "measuring" in told[-1].message
    assert all("\n" not in e.message for e in told)


def test_evaluate_now_on_a_meter_that_is_off_says_why_in_one_line(tmp_path, clock):
    meter = ScriptedMeter([10.0], prepare_steps=3)
    quality, callbacks, store, events = make(tmp_path, meter, clock)
    quality.stop()  # the trainer's answer to non-finite weights
    quality.after_step(1, 0)
    assert events == []  # nobody asked
    quality.request()
    quality.after_step(2, 0)
    (event,) = events
    assert event.kind == "quality_off" and "\n" not in event.message
    assert event.message.startswith("The quality meter is off for this run") and \
        "NaN" in event.message
    quality.after_step(3, 0)
    assert len(events) == 1 and meter.evaluated == [] and meter.units == 0


# ---- a stopped run ---------------------------------------------------------------------------
def test_a_stopped_run_with_a_ready_meter_is_measured_and_keeps_its_best(tmp_path, clock):
    meter = ScriptedMeter([20.0, 12.0], prepare_steps=0)
    quality, callbacks, store, events = make(tmp_path, meter, clock)
    clock.now += 60
    quality.after_step(10, 0)  # the session's first number
    assert quality.at_end(17, 1, stopped=True) == ""
    assert meter.evaluated == [10, 17] and store.best == [10, 17]
    assert [r.step for r in read_quality(tmp_path)] == [10, 17]  # its final quality.csv row
    assert [e.kind for e in events] == ["best", "best"] and "step 17" in events[-1].message
    assert quality.at_end(17, 1, stopped=True) == ""  # this step is measured: not again
    assert meter.evaluated == [10, 17]


def test_a_stop_does_not_wait_for_a_feature_network_still_to_train(tmp_path, clock):
    meter = ScriptedMeter([12.0], prepare_steps=50, clock=clock, unit_seconds=30.0)
    quality, callbacks, store, events = make(tmp_path, meter, clock)
    clock.now += live_quality.PREPARE_AFTER + 1
    quality.after_step(100, 0)  # one unit of 30 s: over its share
    why = quality.at_end(100, 0, stopped=True)
    assert meter.units == 1 and not meter.ready  # not a unit more at the stop
    assert why == live_quality.NOT_READY and "\n" not in why and "Stop does not wait" in why
    assert callbacks.reports == [] and store.best == [] and events == []


def test_a_stop_finishes_a_meter_whose_network_came_from_the_cache(tmp_path, clock):
    meter = ScriptedMeter([12.0], prepare_steps=3, clock=clock, unit_seconds=30.0,
                          from_cache=True)  # the held-out images' features are left
    quality, callbacks, store, _ = make(tmp_path, meter, clock)
    clock.now += live_quality.PREPARE_AFTER + 1
    quality.after_step(100, 0)
    assert quality.at_end(100, 0, stopped=True) == ""
    assert meter.ready and [r.step for r in callbacks.reports] == [100] and store.best == [100]


def test_a_stop_in_the_first_seconds_says_the_run_was_too_short(tmp_path, clock):
    meter = ScriptedMeter([12.0], prepare_steps=1)
    quality, callbacks, *_ = make(tmp_path, meter, clock)
    quality.after_step(1, 0)
    why = quality.at_end(1, 0, stopped=True)
    assert "under 20 s" in why and meter.units == 0 and callbacks.reports == []


def test_a_stop_says_nothing_when_no_measurement_was_wanted(tmp_path, clock):
    quality, *_ = make(tmp_path, ScriptedMeter([12.0], prepare_steps=5), clock, minutes=0)
    clock.now += 3600
    assert quality.at_end(5, 0, stopped=True) == ""  # automatic quality off, nothing asked
    off, *_ = make(tmp_path / "off", ScriptedMeter([12.0], prepare_steps=5), clock)
    off.stop()  # the weights went non-finite (or a worker that is not the chief)
    assert off.at_end(5, 0, stopped=True) == ""


def test_a_measurement_without_the_signs_clears_the_warning(tmp_path, clock):
    meter = ScriptedMeter([10.0, 9.0, 8.0, 7.0], diversities=[0.9, 0.3, 0.85, 0.9],
                          prepare_steps=0)
    quality, callbacks, _store, events = make(tmp_path, meter, clock)
    for step in (1000, 2000, 3000, 4000):
        quality.request()
        quality.after_step(step, 0)
    assert [w.step for w in callbacks.warnings] == [2000]
    cleared = [e for e in events if e.kind == "collapse_cleared"]
    assert [e.data["step"] for e in cleared] == [3000]  # once, when the signs went


def test_the_first_number_comes_before_the_copy_rate_s_features_which_follow_in_the_share(
        tmp_path, clock):
    meter = ScriptedMeter([10.0, 9.0], prepare_steps=2, bank_steps=6, clock=clock,
                          unit_seconds=0.25)
    quality, recorder, *_ = make(tmp_path, meter, clock)
    clock.now += live_quality.PREPARE_AFTER + 10
    quality.after_step(1, 0)
    assert meter.ready and not meter.complete and meter.units == 2  # it stopped once ready
    assert len(recorder.reports) == 1  # measured at once, without the copy rate's features
    for step in range(2, 40):
        clock.now += 0.5
        quality.after_step(step, 0)
    assert meter.complete and meter.units == 8
    quality.request()
    clock.now += 0.5
    quality.after_step(40, 0)  # Evaluate Now waits for no copy features: they are done here
    assert len(recorder.reports) == 2

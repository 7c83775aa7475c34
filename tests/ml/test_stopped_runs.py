"""A stopped run ends as a finished one does: its checkpoint, its final quality measurement
(when the meter is ready: a stop never waits for the feature network) and best/."""

import os

import pytest
from helpers import Recorder

from gan_studio.core.quality.report import QualityReport, read_quality
from gan_studio.core.runs.layout import BEST_DIR, best_checkpoint, list_checkpoints
from gan_studio.core.training.control import TrainControl
from gan_studio.ml.training import live_quality
from gan_studio.ml.training.trainer import Trainer


class FakeMeter:
    """Stands in for the quality meter: ready from the start, or never (a feature network that
    would train for minutes); FDs fall as the steps grow, so each measurement is the best."""

    from_cache = False

    def __init__(self, ready=True):
        self.ready, self.evaluated, self.prepared_at_once, self.units = ready, [], [], 0

    @property
    def complete(self):  # no copy rate's features to prepare after `ready`
        return self.ready

    def prepare_step(self):
        self.units += 1
        return self.ready

    def prepare(self, progress=None, copies=True):  # what a wait for the network would call
        self.prepared_at_once.append(True)

    def evaluate(self, generator, step=0, epoch=0):
        assert generator is not None  # the run's sampler
        self.evaluated.append(step)
        return QualityReport(step=step, epoch=epoch, fd=100.0 / max(1, step), kid=0.0,
                             kid_error=0.0, diversity=0.9, samples=10)


@pytest.fixture
def meter(monkeypatch):
    """The meter each run gets; the test sets `ready`. The meter starts preparing at once."""
    fake = FakeMeter()
    monkeypatch.setattr(live_quality, "PREPARE_AFTER", 0.0)
    monkeypatch.setattr(live_quality.LiveQuality, "_make_meter", lambda self: fake)
    return fake


def _stopped_event(recorder):
    (event,) = recorder.events_of("stopped")
    return event


def test_a_pause_then_stop_measures_the_final_generator_and_keeps_it_as_best(tiny_config, meter):
    tiny_config.epochs = 50
    control = TrainControl()
    recorder = Recorder(lambda progress: progress.step >= 2 and control.pause())
    recorder.on_event = lambda event: (recorder.events.append(event),
                                       event.kind == "paused" and control.stop())
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    assert trainer.run() == "stopped"
    step = _stopped_event(recorder).data["step"]
    assert step >= 2 and meter.evaluated[-1] == step
    assert read_quality(trainer.run_dir)[-1].step == step  # the final quality.csv row
    assert best_checkpoint(trainer.run_dir).endswith(f"best-{step}")
    assert recorder.events_of("best")[-1].data["step"] == step
    assert _stopped_event(recorder).data["unmeasured"] == ""
    assert list_checkpoints(trainer.run_dir)[-1][0] == step


def test_a_stop_with_no_ready_meter_stops_at_once_and_says_why(tiny_config, meter):
    meter.ready = False
    tiny_config.epochs = 50
    control = TrainControl()
    recorder = Recorder(lambda progress: progress.step >= 2 and control.stop())
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    assert trainer.run() == "stopped"
    assert meter.prepared_at_once == [] and meter.evaluated == []  # no wait, no number
    event = _stopped_event(recorder)
    assert event.data["unmeasured"] == live_quality.NOT_READY
    assert not os.path.exists(os.path.join(trainer.run_dir, BEST_DIR))
    assert read_quality(trainer.run_dir) == []
    assert list_checkpoints(trainer.run_dir)[-1][0] == event.data["step"]


def test_a_stop_before_the_first_step_ends_with_a_checkpoint_and_says_why(tiny_config):
    control = TrainControl()
    recorder = Recorder()
    recorder.on_event = lambda event: (recorder.events.append(event),  # as the models build
                                       event.kind == "device" and control.stop())
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    assert trainer.run() == "stopped"
    event = _stopped_event(recorder)
    assert event.data["step"] == 0 and "under 20 s" in event.data["unmeasured"]
    assert [step for step, _ in list_checkpoints(trainer.run_dir)] == [0]
    assert [grid.step for grid in recorder.grids] == [0]  # the start's grid, not twice

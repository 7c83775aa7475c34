"""The training worker and session, driven by a fake engine (no TensorFlow)."""

import gc
import os
import weakref

import pytest

from gan_studio.core.config import TrainConfig
from gan_studio.workers.training import worker as training_worker
from gan_studio.workers.training.session import TrainingSession


@pytest.fixture
def session(qtbot, fake_engine):
    session = TrainingSession(fake_engine)
    yield session
    session.shutdown()
    assert not session.running


def _config(tmp_path, **overrides):
    values = dict(dataset="mnist", runs_dir=str(tmp_path / "runs"), epochs=2, batch_size=8)
    values.update(overrides)
    return TrainConfig(**values)


def test_trains_to_the_end_and_reports(qtbot, session, tmp_path):
    progress, grids, states = [], [], []
    session.progress.connect(progress.append)
    session.grid.connect(grids.append)
    session.state_changed.connect(states.append)
    with qtbot.waitSignal(session.finished, timeout=10000) as finished:
        session.train(_config(tmp_path))
    assert finished.args[0].endswith("fake-0")
    assert session.state == "idle"
    assert states[0] == "starting" and "training" in states and states[-1] == "idle"
    assert [s for p in progress for s in p.steps] == list(range(1, 9))
    assert grids and grids[-1].image.dtype.name == "uint8"
    assert os.path.exists(os.path.join(finished.args[0], "checkpoints", "ckpt-8.index"))


def test_pause_resume_stop(qtbot, session, tmp_path, fake_engine):
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True  # still running when stopped, however slow the machine
    events = []
    session.event.connect(lambda e: events.append(e.kind))
    with qtbot.waitSignal(session.progress, timeout=10000):
        session.train(_config(tmp_path, epochs=100))
    session.pause()
    assert session.state == "paused"
    qtbot.waitUntil(lambda: "paused" in events, timeout=5000)
    session.unpause()
    qtbot.waitUntil(lambda: "resumed" in events, timeout=5000)
    assert session.state == "training"
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.stop()
    assert events[-2:] == ["checkpoint", "stopped"]


def test_stop_requested_before_the_run_begins_is_honoured(qtbot, session, tmp_path):
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(_config(tmp_path, epochs=1000))
        session.stop()
    assert session.state == "idle"


def test_failure_becomes_an_error_signal(qtbot, session, tmp_path, fake_engine):
    fake_engine.failure = RuntimeError("the data set is corrupt")
    errors = []
    session.error.connect(errors.append)
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(_config(tmp_path))
    assert errors == ["the data set is corrupt"]


def test_out_of_memory_is_explained(qtbot, session, tmp_path, fake_engine):
    class ResourceExhaustedError(Exception):
        pass

    fake_engine.failure = ResourceExhaustedError("OOM when allocating tensor")
    errors = []
    session.error.connect(errors.append)
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(_config(tmp_path))
    assert errors[0].startswith("Out of memory")


def test_unavailable_data_reports_url_file_and_folder(qtbot, session, tmp_path, fake_engine):
    fake_engine.failure = fake_engine.DataUnavailableError("https://example.org/mnist.npz",
                                                           "/data/mnist.npz")
    missing = []
    session.data_missing.connect(lambda *args: missing.append(args))
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(_config(tmp_path))
    assert missing == [("https://example.org/mnist.npz", "/data/mnist.npz", "/data")]


def test_download_progress_and_cancel(qtbot, session, tmp_path, fake_engine):
    fake_engine.download_bytes = 1000
    fake_engine.delay = 0.05
    fake_engine.until_stopped = True  # the download is not over before the cancel
    downloads, events, errors = [], [], []
    session.download.connect(lambda done, total: downloads.append((done, total)))
    session.event.connect(lambda e: events.append(e.kind))
    session.error.connect(errors.append)
    with qtbot.waitSignal(session.download, timeout=10000):
        session.train(_config(tmp_path))
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.cancel_download()
    assert downloads[0][1] == 1000
    assert events == ["cancelled"]
    assert errors == []


def test_resume_passes_run_and_checkpoint(qtbot, session, tmp_path, fake_engine):
    run_dir = str(tmp_path / "run")
    os.makedirs(run_dir)
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.continue_run(run_dir, {"epochs": 1}, checkpoint="ckpt-4")
    assert fake_engine.resumed == [(run_dir, 1, "ckpt-4")]
    assert session.run_dir == run_dir


def test_default_engine_loader_names_the_real_classes():
    engine = training_worker.load_engine()
    assert engine.Trainer.__name__ == "Trainer"
    assert engine.DataUnavailableError.__name__ == "DataUnavailableError"


def test_the_window_asks_the_trainer_for_four_reports_a_second(qtbot, session, tmp_path,
                                                               fake_engine):
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(_config(tmp_path))
    callbacks = fake_engine.runs[0].callbacks
    assert callbacks.progress_interval == 0.25  # the trainer throttles; nothing re-merges
    assert not callbacks.wants_generator  # the fake engine cannot copy generators


def test_the_window_and_the_trainer_never_share_a_config(qtbot, session, tmp_path, fake_engine):
    original = fake_engine.Trainer.create
    trainers = []

    def create(config, **kwargs):
        trainer = original(config, **kwargs)
        run = trainer.run

        def run_after_reading_the_data():
            trainer.config.channels = 3  # as the real trainer does once it has the images
            trainer.config.extra["resolved"] = True
            return run()

        trainer.run = run_after_reading_the_data
        trainers.append(trainer)
        return trainer

    fake_engine.Trainer.create = staticmethod(create)
    config = _config(tmp_path)
    started = []
    session.run_started.connect(lambda _run_dir, started_config: started.append(started_config))
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(config)
        config.epochs = 99  # the window's own object, changed after Train was pressed
    trained = trainers[0].config
    assert trained is not config and trained.epochs == 2
    assert trained.channels == 3
    (received,) = started
    assert received is not trained and session.config is received
    assert received.channels is None and "resolved" not in received.extra


def test_quality_reports_and_collapse_warnings_reach_the_gui_thread(qtbot, session, tmp_path,
                                                                    fake_engine):
    import threading

    from gan_studio.core.quality.collapse import CollapseWarning
    from gan_studio.core.quality.report import QualityReport

    fake_engine.collapse_at = 8
    reports, warnings, threads = [], [], []
    session.quality.connect(
        lambda r: (reports.append(r), threads.append(threading.current_thread())))
    session.collapse.connect(warnings.append)
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(_config(tmp_path, epochs=2))
    assert [r.step for r in reports] == [4, 8]  # one per fake epoch
    assert all(isinstance(r, QualityReport) for r in reports)
    assert threads == [threading.main_thread()] * 2
    assert len(warnings) == 1 and isinstance(warnings[0], CollapseWarning)
    assert warnings[0].step == 8 and "only 30% as varied as real images" in warnings[0].message


def test_evaluate_now_reaches_the_trainers_control(qtbot, session, tmp_path, fake_engine):
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True
    reports = []
    session.quality.connect(reports.append)
    with qtbot.waitSignal(session.progress, timeout=10000):
        session.train(_config(tmp_path, epochs=100))
    session.pause()
    qtbot.waitUntil(lambda: fake_engine.runs and fake_engine.runs[0].control.paused, timeout=5000)
    session.request_evaluation()
    session.unpause()
    # The fake trainer evaluates at epoch ends (every 4 steps) and when its control asks.
    qtbot.waitUntil(lambda: any(r.step % 4 for r in reports), timeout=5000)
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.stop()


def test_a_finished_run_s_trainer_is_gone_once_the_next_one_trains(qtbot, session, tmp_path,
                                                                     fake_engine):
    """Nothing in the worker or the session holds on to a run that ended (the window trains
    run after run in one process: tests/benchmarks/runs_soak.py)."""
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.train(_config(tmp_path))
    first = weakref.ref(fake_engine.runs.pop())  # (the fake engine lists its runs)
    fake_engine.until_stopped = True
    with qtbot.waitSignal(session.progress, timeout=10000):
        session.train(_config(tmp_path))
    gc.collect()
    assert first() is None
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.stop()


def test_a_hold_reaches_the_running_trainer_and_a_run_started_while_held(qtbot, session,
                                                                          tmp_path, fake_engine):
    fake_engine.until_stopped = True
    controls = []
    make_control = fake_engine.TrainControl

    def recorded():
        controls.append(make_control())
        return controls[-1]

    fake_engine.TrainControl = recorded
    with qtbot.waitSignal(session.progress, timeout=10000):
        session.train(_config(tmp_path, epochs=100))
    session.hold()
    assert controls[-1].held and session.state == "training"  # held, not paused
    session.release()
    assert not controls[-1].held
    session.hold()
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.stop()
    with qtbot.waitSignal(session.progress, timeout=10000):  # the fake's first report comes
        session.train(_config(tmp_path, epochs=100))  # before its loop would wait
    assert controls[-1] is not controls[0] and controls[-1].held
    session.release()
    assert not controls[-1].held
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.stop()

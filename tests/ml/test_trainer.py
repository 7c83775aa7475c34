import gc
import os
import time
import weakref

import numpy as np
import pytest
from helpers import Recorder

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs.layout import latest_grid_png, list_checkpoints
from gan_studio.core.runs.metrics_log import read_metrics
from gan_studio.core.training.control import TrainControl
from gan_studio.ml.runtime.custom_gradients import traced_graphs
from gan_studio.ml.training.trainer import Trainer, TrainingError


def test_three_steps_on_tiny_data_give_finite_losses_and_outputs(tiny_config):
    tiny_config.max_steps = 3
    recorder = Recorder()
    reports, grids, events = recorder.reports, recorder.grids, recorder.events
    trainer = Trainer.create(tiny_config, callbacks=recorder)
    assert trainer.run() == "finished"
    steps = [s for r in reports for s in r.steps]
    assert steps == [1, 2, 3]
    assert all(np.isfinite(r.g_loss) and np.isfinite(r.d_loss) for r in reports)
    assert all(0 <= r.d_real <= 1 and 0 <= r.d_fake <= 1 for r in reports)
    assert grids and grids[-1].image.dtype == np.uint8 and grids[-1].image.shape == (56, 56, 1)
    assert grids[-1].tiles.shape == (4, 28, 28, 1)
    assert grids[-1].latents.shape == (4, 100) and grids[-1].latents.dtype == np.float32
    kinds = [e.kind for e in events]
    assert "device" in kinds and kinds[-1] == "finished"
    run_dir = trainer.run_dir
    assert os.path.basename(run_dir).startswith("mnist-")
    metrics = read_metrics(run_dir)
    assert list(metrics["step"]) == [1, 2, 3]
    # Wall-clock times keep millisecond precision (per-step timing is read back from them).
    assert np.all(np.diff(metrics["time"]) > 0) and abs(metrics["time"][-1] - time.time()) < 600
    assert np.isfinite(metrics["g_loss"]).all()
    assert list_checkpoints(run_dir)[-1][0] == 3
    assert latest_grid_png(run_dir)
    assert any(f.startswith("events.out.tfevents") for f in os.listdir(run_dir))
    saved = TrainConfig.load(os.path.join(run_dir, "config.json"))
    assert saved.image_size == 28 and saved.channels == 1 and saved.batch_size == 8


@pytest.mark.slow
def test_resume_continues_step_epoch_and_optimizer_state(tiny_config):
    tiny_config.max_steps = 4
    first = Trainer.create(tiny_config)
    first.run()
    g_weights = first.gan.generator.get_weights()
    recorder = Recorder()
    reports = recorder.reports
    resumed = Trainer.resume(first.run_dir, epochs=2, max_steps=8, callbacks=recorder)
    resumed.run()
    steps = [s for r in reports for s in r.steps]
    assert steps == [5, 6, 7, 8]
    assert int(resumed.gan.g_optimizer.iterations.numpy()) == 8
    assert int(resumed.gan.d_optimizer.iterations.numpy()) == 8
    assert reports[-1].epoch == 1  # 6 steps per epoch: step 7 and 8 are in the second epoch
    assert list(read_metrics(first.run_dir)["step"]) == list(range(1, 9))
    # The restore really loaded the weights (they then changed by training on).
    restored = Trainer.resume(first.run_dir, checkpoint=list_checkpoints(first.run_dir)[0][1])
    restored._build((28, 28, 1), 48)
    assert int(restored.gan.step.numpy()) == 4
    for a, b in zip(g_weights, restored.gan.generator.get_weights()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
@pytest.mark.parametrize("d_dropout", [0.0, 0.3])  # 0.3: the dropout's random state resumes too
def test_resume_is_exact_continuation(tiny_config, d_dropout):
    """Training 4 steps, stopping and resuming to 6 equals training 6 steps straight."""
    tiny_config.max_steps = 6
    tiny_config.seed = 3
    tiny_config.d_dropout = d_dropout
    straight = Trainer.create(tiny_config)
    straight.run()
    tiny_config.max_steps = 3
    part = Trainer.create(tiny_config)
    part.run()
    rest = Trainer.resume(part.run_dir, max_steps=6)
    rest.run()
    a = read_metrics(straight.run_dir)
    b = read_metrics(part.run_dir)
    np.testing.assert_allclose(a["d_real"], b["d_real"], rtol=1e-4, atol=1e-5)


def test_stop_saves_a_checkpoint(tiny_config):
    tiny_config.epochs = 50
    control = TrainControl()
    seen = []

    def report(progress):
        seen.append(progress.step)
        if progress.step >= 2:
            control.stop()

    trainer = Trainer.create(tiny_config, callbacks=Recorder(report), control=control)
    assert trainer.run() == "stopped"
    step = max(seen)
    assert list_checkpoints(trainer.run_dir)[-1][0] == step


def count_waits(control: TrainControl, wait: str):
    """Replaces `control`'s `wait` method with one that releases the semaphore returned each
    time a wait runs out while the loop is still held back: "still waiting", by events."""
    import threading

    waits = threading.Semaphore(0)
    original = getattr(control, wait)

    def counted(timeout=None):
        free = original(timeout)
        if not free:
            waits.release()
        return free

    setattr(control, wait, counted)
    return waits


def test_pause_blocks_until_resume(tiny_config):
    import threading

    tiny_config.max_steps = 4
    control = TrainControl()
    still_paused = count_waits(control, "wait_while_paused")
    reports = []

    def report(progress):
        reports.append(progress.step)
        if progress.step == 1:
            control.pause()

    recorder = Recorder(report)
    events = recorder.events
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    thread = threading.Thread(target=trainer.run)
    thread.start()
    for _ in range(3):  # the loop woke, found itself still paused and waited on: three times
        assert still_paused.acquire(timeout=60)
    assert reports == [1] and [e.kind for e in events].count("paused") == 1
    control.resume()
    thread.join(60)
    assert not thread.is_alive() and reports[-1] == 4
    assert [e.kind for e in events].count("resumed") == 1


def test_nan_losses_pause_or_raise(tiny_config):
    tiny_config.max_steps = 3
    tiny_config.learning_rate = 1e-4
    trainer = Trainer.create(tiny_config, on_fault="raise")
    images = np.zeros((48, 28, 28, 1), np.uint8)
    trainer._build(images.shape[1:], len(images))
    for var in trainer.gan.discriminator.trainable_variables[:1]:
        var.assign(np.full(var.shape, np.nan, np.float32))
    trainer._build = lambda shape, count: None  # keep the poisoned weights
    with pytest.raises(TrainingError, match="NaN"):
        trainer.run()


def test_resume_without_checkpoint_is_a_clear_error(tmp_path):
    with pytest.raises(TrainingError, match="not a GAN Studio run"):
        Trainer.resume(str(tmp_path))


def test_generator_snapshots_reach_the_callback(tiny_config):
    tiny_config.max_steps = 6
    seen = []
    trainer = Trainer.create(tiny_config, callbacks=Recorder(
        on_generator=lambda g: seen.append(g.get_weights()[0].copy())))
    trainer.run()
    # One at the start, one at the epoch's end (6 steps = 1 epoch), and the weights moved.
    assert len(seen) >= 2
    assert not np.array_equal(seen[0], seen[-1])


def test_a_run_that_fails_before_training_leaves_no_folder(tmp_path):
    from gan_studio.data import DatasetError

    config = TrainConfig(dataset=str(tmp_path / "no_such_folder"), runs_dir=str(tmp_path / "runs"))
    trainer = Trainer.create(config)
    with pytest.raises(DatasetError):
        trainer.run()
    assert not os.path.exists(trainer.run_dir)


@pytest.mark.slow
def test_the_live_meter_measures_keeps_the_best_and_logs(tiny_config, monkeypatch):
    from gan_studio.core.quality.report import read_quality
    from gan_studio.core.runs.layout import resolve_checkpoint
    from gan_studio.ml.generators.export import generator_from_run
    from gan_studio.ml.quality import features
    from gan_studio.ml.training import live_quality

    monkeypatch.setattr(live_quality, "PREPARE_AFTER", 0.0)
    monkeypatch.setattr(live_quality, "PREPARE_SHARE", 1e9)  # prepare at every step
    for kind in list(features.DEFAULT_BUDGETS):
        monkeypatch.setitem(features.DEFAULT_BUDGETS, kind,
                            features.FeatureBudget(epochs=1, max_batches=2, batch_size=16))
    tiny_config.epochs, tiny_config.quality_samples = 3, 100
    tiny_config.quality_every_minutes = 1e-6  # after every step once the meter is ready

    class Quality(Recorder):
        def __init__(self):
            super().__init__()
            self.quality = []

        def on_quality(self, report):
            self.quality.append(report)

    recorder = Quality()
    trainer = Trainer.create(tiny_config, callbacks=recorder)
    assert trainer.run() == "finished"
    assert len(recorder.quality) >= 3
    logged = read_quality(trainer.run_dir)
    assert logged == recorder.quality  # quality.csv holds every measurement
    assert all(r.labelled and r.classes == 10 and r.samples == 100 for r in logged)
    best = min(logged, key=lambda r: r.fd)
    best_path = resolve_checkpoint(trainer.run_dir, "best")
    assert best_path.endswith(f"best-{best.step}")
    assert any(e.kind == "best" for e in recorder.events)
    assert generator_from_run(trainer.run_dir, best_path).output_shape[1:] == (28, 28, 1)


def test_a_stop_right_after_an_epoch_s_save_writes_that_step_once(tiny_config, monkeypatch):
    from gan_studio.ml.runs import checkpoints
    from gan_studio.ml.training import trainer as trainer_module

    # An epoch-end checkpoint after every epoch of the 48 images (6 steps each).
    monkeypatch.setattr(trainer_module, "epochs_per_round", lambda count: 1)
    tiny_config.epochs = 50
    saved, real_write = [], checkpoints.CheckpointStore._write

    def write(self, manager, name, step):
        saved.append(step)
        return real_write(self, manager, name, step)

    monkeypatch.setattr(checkpoints.CheckpointStore, "_write", write)
    control = TrainControl()
    recorder = Recorder()
    recorder.on_event = lambda event: (recorder.events.append(event),
                                       event.kind == "epoch_end" and control.stop())
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    assert trainer.run() == "stopped"
    assert saved == [6]  # the epoch's checkpoint; before, the stop saved step 6 again
    kinds = [e.kind for e in recorder.events]
    assert kinds[-2:] == ["checkpoint", "stopped"]  # the stop still says where its checkpoint is
    assert recorder.events[-2].data["path"].endswith("ckpt-6")


def test_a_built_in_name_stays_a_name_beside_a_folder_of_that_name(tiny_config, tmp_path,
                                                                   monkeypatch):
    (tmp_path / "cwd" / "mnist").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "cwd")
    tiny_config.max_steps = 1
    trainer = Trainer.create(tiny_config)
    assert trainer.config.dataset == "mnist"
    folder = Trainer.create(TrainConfig(dataset="./mnist", runs_dir=tiny_config.runs_dir))
    assert folder.config.dataset == str(tmp_path / "cwd" / "mnist")


def test_a_finished_run_lets_go_of_its_train_step_graph(tiny_config):
    """Keras' optimizers trace a custom gradient, and TensorFlow's gradient registry kept it,
    and through it the train step's whole graph, for good: a window session grew by every run
    (tests/benchmarks/runs_soak.py)."""
    tiny_config.max_steps = 2
    trainer = Trainer.create(tiny_config)
    assert trainer.run() == "finished"
    graphs = [weakref.ref(graph) for graph in traced_graphs(trainer.gan.train_steps)]
    assert graphs
    del trainer
    gc.collect()
    assert [graph() for graph in graphs] == [None] * len(graphs)


def test_every_grid_drawn_is_kept_for_the_timelapse(tiny_config):
    from gan_studio.core.runs.grid_files import step_grids

    tiny_config.max_steps, tiny_config.sample_every_steps = 5, 2
    recorder = Recorder()
    trainer = Trainer.create(tiny_config, callbacks=recorder)
    assert trainer.run() == "finished"
    drawn = [grid.step for grid in recorder.grids]
    assert len(drawn) == len(set(drawn))  # the end's grid is not drawn twice
    assert [step for step, _ in step_grids(trainer.run_dir)] == drawn
    assert drawn[0] == 0 and {2, 4, 5} <= set(drawn)


def test_a_hold_makes_the_loop_wait_without_pausing_and_the_wait_is_not_trained_time(
        tiny_config):
    """A latent search holds training: the loop waits before its next step, says so (not
    `paused`), goes on after the last release, and the time held counts toward nothing."""
    import threading

    from gan_studio.core.runs.trained_time import read_trained_times

    tiny_config.max_steps = 4
    control = TrainControl()
    waited = count_waits(control, "wait_while_held")
    reports = []

    def report(progress):
        reports.append(progress.step)
        if progress.step == 1:
            control.hold()
            control.hold()  # two searches: both must be released

    recorder = Recorder(report)
    trainer = Trainer.create(tiny_config, callbacks=recorder, control=control)
    thread = threading.Thread(target=trainer.run)
    begun = time.monotonic()
    thread.start()
    for _ in range(10):  # 0.1 s each: a second held at least
        assert waited.acquire(timeout=60)
    control.release()
    for _ in range(3):  # one release of two: still held
        assert waited.acquire(timeout=60)
    assert reports == [1] and not control.paused
    control.release()
    thread.join(60)
    wall = time.monotonic() - begun
    kinds = [e.kind for e in recorder.events]
    assert not thread.is_alive() and reports[-1] == 4
    assert kinds.count("held") == 1 and kinds.count("released") == 1 and "paused" not in kinds
    trained = read_trained_times(trainer.run_dir)[4]
    assert trained <= wall - 1.3  # the 1.3 s held (at least) are not trained time


def test_holds_are_counted_and_a_stop_ends_a_hold():
    control = TrainControl()
    assert not control.held and control.wait_while_held(0)
    control.hold()
    control.hold()
    control.release()
    assert control.held and not control.wait_while_held(0.01)
    control.release()
    control.release()  # one too many: no debt for the next hold
    assert not control.held
    control.hold()
    assert control.held
    control.stop()
    assert control.wait_while_held(0)

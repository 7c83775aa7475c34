"""What a run folder gives back when it is reopened: every grid of its timelapse in step order
(read when shown), where its progress stood, and the grid files training keeps bounded."""

import json

import numpy as np
import pytest
from PIL import Image

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs import grid_files
from gan_studio.core.runs.grid_files import StepGridFiles, saved_grids, step_grids
from gan_studio.core.runs.history import load_run_history
from gan_studio.core.runs.layout import step_grid_name
from gan_studio.core.runs.metrics_log import read_metrics
from gan_studio.core.runs.saved_progress import logged_steps_per_epoch, saved_progress
from gan_studio.core.runs.trained_time import record_trained_seconds


def write_grid(path, value, side=4):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((side, side), value % 256, np.uint8)).save(path)


def write_run(run_dir, steps, per_epoch, config):
    """A run folder: config.json, metrics.csv of `steps` steps, `per_epoch` steps an epoch."""
    (run_dir / "samples").mkdir(parents=True, exist_ok=True)
    (run_dir / "config.json").write_text(json.dumps(config))
    rows = ["step,epoch,g_loss,d_loss,d_real,d_fake,time"]
    rows += [f"{s},{(s - 1) // per_epoch},{1 / s},{2 / s},0.6,0.4,{s}" for s in range(1, steps + 1)]
    (run_dir / "metrics.csv").write_text("\n".join(rows) + "\n")
    return run_dir


def test_every_grid_by_step_comes_back_in_step_order_and_only_the_newest_is_read(tmp_path):
    run_dir = write_run(tmp_path / "run", 650, 100, {"dataset": "faces", "batch_size": 8})
    samples = run_dir / "samples"
    for step in range(0, 650, 5):  # 130 grids, written in no particular order
        if step != 600:  # (thinned away)
            write_grid(samples / step_grid_name(step), step)
    write_grid(samples / "grid-epoch-0001.png", 100)  # step 100's grid, again: once only
    write_grid(samples / "grid-epoch-0006.png", 211)  # the end of epoch 6: step 600's
    write_grid(samples / "last.png", 645)
    history = load_run_history(str(run_dir))
    steps = [grid.step for grid in history.grids]
    assert steps == list(range(0, 650, 5))
    assert [g.image is not None for g in history.grids] == [False] * 129 + [True]
    assert history.grids[-1].image[0, 0] == 645 % 256 and history.grids[-1].epoch == 6
    assert history.grids[steps.index(600)].path.endswith("grid-epoch-0006.png")
    assert history.grids[steps.index(250)].epoch == 2


def test_a_run_from_before_the_grids_by_step_gives_its_epochs_then_its_newest(tmp_path):
    run_dir = write_run(tmp_path / "run", 25, 10, {"dataset": "mnist", "batch_size": 8})
    for epoch in (1, 2):
        write_grid(run_dir / "samples" / f"grid-epoch-{epoch:04d}.png", 40 * epoch)
    write_grid(run_dir / "samples" / "last.png", 99)
    grids = load_run_history(str(run_dir)).grids
    assert [(g.step, g.epoch) for g in grids] == [(10, 0), (20, 1), (25, 2)]
    write_grid(run_dir / "samples" / "last.png", 80)  # the last epoch's grid: once only
    grids = load_run_history(str(run_dir)).grids
    assert [g.step for g in grids] == [10, 20] and grids[-1].image[0, 0] == 80


def test_an_unreadable_newest_grid_is_passed_over(tmp_path):
    run_dir = write_run(tmp_path / "run", 10, 10, {"dataset": "mnist", "batch_size": 8})
    write_grid(run_dir / "samples" / step_grid_name(5), 5)
    (run_dir / "samples" / step_grid_name(10)).write_bytes(b"\x89PNG cut short")
    grids = load_run_history(str(run_dir)).grids
    assert [g.step for g in grids] == [5] and grids[0].image[0, 0] == 5


def test_grid_files_are_thinned_past_their_limit_and_dropped_past_a_resume(tmp_path,
                                                                         monkeypatch):
    monkeypatch.setattr(grid_files, "MAX_STEP_GRIDS", 20)
    monkeypatch.setattr(grid_files, "MIN_STEP_GRIDS", 4)
    samples = tmp_path / "samples"
    files = StepGridFiles(tmp_path)
    for step in range(0, 210, 10):  # the 21st file takes them over the limit
        write_grid(samples / step_grid_name(step), step)
        files.added(step, str(samples / step_grid_name(step)))
    kept = [step for step, _ in step_grids(tmp_path)]
    assert kept == list(range(0, 200, 20)) + [200]  # the whole span, at half the density
    monkeypatch.setattr(grid_files, "STEP_GRID_BYTES", 1)  # big files: the minimum is kept
    files.added(200, str(samples / step_grid_name(200)))
    assert len(step_grids(tmp_path)) == 6 and step_grids(tmp_path)[-1][0] == 200
    StepGridFiles(tmp_path, resume_step=120)  # rolled back: a future that will not be
    assert [step for step, _ in step_grids(tmp_path)] == [0, 40, 80, 120]


def test_saved_grids_of_an_empty_run_folder(tmp_path):
    assert saved_grids(tmp_path, read_metrics(tmp_path)) == []


# ---- progress -------------------------------------------------------------------------------
@pytest.mark.parametrize("per_epoch", [7, 1, 1000])
def test_the_steps_of_an_epoch_are_read_from_the_log(per_epoch):
    steps = np.arange(1, 2 * per_epoch + 3)
    assert logged_steps_per_epoch(steps, (steps - 1) // per_epoch) == per_epoch
    first = np.arange(1, per_epoch + 1)
    assert logged_steps_per_epoch(first, (first - 1) // per_epoch) is None  # one epoch so far


def test_a_built_in_run_in_epochs_restores_its_bars(tmp_path):
    config = TrainConfig(dataset="mnist", batch_size=600, epochs=3, runs_dir=str(tmp_path))
    run_dir = write_run(tmp_path / "run", 130, 100, config.to_dict())
    record_trained_seconds(run_dir, 120, 61.5)
    progress = saved_progress(run_dir, TrainConfig.load(run_dir / "config.json"),
                              read_metrics(run_dir))
    assert (progress.step, progress.epoch, progress.steps_per_epoch) == (130, 1, 100)
    assert progress.total_steps == 300 and progress.budget_seconds == 0
    assert progress.trained_seconds == progress.elapsed_seconds == 61.5
    assert progress.g_loss == pytest.approx(1 / 130) and progress.d_real == pytest.approx(0.6)


def test_a_run_with_a_time_budget_restores_the_time_it_trained(tmp_path):
    config = TrainConfig(dataset="faces", batch_size=8, max_minutes=10)
    run_dir = write_run(tmp_path / "run", 300, 40, config.to_dict())
    record_trained_seconds(run_dir, 300, 150.0)
    progress = saved_progress(run_dir, config, read_metrics(run_dir))
    assert progress.budget_seconds == 600 and progress.trained_seconds == 150
    assert progress.steps_per_epoch == 40  # from the log: a folder's size is not known
    assert progress.total_steps == 1200  # at the speed it trained


def test_progress_where_little_is_known(tmp_path):
    config = TrainConfig(dataset="faces", batch_size=8, epochs=5)
    run_dir = write_run(tmp_path / "run", 30, 1000, config.to_dict())
    progress = saved_progress(run_dir, config, read_metrics(run_dir))
    assert progress.steps_per_epoch == 0 and progress.total_steps == 0  # first epoch
    assert progress.trained_seconds == 0  # no trained_time.json
    assert saved_progress(run_dir, None, read_metrics(run_dir)).total_steps == 0
    assert saved_progress(tmp_path, config, read_metrics(tmp_path)) is None  # no step yet

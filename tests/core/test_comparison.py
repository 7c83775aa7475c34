"""Runs compared side by side (core/runs/comparison.py, core/runs/compared_grids.py): curves
lined up by step, images and time, the grids nearest to a point, the tables at equal budget."""

import dataclasses
import os

import numpy as np
import pytest
from synthetic_runs import report

from gan_studio.core.config import TrainConfig
from gan_studio.core.images import load_image, save_png
from gan_studio.core.quality.report import append_quality
from gan_studio.core.runs.compared_grids import caption, side_by_side
from gan_studio.core.runs.comparison import (
    MAX_COMPARED,
    ComparedRun,
    Comparison,
    describe_budget,
    display_points,
    files_stamp,
    quality_cells,
    running_mean,
)
from gan_studio.core.runs.layout import CONFIG_FILE, SAMPLES_DIR, step_grid_name
from gan_studio.core.runs.metrics_log import MetricsLog
from gan_studio.core.training.progress import StepMetrics

START = 1.7e9


def write_run(folder, steps, seconds_per_step, batch_size=32, grid_every=50, fds=None,
              first_step=1, **config):
    """Writes a run folder with the real writers: config, a metrics row per step (losses that
    encode the step), a 4x4 grid every `grid_every` steps whose pixels hold the step modulo
    256, and a quality report per (step, FD) of `fds`. Returns the folder."""
    run_dir = str(folder)
    os.makedirs(os.path.join(run_dir, SAMPLES_DIR), exist_ok=True)
    if not os.path.isfile(os.path.join(run_dir, CONFIG_FILE)):
        TrainConfig(dataset="mnist", batch_size=batch_size, **config).save(
            os.path.join(run_dir, CONFIG_FILE))
    append_steps(run_dir, range(first_step, steps + 1), seconds_per_step)
    for step in range(grid_every, steps + 1, grid_every) if grid_every else ():
        save_png(os.path.join(run_dir, SAMPLES_DIR, step_grid_name(step)),
                 np.full((4, 4), step % 256, np.uint8))
    for step, fd in fds or ():
        append_quality(run_dir, report(step, fd))
    return run_dir


def append_steps(run_dir, steps, seconds_per_step):
    """Appends metrics rows for `steps`, `seconds_per_step` apart (g_loss = step / 1000)."""
    log = MetricsLog(run_dir, resume_step=10**9)
    log.append([StepMetrics(s, 0, s / 1000, 1.0, 0.6, 0.4, START + s * seconds_per_step)
                for s in steps])
    log.close()


@pytest.fixture
def two_runs(tmp_path):
    """A run of batch 32 at 2 steps/s for 240 steps, one of batch 128 at 1 step/s for 100."""
    small = write_run(tmp_path / "small", 240, 0.5, batch_size=32, grid_every=50,
                      fds=[(60, 50.0), (120, 30.0), (240, 20.0)])
    large = write_run(tmp_path / "large", 100, 1.0, batch_size=128, grid_every=30,
                      fds=[(30, 40.0), (60, 25.0), (100, 22.0)])
    return Comparison([ComparedRun.read(small), ComparedRun.read(large)])


def test_curves_line_up_by_step_images_and_time(two_runs):
    small, large = two_runs.curves("step")
    assert small.x.tolist() == list(range(1, 241)) and large.x.tolist() == list(range(1, 101))
    small, large = two_runs.curves("images")
    assert small.x.tolist() == [32.0 * s for s in range(1, 241)]
    assert large.x.tolist() == [128.0 * s for s in range(1, 101)]
    small, large = two_runs.curves("time")  # minutes: half a second a step, then a second
    np.testing.assert_allclose(small.x, np.arange(1, 241) * 0.5 / 60)
    np.testing.assert_allclose(large.x, np.arange(1, 101) / 60)
    # g_loss is step / 1000: its running mean trails by half the window (2 steps for 240)
    assert small.y["g_loss"][-1] == pytest.approx((239 + 240) / 2 / 1000)
    assert set(small.y) == {"g_loss", "d_loss", "d_real", "d_fake"}


def test_quality_points_land_where_their_steps_do(two_runs):
    (sx, sy), (lx, ly) = two_runs.quality_points("step", "fd")
    assert sx.tolist() == [60, 120, 240] and sy.tolist() == [50, 30, 20]
    assert lx.tolist() == [30, 60, 100]
    (sx, _), (lx, _) = two_runs.quality_points("images", "fd")
    assert sx.tolist() == [1920, 3840, 7680] and lx.tolist() == [3840, 7680, 12800]
    (sx, _), (lx, _) = two_runs.quality_points("time", "fd")
    np.testing.assert_allclose(sx, [0.5, 1.0, 2.0])
    np.testing.assert_allclose(lx, [0.5, 1.0, 100 / 60])
    (_, copies), _ = two_runs.quality_points("step", "copy_rate")
    assert copies.tolist() == [0.05] * 3
    with pytest.raises(ValueError, match="unknown quality number"):
        two_runs.quality_points("step", "fid")
    with pytest.raises(ValueError, match="unknown axis"):
        two_runs.curves("epochs")


def test_the_equal_budget_and_the_best_run_depend_on_the_axis(two_runs):
    assert two_runs.common_budget("step") == 100
    assert two_runs.common_budget("images") == 7680
    assert two_runs.common_budget("time") == pytest.approx(100 / 60)
    by_step = two_runs.quality_table("step")  # the small run at step 60, the large at 100
    assert [r.step for r in by_step.reports] == [60, 100] and by_step.best == 1
    by_images = two_runs.quality_table("images")  # 7,680 images: steps 240 and 60
    assert [r.step for r in by_images.reports] == [240, 60] and by_images.best == 0
    by_time = two_runs.quality_table("time")  # 1.67 minutes: steps 120 and 100
    assert [r.fd for r in by_time.reports] == [30.0, 22.0] and by_time.best == 1
    assert describe_budget(by_time) == "at 1.7 minutes trained, the most all runs reached"
    assert describe_budget(by_images) == "at 7,680 images seen, the most all runs reached"
    cells = quality_cells(by_time.reports[1])
    assert cells["FD"] == "22.00" and cells["measured at"] == "step 100"
    assert cells["copy rate"] == "5.0%"
    assert quality_cells(None)["FD"] == "—"


def test_grids_at_a_point_are_each_runs_nearest_stated(two_runs):
    small, large = two_runs.grids_at("step", 80)  # grids every 50 and every 30 steps
    assert (small.step, small.distance) == (100, 20) and (large.step, large.distance) == (90, 10)
    assert caption(small, "step") == "step 100 (nearest saved grid to 80)"
    assert load_image(small.grid.path)[0, 0] == 100  # the file of that step
    small, large = two_runs.grids_at("step", 60)
    assert large.exact and caption(large, "step") == "step 60"
    assert small.step == 50 and not small.exact
    small, large = two_runs.grids_at("time", 1.0)  # step 120 of the small run, 60 of the large
    assert (small.step, large.step) == (100, 60)
    assert caption(large, "time") == "step 60 · 1.0 min"
    assert caption(small, "time") == "step 100 · 0.8 min (nearest saved grid to 1.0 min)"
    assert caption(None, "step") == "no saved grid"
    near = dataclasses.replace(small, asked=small.position + 0.01)  # 0.8 min either way
    assert caption(near, "time") == "step 100 · 0.8 min (nearest saved grid)"


def test_the_slider_stops_at_grids_inside_the_range_all_runs_span(two_runs):
    stops = two_runs.grid_stops("step")  # 50..200 and 30..90: their common span is 50..90
    assert stops.tolist() == [50, 60, 90]
    stops = two_runs.grid_stops("images")  # 1,600..6,400 and 3,840..11,520
    assert stops.tolist() == [3840, 4800, 6400]


def test_labels_and_settings_name_the_levers_that_differ(two_runs, tmp_path):
    assert two_runs.labels == ["batch-size 32", "batch-size 128"]
    rows = two_runs.settings_table()
    assert [(r.name, r.values) for r in rows] == [("batch-size", ("32", "128"))]
    same = write_run(tmp_path / "again", 10, 0.5, batch_size=32, grid_every=0)
    three = Comparison([*two_runs.runs, ComparedRun.read(same)])
    assert three.labels == ["batch-size 32 (small)", "batch-size 128", "batch-size 32 (again)"]
    twins = Comparison([ComparedRun.read(same), ComparedRun.read(two_runs.run_dirs[0])])
    assert twins.labels == ["again", "small"] and twins.settings_table() == []


def test_a_damaged_run_is_shown_by_name_with_its_problem(two_runs, tmp_path):
    broken = tmp_path / "broken"
    write_run(broken, 20, 0.5, grid_every=10)
    (broken / CONFIG_FILE).write_text("{ not json")
    run = ComparedRun.read(str(broken))
    assert run.config is None and "config.json" in run.problem and run.steps == 20
    comparison = Comparison([*two_runs.runs, run])
    assert comparison.labels[2] == "broken"
    assert comparison.settings_table()[0].values == ("32", "128", "—")
    assert comparison.grids_at("step", 10)[2].step == 10
    gone = ComparedRun.read(str(tmp_path / "nothing-here"))
    assert gone.problem == "the folder is gone" and gone.steps == 0
    assert Comparison([run, gone]).common_budget("step") == 20  # the empty one left out


def test_more_than_six_runs_are_refused(two_runs):
    with pytest.raises(ValueError, match=f"at most {MAX_COMPARED}; choose fewer"):
        Comparison([two_runs.runs[0]] * (MAX_COMPARED + 1))


def test_a_long_run_draws_at_most_two_thousand_smoothed_points():
    kept = display_points(100_000)
    assert len(kept) <= 2000 and kept[0] == 0 and kept[-1] == 99_999
    assert display_points(5).tolist() == [0, 1, 2, 3, 4]
    noisy = np.tile([0.0, 2.0], 5000)
    assert np.allclose(running_mean(noisy, 100)[100:], 1.0)
    assert running_mean([np.nan, 1.0, np.nan, 3.0], 2).tolist()[1:] == [1.0, 1.0, 3.0]


def test_files_stamp_changes_when_a_run_writes(two_runs):
    run_dir = two_runs.run_dirs[1]
    before = files_stamp(run_dir)
    append_steps(run_dir, [101], 1.0)
    assert files_stamp(run_dir) != before


def test_grids_side_by_side_as_one_sheet():
    sheet = side_by_side([np.zeros((20, 30), np.uint8), None], ["lr 0.0001", "lr 0.0004"],
                         ["step 50", "no saved grid"], gap=10)
    assert sheet.dtype == np.uint8 and sheet.shape[2] == 3
    assert sheet.shape[1] == 10 + 2 * (30 + 10)
    assert (sheet == 0).all(axis=2).sum() >= 20 * 30  # the black grid is pasted whole


def test_labels_leave_out_the_d_learning_rate_that_follows_g(tmp_path):
    runs = [ComparedRun.read(write_run(tmp_path / f"lr{i}", 10, 1.0, grid_every=0,
                                       learning_rate=lr))
            for i, lr in enumerate((1e-4, 4e-4))]
    follows = Comparison(runs)
    assert follows.labels == ["lr 0.0001", "lr 0.0004"]
    assert [r.name for r in follows.settings_table()] == ["lr"]
    own = ComparedRun.read(write_run(tmp_path / "own", 10, 1.0, grid_every=0,
                                     learning_rate=1e-4, d_learning_rate=4e-4))
    assert Comparison([runs[0], own]).labels == ["d-lr 0.0001", "d-lr 0.0004"]


def test_runs_of_different_data_sets_get_no_best_fd(tmp_path):
    mnist = write_run(tmp_path / "mnist", 100, 1.0, grid_every=0, fds=[(100, 5.0)])
    fashion = write_run(tmp_path / "fashion", 100, 1.0, grid_every=0, fds=[(100, 9.0)])
    config = TrainConfig.load(os.path.join(fashion, CONFIG_FILE))
    config.dataset = "fashion_mnist"
    config.save(os.path.join(fashion, CONFIG_FILE))
    table = Comparison([ComparedRun.read(mnist), ComparedRun.read(fashion)]).quality_table("step")
    assert table.best is None and not table.comparable
    assert [r.fd for r in table.reports] == [5.0, 9.0]  # each still shown
    assert describe_budget(table) == ("at step 100, the most all runs reached (different data "
                                      "sets: each FD is in its own data set's features)")

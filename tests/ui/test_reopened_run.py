"""A run reopened with File → Open Run is whole: every grid of its timelapse, its progress bars,
its quality; a headless run is found in Recent Runs; a stopped run's Quality line says what
the stop measured, or why nothing."""

import dataclasses
import json

import numpy as np
from PIL import Image
from PySide6.QtCore import QStandardPaths

from gan_studio.core.config import TrainConfig
from gan_studio.core.quality.report import FD_NAME, append_quality
from gan_studio.core.runs.layout import step_grid_name
from gan_studio.core.runs.location import RUNS_DIR_ENV, default_runs_dir
from gan_studio.core.runs.trained_time import record_trained_seconds
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.ui.training.image_actions import _save_frames


def long_run(tmp_path, quality_report):
    """A run of MNIST at batch 600 (100 steps an epoch) stopped at step 650 of its 7 epochs,
    after 125 s: 130 grids by step (4x4 pixels, 2x2 tiles), the grids of 6 epochs' ends (at
    steps that have their grid by step too), 2 evaluations."""
    run_dir = tmp_path / "runs" / "mnist-20260101-000000"
    samples = run_dir / "samples"
    samples.mkdir(parents=True)
    (run_dir / "checkpoints").mkdir()
    (run_dir / "checkpoints" / "ckpt-650.index").write_text("x")
    config = TrainConfig(dataset="mnist", batch_size=600, epochs=7, grid_size=2)
    (run_dir / "config.json").write_text(json.dumps(config.to_dict()))
    rows = ["step,epoch,g_loss,d_loss,d_real,d_fake,time"]
    rows += [f"{s},{(s - 1) // 100},{1 / s},{2 / s},0.6,0.4,{s}" for s in range(1, 651)]
    (run_dir / "metrics.csv").write_text("\n".join(rows) + "\n")
    for step in range(0, 650, 5):
        Image.fromarray(np.full((4, 4), step % 251, np.uint8)).save(samples / step_grid_name(step))
    for epoch in range(1, 7):
        Image.fromarray(np.full((4, 4), 7, np.uint8)).save(samples / f"grid-epoch-{epoch:04d}.png")
    Image.fromarray(np.full((4, 4), 645 % 251, np.uint8)).save(samples / "last.png")
    record_trained_seconds(run_dir, 650, 125.0)
    append_quality(run_dir, dataclasses.replace(quality_report(300, 2), fd=20.0))
    append_quality(run_dir, dataclasses.replace(quality_report(645, 6), fd=9.5))
    return run_dir


def open_run(qtbot, window, run_dir):
    window.runs.open_run_dir(str(run_dir))
    qtbot.waitUntil(lambda: window.training_panel.run_dir == str(run_dir), timeout=10000)


def test_a_reopened_run_has_every_grid_its_bars_and_its_quality(qtbot, open_window, tmp_path,
                                                                quality_report):
    run_dir = long_run(tmp_path, quality_report)
    window = open_window()
    open_run(qtbot, window, run_dir)
    view = window.sample_view
    assert view.frame_count == 130  # not the 6 epochs' grids and last.png
    assert [frame.step for frame in view.frames] == list(range(0, 650, 5))
    assert view.current_index == 129 and view.current_image()[0, 0] == 645 % 251
    assert view.caption == "step 645 · 130 / 130 · FD 9.5 · score 8"
    assert view.tile_layout.tile_shape == (2, 2)
    view._slider.setValue(3)  # read from its file as it is shown
    assert view.current_image()[0, 0] == 15 and view.caption.startswith("step 15 · 4 / 130")
    progress = window.progress_panel
    assert (progress.epoch_bar.value(), progress.epoch_bar.maximum()) == (650, 700)
    assert progress.epoch_bar.text() == "7 / 7  (92%)"
    assert (progress.step_bar.value(), progress.step_bar.maximum()) == (50, 100)
    assert progress.step_bar.text() == "50 / 100  (step 650)"
    assert progress.text("elapsed") == "2:05" and progress.text("eta") == "–"
    assert progress.text("g_loss") == f"{1 / 650:.3f}"
    assert window.quality_plot.point_count == 2
    assert progress.quality_text.startswith(f"{FD_NAME} 9.50,")
    assert progress.quality_text.endswith("(step 645)")
    gif = tmp_path / "timelapse.gif"
    assert _save_frames(str(gif), view.frames, 1) == 130  # every frame, read off its file
    with Image.open(gif) as animation:
        assert animation.n_frames == 130


def test_a_reopened_run_with_a_time_budget_shows_the_time_it_trained(qtbot, open_window,
                                                                      finished_run):
    config = json.loads((finished_run / "config.json").read_text())
    (finished_run / "config.json").write_text(json.dumps({**config, "epochs": None,
                                                          "max_minutes": 5}))
    record_trained_seconds(finished_run, 20, 60.0)
    window = open_window()
    open_run(qtbot, window, finished_run)
    progress = window.progress_panel
    assert progress.length_title == "Time"
    assert (progress.epoch_bar.value(), progress.epoch_bar.maximum()) == (60, 300)
    assert progress.step_bar.text() == "10 / 10  (step 20 of about 100)"


def test_the_quality_line_says_what_a_stop_measured_or_why_not(qtbot, open_window,
                                                              quality_report):
    window = open_window()
    session, line = window.session, window.progress_panel
    session.event.emit(Event(EventKind.STOPPED, "Stopped at step 7",
                             {"step": 7, "unmeasured": "the run trained under 20 s"}))
    assert line.quality_text == "– (not measured: the run trained under 20 s)"
    session.quality.emit(quality_report(7, 0))  # the stop's own measurement
    session.event.emit(Event(EventKind.STOPPED, "Stopped at step 7", {"step": 7, "unmeasured": ""}))
    assert line.quality_text.startswith(FD_NAME) and line.quality_text.endswith("(step 7)")
    assert window.quality_plot.point_count == 1


# ---- the runs folder ------------------------------------------------------------------------
def test_the_command_line_and_the_window_default_to_one_runs_folder(monkeypatch, tmp_path,
                                                                   isolated_settings):
    from gan_studio.cli.parser import _train_config, build_parser

    monkeypatch.delenv(RUNS_DIR_ENV)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for user_dirs in (None, 'XDG_DOCUMENTS_DIR="$HOME/Dokumente"\n'):
        if user_dirs:
            (tmp_path / "config").mkdir()
            (tmp_path / "config" / "user-dirs.dirs").write_text(user_dirs)
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation)
        cli = _train_config(build_parser().parse_args(["train", "--dataset", "mnist"])).runs_dir
        assert cli == isolated_settings.runs_dir() == default_runs_dir()
        assert cli == f"{documents}/GAN Studio/runs" and str(tmp_path / "home") in cli
    assert cli.endswith("Dokumente/GAN Studio/runs")
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "shared"))
    assert isolated_settings.runs_dir() == str(tmp_path / "shared")


def test_a_headless_run_appears_in_recent_runs(qtbot, open_window, tmp_path, tiny_mnist_dir,
                                               monkeypatch, finished_run):
    from gan_studio.cli.parser import main

    runs = tmp_path / "default-runs"
    monkeypatch.setenv(RUNS_DIR_ENV, str(runs))
    assert main(["train", "--dataset", "mnist", "--data-dir", tiny_mnist_dir, "--max-steps",
                 "1", "--batch-size", "8"]) == 0
    (headless,) = [str(path) for path in runs.iterdir()]
    window = open_window()  # its Runs field: tmp_path/runs, where finished_run is
    window.settings.add_recent_run(str(finished_run))
    opened, found = window.runs.recent_runs()
    assert opened == [str(finished_run)] and found == [headless]
    window.runs.recent_menu.aboutToShow.emit()
    actions = [a for a in window.runs.recent_menu.actions() if a.statusTip()]
    assert [a.statusTip() for a in actions] == [str(finished_run), headless]
    actions[1].trigger()
    qtbot.waitUntil(lambda: window.training_panel.run_dir == headless, timeout=10000)
    assert window.sample_view.frame_count == 2  # its grids of step 0 and step 1
    assert window.runs.recent_runs() == ([headless, str(finished_run)], [])

"""The window training for real (TensorFlow on the CPU) on a tiny MNIST written for the test."""

import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gan_studio.core.grid import upscale_nearest
from gan_studio.ui.widgets import save_dialogs

TIMEOUT = 180_000  # ms: the first run imports TensorFlow and traces the models


@pytest.fixture
def window(open_window, tiny_mnist_dir):
    return open_window(dataset="mnist", data_dir=tiny_mnist_dir, batch_size=8,
                       length=(50, "epochs"),
                       sample_every_steps=1, grid_size=2)


def checkpoints(run_dir):
    return [n for n in os.listdir(os.path.join(run_dir, "checkpoints")) if n.endswith(".index")]


def test_train_pause_resume_stop_save(qtbot, window, tmp_path, monkeypatch, message_boxes):
    panel, session = window.training_panel, window.session
    events = []
    session.event.connect(lambda e: events.append(e.kind))
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.loss_plot.point_count >= 5 and window.sample_view.frame_count >= 2,
                    timeout=TIMEOUT)
    assert window.device_label.text().startswith(("CPU", "GPU"))
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "paused" in events, timeout=30000)
    paused_at = window.loss_plot.point_count
    qtbot.wait(300)
    assert window.loss_plot.point_count == paused_at  # really paused
    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.loss_plot.point_count > paused_at, timeout=30000)
    with qtbot.waitSignal(session.finished, timeout=60000):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert "stopped" in events
    run_dir = session.run_dir
    assert checkpoints(run_dir)
    assert not [m for m in message_boxes if m[0] == "critical"], message_boxes
    steps, g_loss = window.loss_plot.series("g_loss")
    assert np.all(np.diff(steps) == 1) and np.all(np.isfinite(g_loss))

    out = tmp_path / "grid.png"
    monkeypatch.setattr(save_dialogs.ScaleDialog, "ask", classmethod(lambda *a, **k: 4))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PNG"))
    window.images.save_grid.trigger()
    shown = window.sample_view.current_image()
    assert shown.shape == (56, 56)
    assert np.array_equal(np.asarray(Image.open(out)), upscale_nearest(shown, 4))


@pytest.mark.slow
def test_finished_run_reopens_and_continues(qtbot, window):
    panel, session = window.training_panel, window.session
    panel.length.set_length(1, "epochs")
    with qtbot.waitSignal(session.finished, timeout=TIMEOUT):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    run_dir = session.run_dir
    assert window.loss_plot.point_count == 6
    window.runs.new_run.trigger()
    assert window.loss_plot.point_count == 0 and window.sample_view.frame_count == 0
    window.runs.open_run_dir(run_dir)
    qtbot.waitUntil(lambda: panel.run_dir == run_dir and window.loss_plot.point_count == 6,
                    timeout=30000)
    assert window.sample_view.frame_count >= 1
    assert window.sample_view.current_image().shape == (56, 56)
    panel.length.set_length(2, "epochs")
    with qtbot.waitSignal(session.finished, timeout=TIMEOUT):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    steps, _ = window.loss_plot.series("d_loss")
    assert list(steps) == list(range(1, 13))


def test_export_generator(qtbot, window, tmp_path, monkeypatch, message_boxes):
    panel, session = window.training_panel, window.session
    panel.length.set_length(1, "epochs")
    with qtbot.waitSignal(session.finished, timeout=TIMEOUT):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    out = tmp_path / "generator"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Keras"))
    window.runs.export_generator.trigger()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=TIMEOUT)
    assert not message_boxes, message_boxes
    assert (tmp_path / "generator.keras").stat().st_size > 10_000
    assert "generator.keras" in window.statusBar().currentMessage()


def test_closing_mid_training_saves_and_joins(qtbot, window, message_boxes):
    qtbot.mouseClick(window.training_panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.loss_plot.point_count >= 2, timeout=TIMEOUT)
    run_dir = window.session.run_dir
    window.close()
    assert message_boxes[-1][0] == "question"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=60000)
    assert not window.session.running
    assert checkpoints(run_dir)


def test_unreadable_images_show_an_error_dialog(qtbot, window, tmp_path, message_boxes):
    folder = tmp_path / "broken"
    folder.mkdir()
    for i in range(4):
        (folder / f"{i}.png").write_bytes(b"not a png")
    window.training_panel.dataset.set_dataset(str(folder))
    with qtbot.waitSignal(window.session.finished, timeout=TIMEOUT):
        qtbot.mouseClick(window.training_panel.train_button, Qt.MouseButton.LeftButton)
    errors = [m for m in message_boxes if m[0] == "critical"]
    assert len(errors) == 1 and errors[0][1] == "Training Failed"
    assert errors[0][2]  # the engine's own sentence


@pytest.mark.slow
def test_the_quality_plot_follows_a_real_run(qtbot, window, monkeypatch):
    from gan_studio.core.runs.layout import best_checkpoint
    from gan_studio.ml.quality import features
    from gan_studio.ml.training import live_quality

    # A feature network of two batches, prepared as soon as it is asked for.
    monkeypatch.setattr(live_quality, "PREPARE_AFTER", 0.0)
    for kind in list(features.DEFAULT_BUDGETS):
        monkeypatch.setitem(features.DEFAULT_BUDGETS, kind,
                            features.FeatureBudget(epochs=1, max_batches=2, batch_size=16))
    panel, session, plot = window.training_panel, window.session, window.quality_plot
    panel.length.set_length(2, "epochs")
    panel.quality_every_minutes.setValue(0)  # off: the measurement below is asked for
    curves = dict(plot.curves)
    qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.loss_plot.point_count >= 2, timeout=TIMEOUT)
    with qtbot.waitSignal(session.finished, timeout=TIMEOUT):
        window.runs.evaluate_now.trigger()
    assert plot.point_count == 1  # asked for once; automatic measurements are off
    report = plot.run.reports[0]
    assert report.labelled and report.samples == 2000 and report.fd > 0
    assert len(plot.curves["fd"].xData) == 1 and plot.curves == curves  # updated in place
    assert "FD (data-set features)" in window.progress_panel.quality_text
    assert best_checkpoint(session.run_dir) is not None  # the first measurement is the best


@pytest.mark.slow
def test_an_opened_run_hands_its_generator_to_the_explorer(qtbot, open_window, tiny_mnist_dir,
                                                           tmp_path):
    import shutil

    from gan_studio.core.grid import to_uint8
    from gan_studio.ml.generators.export import generator_from_run

    window = open_window(dataset="mnist", data_dir=tiny_mnist_dir, batch_size=8,
                         length=(1, "epochs"),
                         sample_every_steps=1, grid_size=2, load_tensorflow=True)
    panel, session, explorer = window.training_panel, window.session, window.explorer
    with qtbot.waitSignal(session.finished, timeout=TIMEOUT):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: explorer.generator_choice.is_live, timeout=TIMEOUT)  # TensorFlow is loaded
    other = str(tmp_path / "runs" / "other-run")
    shutil.copytree(session.run_dir, other)
    window.runs.open_run_dir(other)
    qtbot.waitUntil(lambda: explorer.generator_choice.current is not None
                    and explorer.generator_choice.current.source == other, timeout=TIMEOUT)
    assert not explorer.generator_choice.is_live and explorer.generator_choice.following  # an offer, not a choice
    qtbot.waitUntil(lambda: explorer.preview.tag == explorer.last_request_id, timeout=30000)
    model = generator_from_run(other)
    expected = to_uint8(model(explorer.current_latent()[None], training=False).numpy())[0, ..., 0]
    assert np.abs(explorer.current_image().astype(int) - expected).max() <= 1

    # The run's own discriminator judges the image shown, as the run's D would.
    from gan_studio.ml.generators.verdict import Verdict

    qtbot.waitUntil(lambda: explorer.verdict.text().startswith("D(G(z)) = "), timeout=TIMEOUT)
    score = float(Verdict(other)(explorer.current_image()[None])[0])
    assert explorer.verdict.text().startswith(f"D(G(z)) = {score:.2f}: ")


def test_a_second_and_third_run_in_one_window_train(qtbot, window, message_boxes):
    # A regression test: the second run of a window session hung in its first TensorFlow
    # variable (or died with a double free), because both ran on the same QThread.
    panel, session = window.training_panel, window.session
    panel.length.set_length(1, "epochs")
    run_dirs = []
    for _ in range(3):
        with qtbot.waitSignal(session.finished, timeout=TIMEOUT):
            qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
        run_dirs.append(session.run_dir)
        assert window.loss_plot.point_count == 6
        window.runs.new_run.trigger()
    assert len(set(run_dirs)) == 3 and all(checkpoints(run_dir) for run_dir in run_dirs)
    assert not [m for m in message_boxes if m[0] == "critical"], message_boxes

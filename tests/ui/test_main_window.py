"""The real window driven like a user would, with a fake engine (fast, no TensorFlow)."""

import json
import os

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QFileDialog

from gan_studio.core.grid import upscale_nearest
from gan_studio.ui.main_window import MainWindow
from gan_studio.ui.training import training_feedback
from gan_studio.ui.training.missing_data_dialog import MissingDataDialog
from gan_studio.ui.widgets import save_dialogs


@pytest.fixture
def window(open_window, fake_engine):
    return open_window(fake_engine, length=(3, "epochs"), batch_size=8)


def click(qtbot, button):
    assert button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def start_training(qtbot, window):
    with qtbot.waitSignal(window.session.run_started, timeout=10000):
        click(qtbot, window.training_panel.train_button)
    return window.session.run_dir


def test_window_is_titled_and_has_the_menus(window):
    assert window.windowTitle() == "GAN Studio"
    menus = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert menus == ["File", "Training", "View", "Help"]
    file_items = [a.text().replace("&", "") for a in window.menuBar().actions()[0].menu().actions()]
    for item in ("New Run", "Open Run…", "Recent Runs", "Save Checkpoint Now",
                 "Export Generator (.keras)…", "Save Image…", "Save Sample Grid…",
                 "Export Training Timelapse (GIF)…", "Quit"):
        assert item in file_items
    assert window.images.save_image.shortcut().toString() == "Ctrl+S"
    assert window.quit_action.shortcut().toString() == "Ctrl+Q"
    view_items = [a.text() for a in window.menuBar().actions()[2].menu().actions()]
    assert view_items == ["Training", "Losses", "Quality", "Health", "Progress",
                          "Latent Explorer", "", "Show Latent Explorer",
                          "Nearest in &Training Data"]


def test_train_pause_resume_stop(qtbot, window, fake_engine):
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True  # still running when stopped, however slow the machine
    panel, session = window.training_panel, window.session
    panel.length.set_length(50, "epochs")  # long enough to be paused: progress comes 4 times
    # a second
    assert not panel.pause_button.isEnabled() and not panel.stop_button.isEnabled()
    run_dir = start_training(qtbot, window)
    qtbot.waitUntil(lambda: window.loss_plot.point_count >= 3 and window.sample_view.frame_count > 0,
                    timeout=10000)
    assert not panel.train_button.isEnabled()
    click(qtbot, panel.pause_button)
    assert session.state == "paused" and panel.pause_button.text() == "Resume"
    assert window.progress_panel.state_text == "Paused"
    click(qtbot, panel.pause_button)
    assert session.state == "training" and panel.pause_button.text() == "Pause"
    with qtbot.waitSignal(session.finished, timeout=10000):
        click(qtbot, panel.stop_button)
    assert any(name.endswith(".index") for name in os.listdir(os.path.join(run_dir, "checkpoints")))
    assert panel.train_button.isEnabled() and panel.train_button.text() == "Continue Training"
    assert window.settings.recent_runs() == [run_dir]


def test_training_menu_and_shortcuts_drive_the_same_actions(qtbot, window, fake_engine):
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True  # the 12-step run is not over before the pause
    panel = window.training_panel
    assert panel.train_action.shortcut().toString() == "F5"
    with qtbot.waitSignal(window.session.progress, timeout=10000):
        panel.train_action.trigger()
    panel.pause_action.trigger()
    assert window.session.state == "paused"
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        panel.stop_action.trigger()


def test_save_image_writes_the_displayed_pixels(qtbot, window, tmp_path, monkeypatch):
    start_training(qtbot, window)
    # Waits on the state, not the `finished` signal: a short run may end before a waiter on
    # the signal would be set up.
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    view = window.sample_view
    assert view.frame_count > 0
    out = tmp_path / "shown"
    monkeypatch.setattr(save_dialogs.ScaleDialog, "ask", classmethod(lambda *a, **k: 5))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "PNG"))
    window.images.save_image.trigger()  # Ctrl+S
    saved = np.asarray(Image.open(str(out) + ".png"))
    assert np.array_equal(saved, upscale_nearest(view.current_image(), 5))
    view.select_tile(2)
    window.images.save_image.trigger()
    tile = np.asarray(Image.open(str(out) + ".png"))
    assert np.array_equal(tile, upscale_nearest(view.selected_tile_image(), 5))
    assert tile.shape == (15, 15)


def test_timelapse_gif(qtbot, window, tmp_path, monkeypatch):
    start_training(qtbot, window)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    out = tmp_path / "lapse.gif"
    monkeypatch.setattr(save_dialogs.ScaleDialog, "ask", classmethod(lambda *a, **k: 2))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "GIF"))
    window.images.export_timelapse.trigger()
    qtbot.waitUntil(lambda: out.exists() and not window.tasks.busy, timeout=10000)
    with Image.open(out) as gif:
        assert gif.n_frames == window.sample_view.frame_count


def test_the_grids_save_dialogs_open_in_the_run_folder_then_where_the_user_saved(
        qtbot, window, tmp_path, monkeypatch):
    run_dir = start_training(qtbot, window)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    starts, elsewhere = [], tmp_path / "elsewhere"
    elsewhere.mkdir()

    def get_save_file_name(_parent, _title, start, _filters):
        starts.append(os.path.dirname(start))
        return str(elsewhere / os.path.basename(start)), ""

    monkeypatch.setattr(save_dialogs.ScaleDialog, "ask", classmethod(lambda *a, **k: 1))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    window.images.save_grid.trigger()
    window.images.save_grid.trigger()
    window.images.export_timelapse.trigger()
    qtbot.waitUntil(lambda: not window.tasks.busy, timeout=10000)
    assert starts == [os.path.normpath(run_dir), str(elsewhere), str(elsewhere)]


def test_closing_mid_training_asks_stops_and_joins(qtbot, window, fake_engine, message_boxes):
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True  # the 12-step run is not over before the close
    run_dir = start_training(qtbot, window)
    qtbot.waitUntil(lambda: window.loss_plot.point_count > 0, timeout=10000)
    assert not window.close()  # asks first, then waits for the checkpoint
    assert message_boxes[-1][0] == "question"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert not window.session.running and not window.tasks._thread.isRunning()
    assert os.listdir(os.path.join(run_dir, "checkpoints"))


def test_closing_without_asking_stops_saves_and_closes(qtbot, window, fake_engine,
                                                      message_boxes):
    """What SIGTERM and SIGINT do (`ui/quit_signals.py`): the close, without its question."""
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True
    run_dir = start_training(qtbot, window)
    qtbot.waitUntil(lambda: window.loss_plot.point_count > 0, timeout=10000)
    window.close_without_asking()
    window.close_without_asking()  # a second signal while the run stops changes nothing
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=10000)
    assert message_boxes == []
    assert not window.session.running and not window.tasks._thread.isRunning()
    assert os.listdir(os.path.join(run_dir, "checkpoints"))


def test_worker_error_shows_a_dialog(qtbot, window, fake_engine, message_boxes):
    fake_engine.failure = ValueError("cannot read /data/x.png: not an image")
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        click(qtbot, window.training_panel.train_button)
    assert message_boxes[-1] == ("critical", "Training Failed",
                                 "cannot read /data/x.png: not an image")
    assert window.training_panel.train_button.isEnabled()


def test_nan_pauses_and_rolls_back_to_the_last_good_checkpoint(qtbot, window, fake_engine,
                                                              tmp_path, monkeypatch,
                                                              message_boxes):
    fake_engine.nan_at = 6
    run_dir = str(tmp_path / "runs" / "fake-0")
    os.makedirs(os.path.join(run_dir, "checkpoints"))
    for step in (4, 8):
        open(os.path.join(run_dir, "checkpoints", f"ckpt-{step}.index"), "w").close()
    asked = []
    monkeypatch.setattr(training_feedback, "ask_after_nan",
                        lambda parent, message: asked.append(message) or "roll_back")
    start_training(qtbot, window)
    qtbot.waitUntil(lambda: len(fake_engine.resumed) == 1, timeout=10000)
    assert asked
    assert fake_engine.resumed[0][0] == run_dir
    assert fake_engine.resumed[0][2] == os.path.join(run_dir, "checkpoints", "ckpt-4")
    qtbot.waitUntil(lambda: len(fake_engine.runs) == 2, timeout=10000)  # the rollback trains
    assert not [m for m in message_boxes if m[0] == "critical"]


def test_unavailable_data_names_url_and_place(qtbot, window, fake_engine, monkeypatch):
    fake_engine.failure = fake_engine.DataUnavailableError(
        "https://storage.example.org/mnist.npz", "/home/me/.keras/datasets/mnist.npz")
    shown = []
    monkeypatch.setattr(MissingDataDialog, "exec",
                        lambda self: shown.append((self.url, self.path, self.folder)) or 0)
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        click(qtbot, window.training_panel.train_button)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    assert shown == [("https://storage.example.org/mnist.npz",
                      "/home/me/.keras/datasets/mnist.npz", "/home/me/.keras/datasets")]


def test_download_progress_dialog_can_cancel(qtbot, window, fake_engine, message_boxes):
    fake_engine.download_bytes = 10_000
    fake_engine.delay = 0.05
    fake_engine.until_stopped = True  # the download is not over before the cancel
    click(qtbot, window.training_panel.train_button)
    qtbot.waitUntil(lambda: window.feedback.download_dialog is not None, timeout=10000)
    dialog = window.feedback.download_dialog
    qtbot.waitUntil(lambda: "of" in dialog.details.text(), timeout=5000)
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        dialog.reject()
    assert window.feedback.download_dialog is None
    assert not [m for m in message_boxes if m[0] == "critical"]


def test_open_a_finished_run_and_continue(qtbot, window, fake_engine, finished_run):
    run_dir = finished_run
    window.runs.open_run_dir(str(run_dir))
    qtbot.waitUntil(lambda: window.training_panel.run_dir == str(run_dir), timeout=10000)
    assert window.loss_plot.point_count == 20
    assert window.loss_plot.epoch_boundaries == [10.0]
    assert window.sample_view.frame_count == 2
    assert window.sample_view.current_image()[0, 0] == 80
    assert window.sample_view.tile_layout.tile_shape == (4, 4)
    panel = window.training_panel
    assert panel.train_button.text() == "Continue Training"
    assert not panel.batch_size.isEnabled() and panel.length.isEnabled()
    panel.length.set_length(4, "epochs")
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        click(qtbot, panel.train_button)
    assert fake_engine.resumed == [(str(run_dir), 4, None)]
    assert fake_engine.lengths == [{"epochs": 4, "minutes": None, "max_steps": None}]
    assert fake_engine.strategies == [None]  # the run's own
    window.runs.new_run.trigger()
    assert panel.run_dir is None and window.loss_plot.point_count == 0
    assert panel.batch_size.isEnabled() and panel.train_button.text() == "Train"


def test_a_multi_worker_run_continues_in_the_window_on_one_device(qtbot, window, fake_engine,
                                                                finished_run, message_boxes):
    config = json.loads((finished_run / "config.json").read_text())
    (finished_run / "config.json").write_text(json.dumps({**config, "strategy": "multiworker"}))
    window.runs.open_run_dir(str(finished_run))
    qtbot.waitUntil(lambda: window.training_panel.run_dir == str(finished_run), timeout=10000)
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        click(qtbot, window.training_panel.train_button)
    assert fake_engine.strategies == ["default"]
    assert not [m for m in message_boxes if m[0] == "critical"]


def test_settings_persist_between_sessions(qtbot, window, isolated_settings, tmp_path):
    panel = window.training_panel
    panel.dataset.set_dataset("cifar10")
    assert panel.generator_ema.value() == pytest.approx(0.999)  # the default preset averages G
    panel.preset.setCurrentIndex(panel.preset.findData("tutorial"))
    assert panel.batch_size.value() == 256  # the tutorial's
    assert panel.generator_ema.value() == 0 and panel.generator_ema.text() == "off"
    panel.generator_ema.setValue(0.99)
    assert panel.config().resolved().generator_ema == pytest.approx(0.99)
    panel.batch_size.setValue(16)
    panel.learning_rate.setValue(0.0003)
    panel.seed.setValue(42)
    assert panel.quality_every_minutes.value() == 5.0  # the meter is on by default
    panel.quality_every_minutes.setValue(0)
    assert panel.quality_every_minutes.text() == "off"
    assert panel.config().resolved().quality_every_minutes == 0
    panel.data_dir.set_path(str(tmp_path / "cache"))
    window._docks["progress"].hide()
    window.close()
    second = MainWindow(settings=isolated_settings, load_tensorflow=False)
    qtbot.addWidget(second)
    try:
        p = second.training_panel
        assert p.dataset.kind() == "cifar10"
        assert p.preset.currentData() == "tutorial"
        assert p.learning_rate.value() == pytest.approx(0.0003)
        assert p.seed.value() == 42 and p.batch_size.value() == 16
        assert p.generator_ema.value() == pytest.approx(0.99)
        assert p.quality_every_minutes.value() == 0
        assert p.data_dir.path() == str(tmp_path / "cache")
        assert p.runs_dir.path() == str(tmp_path / "runs")
        second.show()
        assert not second._docks["progress"].isVisible()
    finally:
        second.shutdown()


def test_about_names_versions_and_device(qtbot, window, message_boxes):
    window.show_about()
    kind, title, text = message_boxes[-1]
    assert kind == "about" and "GAN Studio" in title
    assert "TensorFlow" in text and f"Qt {qVersion()}" in text and "Device" in text


def test_tensorflow_loads_in_the_background_and_shows_the_device(qtbot, window, monkeypatch):
    from gan_studio.workers import tf_loader

    monkeypatch.setattr(tf_loader, "load_tensorflow", lambda: "GPU: Test Card")
    window.start_loading_tensorflow()
    assert window.statusBar().currentMessage() == "Loading TensorFlow…"
    qtbot.waitUntil(lambda: window.device_label.text() == "GPU: Test Card", timeout=5000)


def test_roll_back_menu_offers_checkpoints_newest_first(qtbot, window, fake_engine,
                                                        monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    run_dir = start_training(qtbot, window)
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    for step in (3, 6):
        open(os.path.join(run_dir, "checkpoints", f"ckpt-{step}.index"), "w").close()
    offered = []

    def choose(parent, title, label, items, current, editable):
        offered.extend(items)
        return items[-1], True  # the oldest

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    window.runs.roll_back.trigger()
    qtbot.waitUntil(lambda: len(fake_engine.resumed) == 1, timeout=10000)
    assert offered[0].startswith("Step 12") and offered[-1].startswith("Step 3")
    assert fake_engine.resumed[0][2] == os.path.join(run_dir, "checkpoints", "ckpt-3")


def test_open_run_folder_and_save_checkpoint_now(qtbot, window, fake_engine, monkeypatch):
    from gan_studio.ui.training import missing_data_dialog

    opened = []
    monkeypatch.setattr(missing_data_dialog.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    assert not window.runs.open_run_folder.isEnabled()
    assert not window.runs.save_checkpoint.isEnabled()
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True  # the 12-step run is not over before the checks
    run_dir = start_training(qtbot, window)
    qtbot.waitUntil(lambda: window.session.state == "training", timeout=10000)
    assert window.runs.save_checkpoint.isEnabled()
    window.runs.open_run_folder.trigger()
    assert opened == [run_dir]
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        window.training_panel.stop_action.trigger()
    assert not window.runs.save_checkpoint.isEnabled()


def test_a_run_that_never_trained_leaves_the_new_run_form(qtbot, window, fake_engine,
                                                          monkeypatch):
    fake_engine.failure = fake_engine.DataUnavailableError("https://example.org/f.gz", "/d/f.gz")
    monkeypatch.setattr(MissingDataDialog, "exec", lambda self: 0)
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        click(qtbot, window.training_panel.train_button)
    panel = window.training_panel
    assert panel.run_dir is None and panel.train_button.text() == "Train"
    assert panel.batch_size.isEnabled()
    assert window.settings.recent_runs() == []


def test_try_again_after_missing_data_starts_a_new_run(qtbot, window, fake_engine, monkeypatch):
    from gan_studio.ui.training.missing_data_dialog import RETRY

    fake_engine.failure = fake_engine.DataUnavailableError("https://example.org/f.gz", "/d/f.gz")

    def retry(dialog):
        fake_engine.failure = None  # the user put the file in place
        return RETRY

    monkeypatch.setattr(MissingDataDialog, "exec", retry)
    click(qtbot, window.training_panel.train_button)
    qtbot.waitUntil(lambda: len(fake_engine.runs) == 2 and not window.session.busy,
                    timeout=10000)
    assert fake_engine.resumed == []
    assert window.loss_plot.point_count == 12


def test_a_run_whose_settings_cannot_be_read_says_so(qtbot, window, finished_run,
                                                     message_boxes):
    (finished_run / "config.json").write_text('{"dataset": "mnist", "seed": "x"}')
    window.runs.open_run_dir(str(finished_run))
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10000)
    kind, title, text = message_boxes[0]
    assert (kind, title) == ("warning", "Cannot Read the Run's Settings")
    assert "config.json" in text and "invalid seed" in text
    assert window.loss_plot.point_count == 20  # its curves still show

"""Find Image in Latent Space in the window: a picture (chosen or dropped) is searched for with
the explorer's generator on a thread of its own; the latent found becomes the one shown."""

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from gan_studio.workers.explorer.verdict import NO_DISCRIMINATOR

LATENT = 16


@pytest.fixture
def window(open_window, fake_engine):
    return open_window(fake_engine)


@pytest.fixture
def generator_file(tmp_path):
    import keras

    from gan_studio.ml.networks.models import build_generator

    keras.utils.set_random_seed(0)
    model = build_generator(28, 28, 1, LATENT)
    last = model.layers[-1] if model.layers[-1].weights else model.layers[-2]
    last.kernel.assign(last.kernel * 40.0)  # images that differ, as a trained model's do
    path = tmp_path / "g.keras"
    model.save(path)
    planted = np.random.default_rng(5).standard_normal(LATENT).astype(np.float32)
    image = np.clip(np.rint((np.asarray(model(planted[None], training=False))[0, ..., 0] + 1)
                            * 127.5), 0, 255).astype(np.uint8)
    picture = tmp_path / "picture.png"
    Image.fromarray(np.repeat(image[..., None], 3, axis=2)).save(picture)  # RGB, read as gray
    return str(path), str(picture), image


def open_generator(qtbot, window, path):
    window.explorer_actions.files.open(path)
    qtbot.waitUntil(lambda: window.explorer.current_image() is not None, timeout=60000)
    qtbot.waitUntil(lambda: window.explorer_actions.find_image.isEnabled(), timeout=5000)


def test_a_picture_is_found_and_becomes_the_latent_shown(qtbot, window, generator_file):
    path, picture, image = generator_file
    open_generator(qtbot, window, path)
    actions = window.explorer_actions.projection
    results = []
    actions.service.finished.connect(results.append)
    assert actions.find(picture)
    dialog = actions.dialog
    assert dialog.isVisible() and not actions.find_image.isEnabled()
    qtbot.waitUntil(lambda: bool(results), timeout=120000)
    result = results[0]
    assert not result.stopped and result.steps == 300
    np.testing.assert_array_equal(dialog.target.image().reshape(image.shape), image)
    np.testing.assert_array_equal(window.explorer.model.composed(), result.latent)
    qtbot.waitUntil(lambda: window.explorer.preview.tag == window.explorer.last_request_id,
                    timeout=10000)
    np.testing.assert_array_equal(window.explorer.current_latent(), result.latent)
    shown = window.explorer.current_image().astype(np.float64)
    assert np.abs(shown.reshape(image.shape) - image).mean() / 255 < 0.03
    assert "mean pixel error" in dialog.info.text() and "Close" in [
        b.text().replace("&", "") for b in dialog.buttons.buttons()]
    assert "Found the picture" in window.statusBar().currentMessage()
    assert window.explorer.verdict.text() == NO_DISCRIMINATOR  # a .keras file holds no D
    assert actions.find_image.isEnabled()


def test_a_second_search_reports_to_its_own_window(qtbot, window, generator_file):
    """The first window, closed, is deleted later: that must not cut the second one off."""
    path, picture, _ = generator_file
    open_generator(qtbot, window, path)
    actions = window.explorer_actions.projection
    results = []
    actions.service.finished.connect(results.append)
    actions.find(picture)
    qtbot.waitUntil(lambda: len(results) == 1, timeout=120000)
    first = actions.dialog
    first.close()
    actions.find(picture)
    second = actions.dialog
    assert second is not first
    qtbot.wait(50)  # the first window's deferred deletion runs
    qtbot.waitUntil(lambda: len(results) == 2, timeout=120000)
    assert actions.dialog is second and not second.running
    assert second.found.image() is not None


def test_cancel_stops_the_search_and_leaves_the_explorer_as_it_was(qtbot, window,
                                                                   generator_file):
    path, picture, _ = generator_file
    open_generator(qtbot, window, path)
    before = window.explorer.model.composed().copy()
    actions = window.explorer_actions.projection
    results = []
    actions.service.finished.connect(results.append)
    actions.service.progress.connect(lambda _p: actions.dialog and actions.dialog.buttons
                                     .rejected.emit())  # Cancel at the first preview
    actions.find(picture)
    qtbot.waitUntil(lambda: bool(results), timeout=120000)
    assert results[0].stopped and results[0].steps < 300
    np.testing.assert_array_equal(window.explorer.model.composed(), before)
    assert actions.dialog.info.text().startswith("Cancelled")


def test_a_bad_file_dropped_on_the_explorer_is_one_clear_line(qtbot, window, generator_file,
                                                              tmp_path):
    path, _, _ = generator_file
    open_generator(qtbot, window, path)
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(bad))])
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data,
                      Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    window.explorer.dropEvent(drop)
    actions = window.explorer_actions.projection
    qtbot.waitUntil(lambda: actions.dialog is not None and not actions.dialog.running,
                    timeout=60000)
    text = actions.dialog.info.text()
    assert text == f"cannot read {bad}: not an image file Pillow can read"


def test_without_a_generator_from_a_file_there_is_nothing_to_search(window, message_boxes):
    actions = window.explorer_actions.projection
    assert not actions.find_image.isEnabled()
    assert not actions.find("/tmp/picture.png")
    assert message_boxes[-1][1] == "Cannot Find Image"


def test_a_selected_sample_tile_is_found_too(qtbot, window, generator_file):
    from gan_studio.core.grid import tile_grid
    from gan_studio.core.training.progress import SampleGrid

    path, _, image = generator_file
    open_generator(qtbot, window, path)
    actions = window.explorer_actions.projection
    assert not actions.find_tile.isEnabled()  # no tile selected yet
    tiles = np.stack([np.zeros_like(image), image, np.zeros_like(image), image])[..., None]
    window.sample_view.add_grid(SampleGrid(step=1, epoch=0, image=tile_grid(tiles, columns=2),
                                           tiles=tiles, columns=2))
    window.sample_view.select_tile(1)
    qtbot.waitUntil(lambda: actions.find_tile.isEnabled(), timeout=5000)
    results = []
    actions.service.finished.connect(results.append)
    window.explorer_actions.find_tile.trigger()
    qtbot.waitUntil(lambda: bool(results), timeout=120000)
    np.testing.assert_array_equal(actions.dialog.target.image().reshape(image.shape), image)
    assert results[0].error < 0.03 and actions.dialog.windowTitle() == \
        "Find the Selected Tile in Latent Space"


def test_an_image_of_the_run_s_own_data_set_is_found(qtbot, window, tiny_config, generator_file,
                                                   message_boxes):
    from gan_studio.ml.training.trainer import Trainer

    actions = window.explorer_actions.projection
    open_generator(qtbot, window, generator_file[0])
    assert not actions.find_data_image.isEnabled()  # a .keras file names no data set
    tiny_config.max_steps = 2
    trainer = Trainer.create(tiny_config)
    trainer.run()
    open_generator(qtbot, window, trainer.run_dir)
    qtbot.waitUntil(actions.find_data_image.isEnabled, timeout=5000)
    picker = actions.choose_dataset_image()
    qtbot.waitUntil(lambda: picker.list.count() > 0, timeout=30000)
    # MNIST's test split: the tiny data set's 8 test digits, never trained on.
    assert picker.list.count() == 8 and "test split" in picker.note.text()
    assert picker.list.item(0).text() == str(actions._offered.labels[0])  # its class
    offered = actions._offered
    test_digits = np.load(f"{tiny_config.data_dir}/mnist.npz")["x_test"]
    np.testing.assert_array_equal(offered.images[..., 0], test_digits[offered.indices])
    assert not picker.find_button.isEnabled()
    picker.ask_more()  # another draw (of all 8 here)
    qtbot.waitUntil(lambda: picker.more_button.isEnabled(), timeout=30000)
    picker.list.setCurrentRow(3)
    assert picker.find_button.isEnabled()
    results = []
    actions.service.finished.connect(results.append)
    picker.accept()
    assert actions.dialog is not None and "test image" in actions.dialog.windowTitle()
    qtbot.waitUntil(lambda: bool(results), timeout=120000)
    np.testing.assert_array_equal(actions.dialog.target.image().reshape(28, 28),
                                  test_digits[offered.indices[3]])
    np.testing.assert_array_equal(window.explorer.model.composed(), results[0].latent)
    assert not message_boxes


def test_a_run_whose_data_set_is_gone_says_so_in_the_picker(qtbot, window, tiny_config):
    import os

    from gan_studio.ml.training.trainer import Trainer

    tiny_config.max_steps = 1
    trainer = Trainer.create(tiny_config)
    trainer.run()
    os.remove(f"{tiny_config.data_dir}/mnist.npz")
    open_generator(qtbot, window, trainer.run_dir)
    picker = window.explorer_actions.projection.choose_dataset_image()
    qtbot.waitUntil(lambda: "mnist" in picker.note.text().lower() and
                    "reading" not in picker.note.text().lower(), timeout=30000)
    assert picker.list.count() == 0 and "\n" not in picker.note.text()


def test_training_waits_while_a_search_runs_and_goes_on_after(qtbot, window, generator_file,
                                                             fake_engine, tmp_path):
    """Sharing TensorFlow's threads with training made a 6 s search take 68 s: the window
    holds training (not paused: its buttons stay as they are) for each search."""
    from gan_studio.core.config import TrainConfig

    path, picture, _ = generator_file
    fake_engine.until_stopped = True
    controls = []
    make_control = fake_engine.TrainControl
    fake_engine.TrainControl = lambda: controls.append(make_control()) or controls[-1]
    with qtbot.waitSignal(window.session.progress, timeout=10000):
        window.session.train(TrainConfig(dataset="mnist", runs_dir=str(tmp_path / "runs"),
                                         epochs=100, batch_size=8))
    open_generator(qtbot, window, path)
    actions = window.explorer_actions.projection
    held_during, results = [], []
    actions.service.progress.connect(lambda _p: held_during.append(controls[-1].held))
    actions.service.finished.connect(results.append)
    assert not controls[-1].held
    actions.find(picture)
    qtbot.waitUntil(lambda: bool(results), timeout=120000)
    assert held_during and all(held_during) and window.session.state == "training"
    assert not controls[-1].held
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    actions.find(str(bad))  # a search that fails releases training too
    qtbot.waitUntil(lambda: not actions.dialog.running, timeout=60000)
    assert not controls[-1].held
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        window.session.stop()

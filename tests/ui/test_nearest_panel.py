"""Nearest in Training Data: the explorer's preview (or a picture) next to its nearest training
images, found off the GUI thread; a click finds one in latent space."""

import json

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import Qt

from gan_studio.core.numpy_generator.generator import NumpyGenerator
from gan_studio.workers.explorer.generator_loading import LoadedGenerator
from gan_studio.workers.explorer.nearest import NO_DATA_SET

LATENT = 8


def _generator_28(seed=0):
    """Latents to 28×28×1 images: Dense → (7, 7, 8) → ConvT 4 s2 → ConvT 1 s2 tanh."""
    rng = np.random.default_rng(seed)
    arrays = {"w": rng.standard_normal((LATENT, 7 * 7 * 8)),
              "k1": rng.standard_normal((3, 3, 4, 8)) * 0.5,
              "k2": rng.standard_normal((3, 3, 1, 4)) * 0.5}
    ops = [{"op": "dense", "kernel": "w", "bias": None},
           {"op": "reshape", "shape": [7, 7, 8]},
           {"op": "conv_transpose", "kernel": "k1", "bias": None, "strides": [2, 2]},
           {"op": "leaky_relu", "alpha": 0.2},
           {"op": "conv_transpose", "kernel": "k2", "bias": None, "strides": [2, 2],
            "activation": "tanh"}]
    return NumpyGenerator(ops, arrays)


@pytest.fixture
def run_dir(tmp_path, tiny_mnist_dir):
    """A run folder as far as the panel reads one: its config names the tiny MNIST."""
    folder = tmp_path / "run"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps({"dataset": "mnist",
                                                    "data_dir": tiny_mnist_dir}))
    return folder


def _training(tiny_mnist_dir):
    return np.load(f"{tiny_mnist_dir}/mnist.npz")["x_train"][..., None]


def _pixel_nearest(image, training, k):
    distances = np.sqrt((((training.astype(np.float64) - image.astype(np.float64)) / 255) ** 2)
                        .reshape(len(training), -1).sum(axis=1))
    return list(np.argsort(distances, kind="stable")[:k])


def _show(qtbot, window, run_dir):
    window.explorer.set_generator(LoadedGenerator(_generator_28(), "tiny", str(run_dir)))
    window.explorer_actions.bring_nearest_forward()
    panel = window.explorer.nearest
    qtbot.waitUntil(lambda: window.explorer.tabs.currentWidget() is panel and panel.isVisible(),
                    timeout=5000)
    return panel


def test_the_preview_s_nearest_in_features_then_pixels_and_a_click_finds_one(
        qtbot, explorer_window, run_dir, tiny_mnist_dir, monkeypatch):
    window = explorer_window
    panel = _show(qtbot, window, run_dir)
    assert window.explorer_actions.show_nearest.shortcut().toString() == "Ctrl+Shift+N"
    qtbot.waitUntil(lambda: panel.answer is not None, timeout=180000)
    answer, training = panel.answer, _training(tiny_mnist_dir)
    shown = window.explorer.current_image()
    np.testing.assert_array_equal(answer.query, shown.reshape(28, 28, 1))
    assert answer.request.space == "features" and answer.count == 48
    assert panel.list.count() == 8 and list(answer.distances) == sorted(answer.distances)
    np.testing.assert_array_equal(answer.images, training[answer.indices])
    assert "8 of 48 mnist training images nearest to the preview" in panel.note.text()
    assert answer.threshold is not None and "count as a copy" in panel.note.text()

    panel.space.setCurrentIndex(1)  # pixels: asked again at once
    qtbot.waitUntil(lambda: panel.answer.request.space == "pixels", timeout=30000)
    assert list(panel.answer.indices) == _pixel_nearest(answer.query, training, 8)
    assert "in pixels" in panel.note.text()
    panel.k.setValue(3)
    qtbot.waitUntil(lambda: panel.list.count() == 3, timeout=30000)

    started = []
    monkeypatch.setattr(window.explorer_actions.projection.service, "start",
                        lambda request: started.append(request) or True)
    item = panel.list.item(2)
    qtbot.mouseClick(panel.list.viewport(), Qt.MouseButton.LeftButton,
                     pos=panel.list.visualItemRect(item).center())
    assert len(started) == 1 and started[0].source == str(run_dir)
    np.testing.assert_array_equal(started[0].target, training[panel.answer.indices[2]])
    dialog = window.explorer_actions.projection.dialog
    assert dialog is not None and "mnist training image" in dialog.windowTitle()
    dialog.close()


def test_the_preview_is_looked_up_once_it_rests(qtbot, explorer_window, run_dir):
    panel = _show(qtbot, explorer_window, run_dir)
    panel.space.setCurrentIndex(1)
    qtbot.waitUntil(lambda: panel.answer is not None, timeout=30000)
    asked = []
    real_ask = panel.service.ask
    panel.service.ask = lambda request: asked.append(request) or real_ask(request)
    frames = np.random.default_rng(0).integers(0, 256, (5, 28, 28), np.uint8)
    for frame in frames:  # a dragged slider: renders in quick succession
        panel.show_preview(frame)
    assert asked == []  # not yet: the preview has not rested
    qtbot.waitUntil(lambda: len(asked) == 1 and panel.answer.request is asked[0], timeout=30000)
    np.testing.assert_array_equal(asked[0].image, frames[-1][..., None])  # the last one only


def test_a_picture_is_looked_up_as_it_is_or_refused_in_one_line(qtbot, explorer_window, run_dir,
                                                                 tiny_mnist_dir, tmp_path):
    panel = _show(qtbot, explorer_window, run_dir)
    panel.space.setCurrentIndex(1)
    digit = tmp_path / "digit.png"
    Image.fromarray(_training(tiny_mnist_dir)[17, ..., 0]).save(digit)
    panel.look_up_file(str(digit))
    qtbot.waitUntil(lambda: panel.answer is not None and bool(panel.answer.request.image_path),
                    timeout=30000)
    assert panel.answer.indices[0] == 17 and panel.answer.distances[0] == 0
    assert "nearest to digit.png" in panel.note.text()
    Image.fromarray(np.zeros((20, 20), np.uint8)).save(tmp_path / "small.png")
    panel.look_up_file(str(tmp_path / "small.png"))
    qtbot.waitUntil(lambda: panel.answer is None, timeout=30000)
    assert panel.note.text() == (f"cannot use {tmp_path / 'small.png'}: it is 20×20 pixels; the "
                                 "generator's images are 28×28 (nothing is scaled: resize it "
                                 "first)")
    assert panel.list.count() == 0


def test_without_the_data_set_or_a_run_the_panel_says_why(qtbot, explorer_window, run_dir,
                                                          tiny_mnist_dir, tmp_path):
    import os

    os.remove(f"{tiny_mnist_dir}/mnist.npz")
    panel = _show(qtbot, explorer_window, run_dir)
    qtbot.waitUntil(lambda: "not at hand" in panel.note.text(), timeout=30000)
    assert panel.note.text() == (f"The training images of mnist are not at hand: looked for "
                                 f"{tiny_mnist_dir}/mnist.npz.")
    keras_file = tmp_path / "g.keras"
    keras_file.write_text("")
    explorer_window.explorer.set_generator(LoadedGenerator(_generator_28(), "g", str(keras_file)))
    qtbot.waitUntil(lambda: panel.note.text() == NO_DATA_SET, timeout=30000)


def test_the_sample_grid_s_selected_tile_is_looked_up(qtbot, explorer_window, run_dir,
                                                      tiny_mnist_dir):
    from gan_studio.core.grid import tile_grid
    from gan_studio.core.training.progress import SampleGrid

    window, training = explorer_window, _training(tiny_mnist_dir)
    panel = _show(qtbot, window, run_dir)
    panel.space.setCurrentIndex(1)
    action = window.explorer_actions.nearest_tile
    assert not action.isEnabled()  # no tile selected yet
    tiles = training[[3, 9, 30, 41]]
    window.sample_view.add_grid(SampleGrid(step=1, epoch=0, image=tile_grid(tiles, columns=2),
                                           tiles=tiles, columns=2))
    window.sample_view.select_tile(2)
    qtbot.waitUntil(action.isEnabled, timeout=5000)
    window.explorer.tabs.setCurrentIndex(0)  # the tab is brought to the front by the action
    action.trigger()
    qtbot.waitUntil(lambda: panel.answer is not None and panel.answer.indices[0] == 30,
                    timeout=30000)
    assert window.explorer.tabs.currentWidget() is panel
    assert "nearest to the selected tile" in panel.note.text()

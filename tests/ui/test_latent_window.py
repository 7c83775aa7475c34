"""The latent explorer inside the window: menus, saving, copying, latent files, generators."""

import numpy as np
import pytest
from helpers import tiny_generator
from PIL import Image, ImageSequence
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtWidgets import QDialog, QFileDialog

from gan_studio.core.grid import upscale_nearest
from gan_studio.ui.explorer import actions as explorer_actions
from gan_studio.ui.explorer import dialogs as explorer_dialogs
from gan_studio.ui.widgets import save_dialogs
from gan_studio.workers.explorer.generator_loading import LoadedGenerator

LATENT = 8




@pytest.fixture
def window(explorer_window):
    return explorer_window


def explore(qtbot, window, generator=None):
    """Shows a generator in the explorer, raises its dock and gives it the focus."""
    explorer = window.explorer
    explorer.set_generator(LoadedGenerator(generator or tiny_generator(), "tiny"))
    window.view_explorer = window._docks["explorer"]
    window.view_explorer.show()
    window.view_explorer.raise_()
    explorer.controls.seed.setFocus()
    qtbot.waitUntil(lambda: explorer.current_image() is not None, timeout=10000)
    qtbot.waitUntil(lambda: window.explorer_actions.explorer_active, timeout=5000)
    return explorer


def settle(qtbot, explorer):
    qtbot.waitUntil(lambda: explorer.preview.tag == explorer.last_request_id, timeout=10000)


def answer_save(monkeypatch, path, scale=None):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    if scale is not None:
        monkeypatch.setattr(explorer_actions, "ask_scale", lambda *a, **k: scale)


def test_menus_hold_the_explorer(window):
    file_menu = window.menuBar().actions()[0].menu()
    items = [a.text().replace("&", "") for a in file_menu.actions()]
    for item in ("Open Generator…", "Save Image…", "Copy Image", "Save Interpolation Strip…",
                 "Export Interpolation (GIF)…", "Save Latent…", "Load Latent…"):
        assert item in items
    toggle = window._docks["explorer"].toggleViewAction()
    assert toggle.text() == "Latent Explorer" and toggle.shortcut().isEmpty()  # it would hide
    assert window.explorer_actions.show_explorer.shortcut().toString() == "Ctrl+Shift+X"
    assert window.explorer_actions.copy_image.shortcut().toString() == "Ctrl+C"
    assert not window.images.save_image.isEnabled()  # nothing to save yet


def test_view_menu_toggles_the_explorer(qtbot, window):
    dock, toggle = window._docks["explorer"], window._docks["explorer"].toggleViewAction()
    assert not window.explorer_actions.explorer_in_front  # behind the losses at first
    toggle.trigger()
    qtbot.waitUntil(lambda: not dock.isVisible(), timeout=2000)
    toggle.trigger()
    qtbot.waitUntil(lambda: window.explorer_actions.explorer_in_front, timeout=2000)
    assert window._docks["losses"].visibleRegion().isEmpty()  # raised in front of the losses


def test_directions_wait_until_the_explorer_is_in_front(qtbot, window, monkeypatch):
    explorer = window.explorer
    asked = []
    compute = explorer.directions.compute
    monkeypatch.setattr(explorer.directions, "compute",
                        lambda renderer, *rest: (asked.append(renderer), compute(renderer, *rest)))
    assert not window.explorer_actions.explorer_in_front  # behind the losses' tab
    generator = tiny_generator()
    explorer.set_generator(LoadedGenerator(generator, "tiny"))
    qtbot.wait(50)
    assert asked == [] and explorer.model.state.directions is None  # nobody sees it: no work
    window._docks["explorer"].raise_()
    qtbot.waitUntil(lambda: explorer.model.state.directions is not None, timeout=10000)
    assert asked == [generator]


def test_save_image_saves_the_preview_exactly_as_shown(qtbot, window, tmp_path, monkeypatch):
    explorer = explore(qtbot, window)
    assert window.images.save_image.isEnabled()
    scale = explorer.preview.scale()
    out = tmp_path / "preview"
    answer_save(monkeypatch, out, scale)
    window.images.save_image.trigger()  # Ctrl+S: the explorer is the active view
    saved = np.asarray(Image.open(tmp_path / "preview.png"))
    np.testing.assert_array_equal(saved, explorer.preview.shown_pixels())
    grab = explorer.preview.grab().toImage().convertToFormat(QImage.Format.Format_Grayscale8)
    rect, ratio = explorer.preview.image_rect(), grab.width() // explorer.preview.width()
    on_screen = np.array(grab.constBits(), np.uint8).reshape(grab.height(), grab.bytesPerLine())
    on_screen = on_screen[rect.top() * ratio:(rect.bottom() + 1) * ratio,
                          rect.left() * ratio:(rect.right() + 1) * ratio]
    np.testing.assert_array_equal(upscale_nearest(saved, ratio), on_screen)
    answer_save(monkeypatch, tmp_path / "small.jpg", 3)
    window.images.save_image.trigger()
    assert Image.open(tmp_path / "small.jpg").format == "JPEG"
    assert Image.open(tmp_path / "small.jpg").size == (24, 24)


def test_save_image_saves_the_tile_when_the_samples_were_used_last(qtbot, window, tmp_path,
                                                                     monkeypatch):
    explore(qtbot, window)
    window.training_panel.runs_dir.set_path(str(tmp_path / "runs"))
    window.training_panel.length.set_length(1, "epochs")
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        window.training_panel.train_button.click()
    window.sample_view.setFocus()
    window.sample_view.select_tile(1)
    assert not window.explorer_actions.explorer_active
    monkeypatch.setattr(save_dialogs.ScaleDialog, "ask", classmethod(lambda *a, **k: 2))
    answer_save(monkeypatch, tmp_path / "tile.png")
    window.images.save_image.trigger()
    tile = window.sample_view.selected_tile_image()
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "tile.png")),
                                  upscale_nearest(tile, 2))


def test_copy_image_puts_the_shown_pixels_on_the_clipboard(qtbot, window):
    explorer = explore(qtbot, window)
    window.explorer_actions.copy_image.trigger()
    image = QGuiApplication.clipboard().image().convertToFormat(QImage.Format.Format_Grayscale8)
    shown = explorer.preview.shown_pixels()
    assert (image.width(), image.height()) == (shown.shape[1], shown.shape[0])
    copied = np.array(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    np.testing.assert_array_equal(copied[:, :shown.shape[1]], shown)


def test_gif_export_has_the_frames_shown(qtbot, window, tmp_path, monkeypatch):
    explorer = explore(qtbot, window)
    panel = explorer.interpolation
    panel.frames.setValue(7)
    qtbot.waitUntil(lambda: panel.filmstrip.frames is not None and
                    len(panel.filmstrip.frames) == 7, timeout=10000)
    monkeypatch.setattr(explorer_dialogs.AnimationDialog, "exec",
                        lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(explorer_dialogs.AnimationDialog, "options",
                        lambda self: explorer_dialogs.AnimationOptions(10, True, False, 2))
    answer_save(monkeypatch, tmp_path / "walk.gif")
    window.explorer_actions.export_interpolation.trigger()
    qtbot.waitUntil(lambda: "Saved a 7-frame" in window.statusBar().currentMessage(), timeout=10000)
    with Image.open(tmp_path / "walk.gif") as gif:
        frames = [np.asarray(f.convert("L")) for f in ImageSequence.Iterator(gif)]
        assert gif.info["loop"] == 0 and gif.info["duration"] == 100
    assert len(frames) == 7
    for frame, shown in zip(frames, panel.filmstrip.frames):
        np.testing.assert_array_equal(frame, upscale_nearest(shown, 2))
    monkeypatch.setattr(explorer_dialogs.AnimationDialog, "options",
                        lambda self: explorer_dialogs.AnimationOptions(10, False, True, 1))
    answer_save(monkeypatch, tmp_path / "bounce.png")  # animated PNG, forward and back
    window.explorer_actions.export_interpolation.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "bounce.png").exists(), timeout=10000)
    with Image.open(tmp_path / "bounce.png") as png:
        frames = [np.asarray(f.convert("L")) for f in ImageSequence.Iterator(png)]
    strip = list(panel.filmstrip.frames)
    assert len(frames) == 12
    for frame, shown in zip(frames, strip + strip[-2:0:-1]):
        np.testing.assert_array_equal(frame, shown)


def test_a_gif_on_a_full_disk_says_which_file_and_why_and_leaves_none(
        qtbot, window, tmp_path, monkeypatch, message_boxes, full_disk):
    explorer = explore(qtbot, window)
    panel = explorer.interpolation
    qtbot.waitUntil(lambda: panel.filmstrip.frames is not None, timeout=10000)
    monkeypatch.setattr(explorer_dialogs.AnimationDialog, "exec",
                        lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(explorer_dialogs.AnimationDialog, "options",
                        lambda self: explorer_dialogs.AnimationOptions(10, True, False, 2))
    target = tmp_path / "out" / "walk.gif"
    target.parent.mkdir()
    answer_save(monkeypatch, target)
    window.explorer_actions.export_interpolation.trigger()
    qtbot.waitUntil(lambda: bool(message_boxes), timeout=10000)
    assert message_boxes[-1] == ("warning", "Cannot Export Interpolation",
                                 f"Cannot write {target}: No space left on device")
    assert list(target.parent.iterdir()) == []


def test_interpolation_strip_is_saved_as_shown(qtbot, window, tmp_path, monkeypatch):
    explorer = explore(qtbot, window)
    panel = explorer.interpolation
    panel.frames.setValue(4)
    qtbot.waitUntil(lambda: panel.filmstrip.frames is not None and
                    len(panel.filmstrip.frames) == 4, timeout=10000)
    answer_save(monkeypatch, tmp_path / "strip.png", 3)
    window.explorer_actions.save_strip.trigger()
    qtbot.waitUntil(lambda: (tmp_path / "strip.png").exists(), timeout=10000)
    expected = upscale_nearest(np.concatenate(list(panel.filmstrip.frames), axis=1), 3)
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "strip.png")), expected)


def test_latents_save_and_load_and_bad_files_are_refused(qtbot, window, tmp_path, monkeypatch,
                                                        message_boxes):
    explorer = explore(qtbot, window)
    explorer.direction_sliders.set_offsets([])
    explorer.controls.psi.setValue(70)
    settle(qtbot, explorer)
    shown, image = explorer.current_latent(), explorer.current_image().copy()
    answer_save(monkeypatch, tmp_path / "z")
    window.explorer_actions.save_latent.trigger()
    saved = np.load(tmp_path / "z.npy", allow_pickle=False)
    np.testing.assert_array_equal(saved, shown)
    explorer.controls.seed.setValue(99)
    settle(qtbot, explorer)
    assert window.explorer_actions.files.load_latent_file(str(tmp_path / "z.npy"))
    settle(qtbot, explorer)
    np.testing.assert_array_equal(explorer.current_latent(), shown)
    np.testing.assert_array_equal(explorer.current_image(), image)  # the same picture again
    np.save(tmp_path / "three.npy", np.random.default_rng(0).standard_normal((3, LATENT)))
    assert window.explorer_actions.files.load_latent_file(str(tmp_path / "three.npy"))
    assert [b.name for b in explorer.model.bookmarks] == ["three 1", "three 2", "three 3"]
    np.save(tmp_path / "wrong.npy", np.zeros((2, LATENT + 1), np.float32))
    np.save(tmp_path / "nan.npy", np.full(LATENT, np.nan))
    np.save(tmp_path / "pickle.npy", np.array([object()]), allow_pickle=True)
    for name in ("wrong", "nan", "pickle"):
        assert not window.explorer_actions.files.load_latent_file(str(tmp_path / f"{name}.npy"))
    assert [m[1] for m in message_boxes] == ["Cannot Load Latent"] * 3
    assert "takes 8" in message_boxes[0][2] and "NaN" in message_boxes[1][2]
    settle(qtbot, explorer)
    np.testing.assert_array_equal(explorer.current_latent(), explorer.model.bookmark_latents()[0])

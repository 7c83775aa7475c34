"""The panels and views, fed synthetic progress reports and grids."""

import numpy as np
from PySide6.QtCore import QPointF, Qt

from gan_studio.core.grid import tile_grid
from gan_studio.core.training.progress import Progress, SampleGrid
from gan_studio.ui.training.download_dialog import DownloadDialog, format_bytes
from gan_studio.ui.training.loss_plot import LossPlot, exponential_moving_average
from gan_studio.ui.training.missing_data_dialog import RETRY, MissingDataDialog
from gan_studio.ui.training.progress_panel import ProgressPanel
from gan_studio.ui.training.sample_grid_view import FRAME_MEMORY, MAX_FRAMES, SampleGridView


def progress(steps, epoch=0, per_epoch=100, total=1000, loss=1.0):
    steps = list(steps)
    return Progress(step=steps[-1], epoch=epoch, steps_per_epoch=per_epoch, total_steps=total,
                    g_loss=loss, d_loss=loss, d_real=0.6, d_fake=0.4, images_per_sec=512.0,
                    eta_seconds=75.0, elapsed_seconds=3725.0, steps=steps,
                    g_losses=[loss] * len(steps), d_losses=[2 * loss] * len(steps),
                    d_reals=[0.6] * len(steps), d_fakes=[0.4] * len(steps))


def grid(step, value=None, count=16, side=4, channels=1):
    rng = np.random.default_rng(step)
    tiles = rng.integers(0, 256, (count, side, side, channels), dtype=np.uint8)
    if value is not None:
        tiles[:] = value
    return SampleGrid(step=step, epoch=0, image=tile_grid(tiles, columns=4), tiles=tiles)


# ---- loss plot -----------------------------------------------------------------------------
def test_loss_plot_appends_in_place_and_marks_epochs(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    curve_ids = [id(c) for c in plot._raw_curves.values()]
    plot.add_progress(progress(range(1, 51), epoch=0, per_epoch=50))
    plot.add_progress(progress(range(51, 101), epoch=1, per_epoch=50, loss=3.0))
    assert plot.point_count == 100
    steps, g = plot.series("g_loss")
    assert steps[0] == 1 and steps[-1] == 100 and g[-1] == 3.0
    _, g_smooth = plot.series("g_loss", smoothed=True)
    assert 1.0 < g_smooth[-1] < 3.0  # the EMA lags behind the jump
    assert plot.epoch_boundaries == [50.0]
    qtbot.waitUntil(lambda: plot._raw_curves["g_loss"].xData is not None
                    and len(plot._raw_curves["g_loss"].xData) == 100, timeout=2000)
    assert [id(c) for c in plot._raw_curves.values()] == curve_ids


def test_loss_plot_takes_100k_steps_without_lists(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    for start in range(0, 100_000, 1000):
        plot.add_progress(progress(range(start + 1, start + 1001), epoch=start // 10_000,
                                   per_epoch=10_000, total=100_000))
    assert plot.point_count == 100_000
    assert isinstance(plot._steps._data, np.ndarray)
    assert len(plot.epoch_boundaries) == 9
    plot._redraw()


def test_loss_plot_history_and_rollback_overlap(qtbot):
    plot = LossPlot()
    qtbot.addWidget(plot)
    steps = np.arange(1, 31)
    plot.set_history(steps, steps // 10, {"g_loss": np.ones(30), "d_loss": np.ones(30),
                                          "d_real": np.ones(30), "d_fake": np.zeros(30)})
    assert plot.point_count == 30 and plot.epoch_boundaries == [9.0, 19.0, 29.0]
    plot.add_progress(progress(range(21, 25), epoch=2, per_epoch=10))
    steps, _ = plot.series("g_loss")
    assert list(steps[-5:]) == [20, 21, 22, 23, 24]  # the abandoned steps 21..30 are gone
    plot.clear()
    assert plot.point_count == 0


def test_ema_skips_non_finite_values():
    out = exponential_moving_average(np.array([1.0, np.nan, 3.0]), 0.5)
    assert list(out) == [1.0, 1.0, 2.0]


# ---- sample grid view ----------------------------------------------------------------------
def test_grid_view_follows_new_grids_and_scrubs_back(qtbot):
    view = SampleGridView()
    qtbot.addWidget(view)
    for step in range(1, 6):
        view.add_grid(grid(step))
    assert view.frame_count == 5 and view.current_index == 4
    assert np.array_equal(view.current_image(), grid(5).image[:, :, 0])
    view._slider.setValue(1)
    view.add_grid(grid(6))
    assert view.current_index == 1  # scrubbed back: the view holds its frame
    assert np.array_equal(view.current_image(), grid(2).image[:, :, 0])
    view._slider.setValue(view.frame_count - 1)
    view.add_grid(grid(7))
    assert view.current_index == view.frame_count - 1
    assert view.current_image().dtype == np.uint8


def test_grid_view_shows_d_s_score_on_each_tile_when_asked(qtbot):
    import dataclasses

    from gan_studio.ui.training.grid_frames import GridFrame, TileLayout
    from gan_studio.ui.training.tile_scores import score_color

    view = SampleGridView()
    qtbot.addWidget(view)
    scores = np.linspace(0.0, 1.0, 16, dtype=np.float32)
    view.add_grid(dataclasses.replace(grid(1), scores=scores))
    view.add_grid(dataclasses.replace(grid(2), scores=scores[::-1].copy()))
    assert view.score_labels == []  # off until asked for
    view.scores_check.setChecked(True)
    assert view.score_labels == [f"{s:.2f}" for s in scores[::-1]]
    assert "mean D 0.50" in view.caption
    view._slider.setValue(0)  # scrubbing back shows that frame's scores
    assert view.score_labels[0] == "0.00" and view.score_labels[-1] == "1.00"
    assert score_color(0.0) != score_color(1.0) and score_color(2.0) == score_color(1.0)
    # A grid read back from the run folder has no scores: nothing drawn, and the caption says so.
    view.set_frames([GridFrame(10, 0, grid(3).image[:, :, 0])],
                    TileLayout.square(grid(3).image.shape, 4))
    assert view.score_labels == [] and "no D scores" in view.caption
    view.scores_check.setChecked(False)
    assert "D" not in view.caption.split("·")[-1]


def test_grid_view_click_selects_a_tile(qtbot):
    view = SampleGridView()
    qtbot.addWidget(view)
    view.resize(400, 400)
    view.show()
    view.add_grid(grid(1))
    qtbot.waitExposed(view)
    qtbot.wait(50)  # let the view box settle its range
    selected = []
    view.run.observe(lambda what: "tile" in what and selected.append(view.run.selected_tile))
    # Click the middle of tile 6 (row 1, column 2 of a 4x4 grid of 4x4-pixel tiles).
    scene_pos = view._image_item.mapToScene(QPointF(2 * 4 + 2, 1 * 4 + 2))
    widget_pos = view._view.mapFromScene(scene_pos)
    qtbot.mouseClick(view._view.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    assert selected == [6]
    assert np.array_equal(view.selected_tile_image(), grid(1).tiles[6, :, :, 0])
    qtbot.mouseClick(view._view.viewport(), Qt.MouseButton.LeftButton, pos=widget_pos)
    assert selected == [6, -1]


def test_grid_view_thins_old_frames(qtbot):
    view = SampleGridView()
    qtbot.addWidget(view)
    for step in range(MAX_FRAMES + 10):
        view.add_grid(grid(step, value=step % 256, count=1, side=2))
    assert view.frame_count <= MAX_FRAMES
    assert view.frames[-1].step == MAX_FRAMES + 9
    assert view.frames[0].step == 0


def test_large_grids_are_thinned_by_the_memory_they_hold(qtbot):
    view = SampleGridView()
    qtbot.addWidget(view)
    for step in range(400):  # 8x8 tiles of 64x64 RGB: ~800 KB a grid, 320 MB in all
        view.add_grid(grid(step, value=step % 256, count=64, side=64, channels=3))
    held = sum(frame.image.nbytes for frame in view.frames)
    assert held <= FRAME_MEMORY and view.frame_count >= 16
    assert view.frames[0].step == 0 and view.frames[-1].step == 399  # the whole span


def test_grid_view_drops_frames_after_a_rollback(qtbot):
    view = SampleGridView()
    qtbot.addWidget(view)
    for step in (0, 10, 20, 30):
        view.add_grid(grid(step))
    view.add_grid(grid(15))
    assert [f.step for f in view.frames] == [0, 10, 15]


def test_rgb_grids_are_shown_as_they_come(qtbot):
    view = SampleGridView()
    qtbot.addWidget(view)
    g = grid(3, channels=3)
    view.add_grid(g)
    assert np.array_equal(view.current_image(), g.image)


# ---- progress panel and dialogs ------------------------------------------------------------
def test_progress_panel_shows_rates_and_times(qtbot):
    panel = ProgressPanel()
    qtbot.addWidget(panel)
    panel.update_progress(progress(range(240, 251), epoch=2, per_epoch=100, total=1000))
    assert panel.text("speed") == "512"
    assert panel.text("elapsed") == "1:02:05"
    assert panel.text("eta") == "1:15"
    assert panel.epoch_bar.value() == 250 and panel.epoch_bar.maximum() == 1000
    assert panel.epoch_bar.format().startswith("3 / 10")
    assert panel.step_bar.value() == 50 and panel.step_bar.maximum() == 100
    panel.set_state("paused")
    assert panel.state_text == "Paused"


def test_download_dialog_shows_bytes_and_speed(qtbot):
    dialog = DownloadDialog("MNIST")
    qtbot.addWidget(dialog)
    cancelled = []
    dialog.cancelled.connect(lambda: cancelled.append(True))
    dialog._history = [(0.0, 0)]
    dialog.update_progress(5_500_000, 11_490_434)
    assert "5.5 MB of 11.5 MB" in dialog.details.text()
    assert dialog.bar.value() == 478
    dialog.reject()
    assert cancelled == [True]
    assert format_bytes(999) == "999 B" and format_bytes(1_500) == "1.5 kB"


def test_reading_a_folder_counts_images_not_bytes(qtbot, monkeypatch):
    from gan_studio.ui.training import download_dialog

    now = [10.0]
    monkeypatch.setattr(download_dialog.time, "monotonic", lambda: now[0])
    dialog = DownloadDialog("/art/faces", images=True)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "Reading Images" and "faces" in dialog._title.text()
    dialog.update_progress(0, 500)
    now[0] += 2.0
    dialog.update_progress(250, 500)
    assert dialog.details.text() == "250 images of 500 images · 125 images/s · 0:02 left"
    assert dialog.bar.value() == 500


def test_missing_data_dialog_names_url_file_and_folder(qtbot, monkeypatch, tmp_path):
    from gan_studio.ui.training import missing_data_dialog

    opened = []
    monkeypatch.setattr(missing_data_dialog.QDesktopServices, "openUrl",
                        lambda url: opened.append(url.toLocalFile()) or True)
    folder = tmp_path / "datasets"
    dialog = MissingDataDialog("https://example.org/mnist.npz", str(folder / "mnist.npz"),
                               str(folder))
    qtbot.addWidget(dialog)
    text = dialog.message.text()
    assert "https://example.org/mnist.npz" in text and str(folder / "mnist.npz") in text
    dialog.open_button.click()
    assert opened == [str(folder)] and folder.is_dir()
    dialog.retry_button.click()
    assert dialog.result() == RETRY


def test_added_suffix_confirms_overwriting(qtbot, tmp_path, monkeypatch, message_boxes):
    from PySide6.QtWidgets import QFileDialog, QMessageBox

    from gan_studio.ui.widgets.save_dialogs import ask_save_path

    (tmp_path / "grid.png").write_bytes(b"old")
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(tmp_path / "grid"), "PNG"))
    assert ask_save_path(None, "Save", str(tmp_path), "x.png", {"": ".png"}) == str(
        tmp_path / "grid.png")
    assert message_boxes[-1][0] == "question"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Cancel)
    assert ask_save_path(None, "Save", str(tmp_path), "x.png", {"": ".png"}) is None


def test_a_conditional_grid_of_one_row_per_class_is_laid_out_by_its_columns(qtbot):
    from gan_studio.ui.training.grid_frames import TileLayout

    view = SampleGridView()
    qtbot.addWidget(view)
    tiles = np.arange(10 * 3, dtype=np.uint8).reshape(30, 1, 1, 1).repeat(4, 1).repeat(4, 2)
    labels = np.repeat(np.arange(10, dtype=np.int32), 3)
    image = tile_grid(tiles, columns=3)  # 10 rows (classes) of 3: no square holds it
    view.add_grid(SampleGrid(step=1, epoch=0, image=image, tiles=tiles, labels=labels,
                             columns=3))
    layout = view.tile_layout
    assert (layout.count, layout.columns) == (30, 3)
    view.select_tile(7)  # row 2 (class 2), column 1
    assert layout.tile_rect(7) == (4, 8, 4, 4)
    assert np.array_equal(view.selected_tile_image(), tiles[7, :, :, 0])
    # Without the columns, an unpadded grid's width still tells them.
    assert TileLayout.from_grid(image.shape, tiles.shape).columns == 3
    assert TileLayout.from_grid((16, 16), (16, 4, 4)).columns == 4
    saved = TileLayout.rows_columns(image.shape, 10, 3)
    assert (saved.count, saved.columns, saved.tile_shape) == (30, 3, (4, 4))


def _luminance(colour):
    channels = [c / 255 for c in colour.getRgb()[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(ink, ground):
    alpha = ink.alphaF()  # (placeholder colours are the text colour, half transparent)
    blended = type(ink)(*(round(alpha * a + (1 - alpha) * b)
                          for a, b in zip(ink.getRgb()[:3], ground.getRgb()[:3])))
    high, low = sorted((_luminance(blended), _luminance(ground)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_a_note_is_muted_but_more_readable_than_disabled_text(qtbot):
    from PySide6.QtGui import QPalette

    from gan_studio.ui.widgets.note_label import note_label

    label = note_label("Finding directions…")
    qtbot.addWidget(label)
    assert label.isEnabled() and label.wordWrap()
    palette, window = label.palette(), label.palette().color(QPalette.ColorRole.Window)
    note = _contrast(palette.color(label.foregroundRole()), window)
    disabled = _contrast(palette.color(QPalette.ColorGroup.Disabled,
                                       QPalette.ColorRole.WindowText), window)
    normal = _contrast(palette.color(QPalette.ColorRole.WindowText), window)
    assert disabled < note < normal and note >= 3.0, (disabled, note, normal)

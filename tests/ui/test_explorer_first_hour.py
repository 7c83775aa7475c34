"""The latent explorer's details a new user meets in the first hour (issue 28, item 8): the
shortcut that shows it, the layer it opens on, D's verdict, directions of a new run, what
Find Image does to ψ, and where its files are saved."""

import json
import os
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import tiny_generator
from PySide6.QtGui import QAction, QColor, QPalette
from PySide6.QtWidgets import QDialog, QFileDialog, QStyleFactory

from gan_studio.ui.explorer import actions as explorer_actions
from gan_studio.ui.explorer import dialogs as explorer_dialogs
from gan_studio.workers.explorer.directions import DirectionsResult, compute_directions
from gan_studio.workers.explorer.generator_loading import LoadedGenerator

LATENT = 8


@pytest.fixture
def window(explorer_window):
    return explorer_window


def run_folder(path) -> str:
    """A folder the explorer takes for a run (it holds a config.json)."""
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump({"dataset": "mnist"}, f)
    return str(path)


def show(qtbot, explorer, source="", generator=None):
    generator = generator or tiny_generator()
    explorer.set_generator(LoadedGenerator(generator, os.path.basename(source) or "tiny",
                                           source))
    qtbot.waitUntil(lambda: explorer.current_image() is not None
                    and explorer.preview.tag == explorer.last_request_id, timeout=10000)
    return generator


# ---- 1. Ctrl+Shift+X shows the explorer, never hides it ------------------------------------
def test_the_explorer_shortcut_shows_it_and_gives_it_the_focus_every_time(qtbot, window):
    dock, actions = window._docks["explorer"], window.explorer_actions
    show_explorer = actions.show_explorer
    assert [a for a in window.findChildren(QAction)
            if a.shortcut().toString() == "Ctrl+Shift+X"] == [show_explorer]  # not the toggle
    assert show_explorer in window.menuBar().actions()[2].menu().actions()  # View
    assert not actions.explorer_in_front  # behind the losses' tab at first
    show(qtbot, window.explorer)
    for _ in range(2):  # the second press, with the explorer in front, leaves it there
        show_explorer.trigger()
        qtbot.waitUntil(lambda: actions.explorer_in_front, timeout=2000)
        qtbot.waitUntil(lambda: window.focusWidget() is window.explorer.controls.seed,
                        timeout=2000)
        qtbot.wait(50)
        assert dock.isVisible() and actions.explorer_in_front
    dock.close()
    show_explorer.trigger()  # a closed dock comes back, in front
    qtbot.waitUntil(lambda: actions.explorer_in_front, timeout=2000)
    assert window._docks["losses"].visibleRegion().isEmpty()


# ---- 2. The Layers tab opens on the first convolution ---------------------------------------
def test_the_layers_view_opens_on_the_first_convolution(qtbot, explorer):
    generator = show(qtbot, explorer)
    view = explorer.layers_view
    assert view.current_layer == 3 and view.layers.currentItem().text() == \
        "conv_transpose · 4×4×4"  # not the dense layer's 1×1 maps (a flat grey square)
    explorer.tabs.setCurrentWidget(view)
    assert explorer.rendering.layer == 3
    qtbot.waitUntil(lambda: view.maps.image() is not None, timeout=10000)
    assert view.maps.image().std() > 0  # maps with something in them
    assert generator.layers[3][1][:2] == (4, 4)
    # Shapes alone decide: the first layer computed from maps (a reshape only lays them out).
    from gan_studio.ui.explorer.layers_view import first_convolution

    assert first_convolution([("project", (64,)), ("project_lrelu", (64,)),
                              ("reshape", (4, 4, 4)), ("deconv0", (8, 8, 2)),
                              ("to_image", (16, 16, 1))]) == 3
    assert first_convolution([("dense", (16,)), ("reshape", (4, 4, 1))]) == 1
    assert first_convolution([("dense", (16,))]) == 0


# ---- 3. D's verdict: readable, and judged again when a stop saves a checkpoint -------------
def contrast(first: QColor, second: QColor) -> float:
    """WCAG's contrast ratio of two colours (1 to 21)."""
    def luminance(colour):
        channels = [c / 255 for c in (colour.red(), colour.green(), colour.blue())]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("palette", ["light", "dark"])
def test_the_verdict_is_readable_in_light_and_dark_palettes(qtbot, palette):
    from gan_studio.ui.explorer.verdict_label import VerdictLabel

    label = VerdictLabel()
    qtbot.addWidget(label)
    label.setPalette(QStyleFactory.create("Fusion").standardPalette() if palette == "light"
                     else QPalette(QColor(53, 53, 53)))  # Qt's palette made from a dark grey
    label.setText("D(G(z)) = 0.42: the discriminator takes it for fake")
    assert label.styleSheet() == ""  # no colour of its own that a palette could clash with
    group = QPalette.ColorGroup.Active if label.isEnabled() else QPalette.ColorGroup.Disabled
    colours = label.palette()
    assert contrast(colours.color(group, label.foregroundRole()),
                    colours.color(group, label.backgroundRole())) >= 4.5
    label.shutdown()


def test_a_stop_with_a_checkpoint_shows_the_verdict_at_once(qtbot, window, fake_engine,
                                                            monkeypatch, tmp_path):
    from gan_studio.core.runs.layout import list_checkpoints
    from gan_studio.ui.explorer.verdict_label import MEASURING
    from gan_studio.workers.explorer import verdict

    def score(_self, source, image, class_index, tag):  # D without TensorFlow
        found = list_checkpoints(source)
        if not found:
            raise ValueError(f"{source} has no checkpoint yet")
        return verdict.VerdictResult(0.7, found[-1][0], tag)

    monkeypatch.setattr(verdict._Discriminators, "score", score)
    fake_engine.until_stopped = True
    session, explorer = window.session, window.explorer
    window.training_panel.runs_dir.set_path(str(tmp_path / "runs"))
    window.training_panel.train()
    qtbot.waitUntil(lambda: session.run_dir is not None and session.running, timeout=10000)
    run_folder(session.run_dir)
    show(qtbot, explorer, session.run_dir)  # as the run's snapshots are shown
    qtbot.waitUntil(lambda: "no checkpoint yet" in explorer.verdict.text(), timeout=10000)
    seen = []
    session.event.connect(lambda event: event.kind == "checkpoint"
                          and seen.append(explorer.verdict.text()))
    with qtbot.waitSignal(session.finished, timeout=10000):
        session.stop()
    assert seen == [MEASURING]  # at once, not the run's state before its checkpoint
    qtbot.waitUntil(lambda: explorer.verdict.text().startswith("D(G(z)) = 0.70"), timeout=10000)
    step = list_checkpoints(session.run_dir)[-1][0]
    assert explorer.verdict.text().endswith(f"(its checkpoint of step {step:,})")


def test_a_stale_no_checkpoint_answer_never_replaces_a_newer_request(qtbot):
    from gan_studio.ui.explorer.verdict_label import MEASURING, VerdictLabel

    label = VerdictLabel()
    qtbot.addWidget(label)
    label._newest = "newer"
    label.setText(MEASURING)
    label.service.unavailable.emit("No discriminator verdict: no checkpoint yet", "older")
    assert label.text() == MEASURING
    label.service.unavailable.emit("No discriminator verdict: unreadable", "newer")
    assert label.text() == "No discriminator verdict: unreadable"
    label.shutdown()


# ---- 4. A new run's directions: "Finding directions…", never the old run's -----------------
def test_a_new_run_drops_the_old_directions_until_its_own_are_found(qtbot, explorer,
                                                                      monkeypatch, tmp_path):
    sliders, model = explorer.direction_sliders, explorer.model
    results = []
    explorer.directions.ready.connect(results.append)
    old = show(qtbot, explorer, str(tmp_path / "run-a"), tiny_generator(seed=0))
    qtbot.waitUntil(lambda: len(sliders.sliders) == LATENT and bool(results), timeout=20000)
    old_result = results[-1]
    sliders.sliders[0].setValue(150)
    held = []
    compute = explorer.directions.compute
    monkeypatch.setattr(explorer.directions, "compute", lambda *args: held.append(args))
    new = tiny_generator(seed=1)
    explorer.set_generator(LoadedGenerator(new, "run-b", str(tmp_path / "run-b")))
    assert model.state.directions is None and not np.any(model.state.offsets)
    assert sliders.status.text().startswith("Finding")  # computing, said so
    assert not any(s.isVisibleTo(sliders) for s in sliders.sliders)
    assert not sliders.reset_button.isEnabled()
    assert held and held[-1][0] is new
    # The old run's analysis, finishing late, is not shown for the new run.
    explorer.directions.ready.emit(old_result)
    explorer.directions.ready.emit(DirectionsResult(old, old_result.directions, 0.1, None,
                                                    str(tmp_path / "run-a")))
    assert model.state.directions is None and sliders.status.text().startswith("Finding")
    compute(*held[-1])
    qtbot.waitUntil(lambda: model.state.directions is not None, timeout=20000)
    expected = compute_directions(new, samples=200)
    np.testing.assert_allclose(model.state.directions.vectors, expected.vectors, atol=1e-5)
    assert sliders.sliders[0].isVisibleTo(sliders) and sliders.sliders[0].value() == 0
    assert sliders._names[0].text().startswith("PC1 · ")


def test_a_new_snapshot_of_the_same_run_keeps_its_directions_while_updating(qtbot, explorer,
                                                                            tmp_path):
    model = explorer.model
    show(qtbot, explorer, str(tmp_path / "run-a"), tiny_generator(seed=0))
    qtbot.waitUntil(lambda: model.state.directions is not None, timeout=20000)
    explorer.set_generator(LoadedGenerator(tiny_generator(seed=1), "run-a",
                                           str(tmp_path / "run-a")))
    assert model.state.directions is not None  # the same run's, until the update is found


# ---- 5. Find Image says it set ψ back to 1 -------------------------------------------------
def test_find_image_says_it_set_the_truncation_back_to_one(qtbot, window, tmp_path,
                                                           monkeypatch):
    explorer, actions = window.explorer, window.explorer_actions.projection
    show(qtbot, explorer, str(tmp_path / "g.keras"))
    explorer.model.set_psi(0.7)
    monkeypatch.setattr(actions.service, "start", lambda request: True)  # no TensorFlow
    assert actions.find(str(tmp_path / "picture.png"))
    found = np.random.default_rng(3).standard_normal(LATENT).astype(np.float32)
    actions.service.finished.emit(SimpleNamespace(
        stopped=False, latent=found, class_index=None, error=0.0123, steps=300, seconds=1.0,
        loss="", image=np.zeros((8, 8), np.uint8)))
    assert explorer.model.state.psi == 1.0
    np.testing.assert_array_equal(explorer.model.composed(), found)  # shown as found
    message = window.statusBar().currentMessage()
    assert message.startswith("Found the picture: mean pixel error 0.0123")
    assert "Truncation set to ψ = 1.00 (it was 0.70)" in message
    assert "Truncation set to ψ = 1.00 (it was 0.70)" in actions.dialog.info.text()
    actions.dialog.close()


def test_find_image_says_nothing_of_edits_that_were_neutral():
    from gan_studio.core.latent.state import LatentState
    from gan_studio.ui.explorer.projection_actions import undone_edits

    state = LatentState(np.zeros(4, np.float32))
    assert undone_edits(state) == ""
    state.offsets = np.array([0.5], np.float32)
    assert undone_edits(state).startswith("The direction sliders set to 0")


# ---- 6. Save dialogs open in the run's folder ---------------------------------------------
def test_the_explorer_s_save_dialogs_open_in_the_run_s_folder(qtbot, window, tmp_path,
                                                              monkeypatch):
    run = run_folder(tmp_path / "runs" / "mnist-1")
    explorer = window.explorer
    show(qtbot, explorer, run)
    qtbot.waitUntil(lambda: explorer.interpolation.filmstrip.frames is not None, timeout=10000)
    asked, answer = [], [("", "")]

    def get_save_file_name(parent, title, start, filters):
        asked.append(os.path.dirname(start))
        return answer[0]

    monkeypatch.setattr(QFileDialog, "getSaveFileName", get_save_file_name)
    monkeypatch.setattr(explorer_actions, "ask_scale", lambda *a, **k: 2)
    monkeypatch.setattr(explorer_dialogs.AnimationDialog, "exec",
                        lambda self: QDialog.DialogCode.Accepted)
    actions = window.explorer_actions
    actions.save_image()
    actions.export_animation()
    actions.save_strip_image()
    actions.files.save_current_latent()
    assert asked == [run] * 4 and os.path.expanduser("~") not in asked
    elsewhere = tmp_path / "mine"
    elsewhere.mkdir()
    answer[0] = (str(elsewhere / "one.png"), "")
    actions.save_image()  # the user picks another folder: the next dialogs open there
    actions.save_image()
    assert asked[-1] == str(elsewhere)
    answer[0] = ("", "")
    other = run_folder(tmp_path / "runs" / "mnist-2")
    show(qtbot, explorer, other)
    actions.save_image()  # another run's images start in its own folder
    assert asked[-1] == other

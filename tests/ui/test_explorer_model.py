"""The explorer's model: what each change announces, the seed's one home, widgets following it."""

import numpy as np
import pytest
from helpers import tiny_generator
from PySide6.QtCore import QModelIndex

from gan_studio.core.latent.directions import LatentDirections
from gan_studio.core.latent.explorer_model import (
    BOOKMARKS,
    DIRECTIONS,
    EDITS,
    GENERATOR,
    LATENT,
    PATH,
    PLAYBACK,
    SEED,
    TILE,
    ExplorerModel,
)
from gan_studio.core.latent.space import random_latent
from gan_studio.ui.explorer.explorer import LatentExplorer
from gan_studio.workers.explorer.generator_loading import LoadedGenerator


def loaded(latent=8):
    return LoadedGenerator(tiny_generator(latent=latent), "tiny")


@pytest.fixture
def model(qtbot):
    model = ExplorerModel()
    model.seen = []
    model.observe(model.seen.append)
    return model


@pytest.fixture
def explorer(qtbot):
    explorer = LatentExplorer(directions_samples=50)
    qtbot.addWidget(explorer)
    yield explorer
    explorer.shutdown()


def directions(count=3, dim=8):
    return LatentDirections(np.eye(count, dim, dtype=np.float32), np.ones(count, np.float32),
                            np.full(count, 0.1, np.float32))


def test_each_change_announces_what_it_touched(model):
    model.set_seed(3)
    assert model.seen == [{SEED}] and model.state is None  # no generator: only the seed
    model.set_generator(loaded())
    assert model.seen[-1] == {GENERATOR, LATENT, EDITS, DIRECTIONS, PATH, BOOKMARKS}
    np.testing.assert_array_equal(model.state.base, random_latent(8, 3))
    np.testing.assert_array_equal(model.endpoint("B"), random_latent(8, 4))
    model.set_generator(loaded())  # the same latent size: nothing but the generator
    assert model.seen[-1] == {GENERATOR}
    model.set_psi(0.5)
    assert model.seen[-1] == {EDITS} and model.state.psi == 0.5
    model.set_seed(4)
    assert model.seen[-1] == {SEED, LATENT} and model.state.psi == 0.5  # edits are kept
    count = len(model.seen)
    model.set_seed(4)
    assert len(model.seen) == count  # the seed shown: no change
    model.show_latent(np.ones(8))
    assert model.seen[-1] == {LATENT, EDITS} and model.state.psi == 1.0
    model.show_latent(np.ones(5))  # another size: ignored
    assert len(model.seen) == count + 1
    model.set_dimension(2, -1.5)
    assert model.seen[-1] == {LATENT} and model.state.base[2] == -1.5
    model.set_endpoint("A", np.zeros(8))
    assert model.seen[-1] == {PATH}
    model.set_path_settings(frames=5)
    assert model.seen[-1] == {PATH} and len(model.path_latents()) == 5
    model.set_path_settings(fps=30, loop=False)
    assert model.seen[-1] == {PLAYBACK} and model.path_settings.fps == 30
    model.set_tile_available(True)
    model.set_tile_available(True)
    assert model.seen[-2:] == [{PLAYBACK}, {TILE}]  # announced once


def test_directions_and_offsets(model):
    model.set_generator(loaded())
    model.set_directions(directions(), "3 directions")
    assert model.seen[-1] == {DIRECTIONS} and model.directions_status == "3 directions"
    model.set_offsets([1.0, 0.0, 0.0, 9.0])  # one value too many: ignored
    assert model.seen[-1] == {EDITS}
    np.testing.assert_array_equal(model.state.offsets, [1, 0, 0])
    model.set_directions(directions(2), "2 directions")  # the image moves: edits too
    assert model.seen[-1] == {DIRECTIONS, EDITS}
    np.testing.assert_array_equal(model.state.offsets, [1, 0])
    model.set_directions_status("Updating…")
    assert model.seen[-1] == {DIRECTIONS}


def test_the_path_follows_the_bookmarks_when_walking(model):
    model.set_generator(loaded())
    first = model.add_bookmark("one", np.ones(8))
    assert model.seen[-1] == {BOOKMARKS}
    model.add_bookmark("small", np.ones(5))  # kept, not usable
    model.set_path_settings(walking=True)
    assert model.path is None  # one usable bookmark: no walk
    model.add_bookmark(model.next_bookmark_name(), np.zeros(8))
    assert model.seen[-1] == {BOOKMARKS, PATH} and model.path.segments == 1
    assert [b.name for b in model.bookmarks] == ["one", "small", "Bookmark 3"]
    assert model.bookmark_latents().shape == (2, 8)
    model.rename_bookmark(first, "first")
    model.reorder_bookmarks([b.key for b in reversed(model.bookmarks)])
    assert [b.name for b in model.bookmarks] == ["Bookmark 3", "small", "first"]
    np.testing.assert_array_equal(model.path_latents(edited=False)[0], np.zeros(8))
    model.remove_bookmark(first)
    assert model.path is None and len(model.bookmarks) == 2


def test_the_seed_lives_in_the_model_and_the_spin_box_shows_it(explorer):
    model, spin = explorer.model, explorer.controls.seed
    spin.setValue(7)  # typed before a generator is shown
    assert model.seed == 7
    explorer.set_generator(loaded())
    np.testing.assert_array_equal(model.state.base, random_latent(8, 7))
    model.set_seed(11)
    assert spin.value() == 11
    explorer.controls.random_button.click()
    assert spin.value() == model.seed != 11


def test_widgets_follow_the_model_and_change_it(explorer):
    model = explorer.model
    explorer.set_generator(loaded())
    model.set_psi(0.3)
    assert explorer.controls.psi_value() == pytest.approx(0.3)
    model.show_latent(np.ones(8))
    assert explorer.controls.psi_value() == 1.0
    panel = explorer.interpolation
    model.set_path_settings(frames=5, walking=True, fps=20)
    assert panel.frames.value() == 5 and panel.fps.value() == 20
    assert panel.source.currentData() == "walk"
    panel.mode.setCurrentIndex(1)
    assert model.path_settings.mode == "lerp"
    marks = explorer.bookmarks
    for name in ("a", "b", "c"):
        model.add_bookmark(name, random_latent(8))
    assert [marks.list.item(i).text() for i in range(3)] == ["a", "b", "c"]
    assert marks.list.currentRow() == 2 and marks.buttons["export"].isEnabled()
    marks.list.item(0).setText("first")  # as an edit in place does
    assert model.bookmarks[0].name == "first"
    marks.list.model().moveRow(QModelIndex(), 2, QModelIndex(), 0)  # as a drag does
    assert [b.name for b in model.bookmarks] == ["c", "first", "b"]
    model.reorder_bookmarks([b.key for b in reversed(model.bookmarks)])
    assert [marks.list.item(i).text() for i in range(3)] == ["b", "first", "c"]
    marks.list.setCurrentRow(0)
    marks.remove_current()
    assert [b.name for b in model.bookmarks] == ["first", "c"] and marks.list.count() == 2
    assert not explorer.controls.tile_button.isEnabled()
    model.set_tile_available(True)
    assert explorer.controls.tile_button.isEnabled()


def test_a_change_asks_for_one_preview(qtbot, explorer, monkeypatch):
    asked = []
    request = explorer.rendering.render_thread.request
    monkeypatch.setattr(explorer.rendering.render_thread, "request",
                        lambda channel, *a, **kw: (asked.append(channel),
                                                   request(channel, *a, **kw))[1])
    explorer.set_generator(loaded())
    explorer.model.set_psi(0.5)
    explorer.show_latent(np.ones(8))  # the latent and its edits at once
    assert asked == ["preview"] * 3
    qtbot.waitUntil(lambda: len(asked) > 3, timeout=5000)  # then the batches, once
    assert sorted(asked[3:]) == ["endpoints", "strip"]


def test_the_base_moves_with_the_path_while_it_is_on_it(explorer):
    model, panel = explorer.model, explorer.interpolation
    explorer.set_generator(loaded())
    model.set_path_settings(frames=5)
    panel.show_frame(2)  # as a click on the middle frame does
    assert model.on_path and panel.t_slider.value() == 500
    np.testing.assert_array_equal(model.state.base, model.path_latents(edited=False)[2])
    model.set_endpoint("B", np.ones(8))
    np.testing.assert_array_equal(model.state.base, model.path_latents(edited=False)[2])
    model.set_seed(9)  # off the path: moving it moves the base no more
    assert not model.on_path
    model.set_endpoint("B", np.zeros(8))
    np.testing.assert_array_equal(model.state.base, random_latent(8, 9))

"""The latent explorer panel on its own, with a tiny numpy generator (no TensorFlow)."""

import numpy as np
import pytest
from helpers import tiny_generator

from gan_studio.core.grid import upscale_nearest
from gan_studio.workers.explorer.generator_loading import LoadedGenerator

LATENT = 8




def render(generator, z):
    image = generator.render_uint8(np.asarray(z, np.float32).reshape(1, -1))[0]
    return image[..., 0] if image.shape[-1] == 1 else image




def load(qtbot, explorer, generator=None):
    generator = generator or tiny_generator()
    explorer.set_generator(LoadedGenerator(generator, "tiny"))
    qtbot.waitUntil(lambda: explorer.current_image() is not None, timeout=10000)
    return generator


def settle(qtbot, explorer):
    """Waits until the preview shows the newest request."""
    qtbot.waitUntil(lambda: explorer.preview.tag == explorer.last_request_id, timeout=10000)


def test_shows_the_seeds_latent_pixel_exact(qtbot, explorer):
    assert explorer.current_image() is None and not explorer.tabs.isEnabled()
    generator = load(qtbot, explorer)
    z = np.random.default_rng(0).standard_normal((1, LATENT), dtype=np.float32)[0]
    np.testing.assert_array_equal(explorer.current_latent(), z)
    np.testing.assert_array_equal(explorer.current_image(), render(generator, z))
    qtbot.waitUntil(lambda: explorer.preview.tag == explorer.preview._painted_tag, timeout=5000)
    scale = explorer.preview.scale()
    assert scale >= 8
    grabbed = explorer.preview.grab().toImage().convertToFormat(
        explorer.preview.grab().toImage().Format.Format_Grayscale8)
    rect = explorer.preview.image_rect()
    ratio = grabbed.width() // explorer.preview.width()
    pixels = np.array(grabbed.constBits(), np.uint8).reshape(grabbed.height(),
                                                              grabbed.bytesPerLine())
    shown = pixels[rect.top() * ratio:(rect.bottom() + 1) * ratio,
                   rect.left() * ratio:(rect.right() + 1) * ratio]
    np.testing.assert_array_equal(shown, upscale_nearest(explorer.current_image(), scale * ratio))


def test_moving_a_direction_slider_changes_the_image(qtbot, explorer):
    load(qtbot, explorer)
    qtbot.waitUntil(lambda: len(explorer.direction_sliders.sliders) == LATENT, timeout=20000)
    assert "PC1 · " in explorer.direction_sliders._names[0].text()
    before = explorer.current_image().copy()
    explorer.direction_sliders.sliders[0].setValue(250)  # +2.5 sigma
    settle(qtbot, explorer)
    assert not np.array_equal(explorer.current_image(), before)
    state = explorer.model.state
    expected = state.base + 2.5 * state.directions.sigmas[0] * state.directions.vectors[0]
    np.testing.assert_allclose(explorer.current_latent(), expected, atol=1e-5)
    explorer.direction_sliders.reset()
    settle(qtbot, explorer)
    np.testing.assert_array_equal(explorer.current_image(), before)


def test_the_closed_form_switch_finds_sefa_directions_and_drops_the_old_offsets(qtbot,
                                                                              explorer):
    from gan_studio.core.latent.directions import GANSPACE, SEFA
    from gan_studio.core.latent.sefa import closed_form_directions

    generator = load(qtbot, explorer)
    sliders = explorer.direction_sliders
    qtbot.waitUntil(lambda: len(sliders.sliders) == LATENT, timeout=20000)
    sliders.sliders[0].setValue(150)
    settle(qtbot, explorer)
    sliders.method.setCurrentIndex(sliders.method.findData(SEFA))
    sliders.method.activated.emit(sliders.method.currentIndex())
    model = explorer.model
    qtbot.waitUntil(lambda: model.state.directions is not None
                    and model.state.directions.method == SEFA, timeout=20000)
    expected = closed_form_directions(generator.latent_kernel, LATENT)
    np.testing.assert_allclose(model.state.directions.vectors, expected.vectors, atol=1e-6)
    assert sliders._names[0].text().startswith("SeFa 1 · ")
    assert "closed form" in model.directions_status
    assert not np.any(model.state.offsets)  # +1.5 on PC1 is not +1.5 on SeFa 1
    settle(qtbot, explorer)
    np.testing.assert_allclose(explorer.current_latent(), model.state.base, atol=1e-6)
    model.set_directions_method(GANSPACE)  # the model drives the switch back
    assert sliders.method.currentData() == GANSPACE
    qtbot.waitUntil(lambda: model.state.directions is not None
                    and model.state.directions.method == GANSPACE, timeout=20000)
    assert sliders._names[0].text().startswith("PC1 · ")


def test_the_layers_view_shows_the_picked_layer_s_maps_live(qtbot, explorer):
    from gan_studio.core.latent.activation_maps import activation_maps

    generator = load(qtbot, explorer)
    view = explorer.layers_view
    assert view.layers.count() == len(generator.layers)
    assert view.layers.item(2).text() == "reshape · 2×2×8"
    assert view.layers.item(3).text() == "conv_transpose · 4×4×4"
    view.layers.setCurrentRow(2)
    assert explorer.rendering.layer is None  # the tab is not in front: nothing is rendered
    explorer.tabs.setCurrentWidget(view)
    assert explorer.rendering.layer == 2

    def expected():
        z = explorer.model.composed()[None]
        return activation_maps(generator.activations(z, 2)[0]).image

    qtbot.waitUntil(lambda: view.maps.image() is not None, timeout=10000)
    np.testing.assert_array_equal(view.maps.image(), expected())
    assert view.info.text().startswith("8 of 8 channels, strongest first")
    before = view.maps.image().copy()
    explorer.tabs.setCurrentWidget(explorer.dimension_sliders)
    explorer.dimension_sliders.sliders[0].setValue(300)
    explorer.tabs.setCurrentWidget(view)  # back in front: the maps follow the new latent
    qtbot.waitUntil(lambda: not np.array_equal(view.maps.image(), before), timeout=10000)
    np.testing.assert_array_equal(view.maps.image(), expected())
    explorer.tabs.setCurrentWidget(explorer.bookmarks)
    assert explorer.rendering.layer is None


def test_dimension_sliders_truncation_seed_and_reset(qtbot, explorer):
    generator = load(qtbot, explorer)
    explorer.tabs.setCurrentWidget(explorer.dimension_sliders)
    qtbot.waitUntil(lambda: len(explorer.dimension_sliders.sliders) == LATENT, timeout=5000)
    explorer.dimension_sliders.sliders[3].setValue(-350)
    settle(qtbot, explorer)
    assert explorer.current_latent()[3] == pytest.approx(-3.5)
    np.testing.assert_array_equal(explorer.current_image(),
                                  render(generator, explorer.current_latent()))
    assert explorer.dimension_sliders.jump_to(5) and not explorer.dimension_sliders.jump_to(99)
    explorer.controls.psi.setValue(0)  # ψ = 0: the mean latent, zero
    settle(qtbot, explorer)
    np.testing.assert_array_equal(explorer.current_latent(), np.zeros(LATENT, np.float32))
    explorer.controls.psi.setValue(50)
    settle(qtbot, explorer)
    np.testing.assert_allclose(explorer.current_latent(), 0.5 * explorer.model.state.base, atol=1e-6)
    explorer.controls.seed.setValue(42)
    settle(qtbot, explorer)
    seed42 = np.random.default_rng(42).standard_normal((1, LATENT), dtype=np.float32)[0]
    np.testing.assert_allclose(explorer.current_latent(), 0.5 * seed42, atol=1e-6)  # ψ kept
    explorer.controls.random_button.click()
    settle(qtbot, explorer)
    assert explorer.controls.seed.value() != 42
    explorer.controls.seed.setValue(42)
    explorer.controls.reset_button.click()
    settle(qtbot, explorer)
    assert explorer.controls.psi_value() == 1.0
    np.testing.assert_array_equal(explorer.current_latent(), seed42)
    qtbot.waitUntil(lambda: explorer.dimension_sliders._shown is not None and
                    explorer.dimension_sliders.sliders[0].value() == round(seed42[0] * 100),
                    timeout=5000)


def test_interpolation_filmstrip_t_and_play(qtbot, explorer):
    generator = load(qtbot, explorer)
    panel = explorer.interpolation
    explorer.tabs.setCurrentWidget(panel)
    panel.frames.setValue(6)
    a, b = explorer.model.endpoint("A"), explorer.model.endpoint("B")
    assert a is not None and b is not None
    qtbot.waitUntil(lambda: panel.filmstrip.frames is not None and
                    len(panel.filmstrip.frames) == 6, timeout=10000)
    latents = explorer.path_latents()
    np.testing.assert_array_equal(latents[0], a)
    np.testing.assert_array_equal(latents[-1], b)
    for i, frame in enumerate(panel.filmstrip.frames):
        np.testing.assert_array_equal(frame, render(generator, latents[i]))
    panel.show_frame(3)  # as a click on the fourth frame does
    settle(qtbot, explorer)
    np.testing.assert_array_equal(explorer.current_image(), panel.filmstrip.frames[3])
    assert panel.t_slider.value() == 600
    panel.t_slider.setValue(500)  # between frames
    settle(qtbot, explorer)
    assert panel.current_frame == -1
    panel.mode.setCurrentIndex(1)  # lerp
    settle(qtbot, explorer)
    np.testing.assert_allclose(explorer.current_latent(), 0.5 * (a + b), atol=1e-6)
    panel.fps.setValue(60)
    shown = set()
    panel.frame_shown.connect(shown.add)
    panel.play_button.click()
    assert panel.playing
    qtbot.waitUntil(lambda: len(shown) >= 5, timeout=5000)
    panel.play_button.click()
    assert not panel.playing


def test_endpoint_buttons_and_edits_apply_to_the_path(qtbot, explorer):
    load(qtbot, explorer)
    panel = explorer.interpolation
    explorer.controls.seed.setValue(5)
    settle(qtbot, explorer)
    panel.endpoint_buttons["B"]["current"].click()
    model = explorer.model
    np.testing.assert_array_equal(model.endpoint("B"), model.state.base)
    old_a = model.endpoint("A").copy()
    panel.endpoint_buttons["A"]["random"].click()
    assert not np.array_equal(model.endpoint("A"), old_a)
    explorer.controls.psi.setValue(80)
    np.testing.assert_allclose(explorer.path_latents(), 0.8 * model.path_latents(edited=False),
                               atol=1e-6)


def test_bookmarks_show_and_walk(qtbot, explorer):
    load(qtbot, explorer)
    keys = []
    for seed in (1, 2, 3):
        explorer.controls.seed.setValue(seed)
        settle(qtbot, explorer)
        explorer.bookmark_current()
        keys.append(explorer.current_latent())
    marks, model = explorer.bookmarks, explorer.model
    assert marks.list.count() == 3
    assert [b.name for b in model.bookmarks] == ["Bookmark 1", "Bookmark 2", "Bookmark 3"]
    assert [marks.list.item(i).text() for i in range(3)] == [b.name for b in model.bookmarks]
    np.testing.assert_array_equal(model.bookmark_latents(), np.stack(keys))
    marks.list.setCurrentRow(0)
    marks.buttons["show"].click()
    settle(qtbot, explorer)
    np.testing.assert_array_equal(explorer.current_latent(), keys[0])
    panel = explorer.interpolation
    panel.frames.setValue(5)
    panel.source.setCurrentIndex(1)  # walk through the bookmarks
    latents = model.path_latents(edited=False)
    assert len(latents) == 5
    for frame, key in ((0, 0), (2, 1), (4, 2)):
        np.testing.assert_array_equal(latents[frame], keys[key])
    marks.list.setCurrentRow(1)
    marks.remove_current()
    assert len(model.path_latents(edited=False)) == 5 and model.path.segments == 1


def test_a_generator_of_another_latent_size_starts_afresh(qtbot, explorer):
    load(qtbot, explorer)
    explorer.bookmark_current()
    explorer.set_generator(LoadedGenerator(tiny_generator(latent=5, channels=3), "colour"))
    settle(qtbot, explorer)
    assert explorer.current_image().shape == (8, 8, 3)
    assert explorer.current_latent().shape == (5,)
    assert len(explorer.model.bookmark_latents()) == 0  # the 8-d one is kept but greyed out
    assert len(explorer.model.bookmarks) == 1

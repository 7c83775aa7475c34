"""The explorer with a class-conditional generator: the class picker, class blends, and the
class carried by every path that renders (tiny numpy generators, no TensorFlow)."""

import numpy as np
from helpers import tiny_conditional_generator, tiny_generator

from gan_studio.core.latent.classes import ClassChoice
from gan_studio.core.latent.explorer_model import CLASS, GENERATOR
from gan_studio.ui.explorer.actions import render_path
from gan_studio.workers.explorer.generator_loading import LoadedGenerator


def render(generator, z, classes):
    image = generator.render_uint8(np.asarray(z, np.float32).reshape(1, -1),
                                   classes=np.asarray(classes).reshape(1, -1) if
                                   np.ndim(classes) else np.array([classes]))[0]
    return image[..., 0]




def show(qtbot, explorer, generator, names=()):
    explorer.set_generator(LoadedGenerator(generator, "tiny", class_names=tuple(names)))
    settle(qtbot, explorer)


def settle(qtbot, explorer):
    qtbot.waitUntil(lambda: explorer.current_image() is not None and
                    explorer.preview.tag == explorer.last_request_id, timeout=10000)


def grab(explorer):
    """The preview's pixels as painted on screen (gray)."""
    image = explorer.preview.grab().toImage()
    image = image.convertToFormat(image.Format.Format_Grayscale8)
    return np.array(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())


def test_the_picker_is_hidden_for_unconditional_generators(qtbot, explorer):
    show(qtbot, explorer, tiny_generator())
    assert explorer.class_picker.isHidden() and explorer.model.classes is None
    assert explorer.model.class_weights(3) is None and explorer.current_classes() is None


def test_changing_the_class_changes_the_rendered_image(qtbot, explorer):
    generator = tiny_conditional_generator()
    show(qtbot, explorer, generator, names=["zero", "one"])  # fewer names than classes
    picker = explorer.class_picker
    assert not picker.isHidden()
    assert picker.class_names() == ["zero", "one", "Class 2"]
    assert explorer.model.classes == ClassChoice(3)
    z = explorer.current_latent()
    np.testing.assert_array_equal(explorer.current_image(), render(generator, z, 0))
    qtbot.waitUntil(lambda: explorer.preview.tag == explorer.preview._painted_tag, timeout=5000)
    before = grab(explorer)
    picker.classes.setCurrentIndex(2)
    settle(qtbot, explorer)
    assert explorer.model.classes.first == 2
    np.testing.assert_array_equal(explorer.current_image(), render(generator, z, 2))
    assert not np.array_equal(explorer.current_image(), render(generator, z, 0))
    qtbot.waitUntil(lambda: explorer.preview.tag == explorer.preview._painted_tag, timeout=5000)
    assert not np.array_equal(grab(explorer), before)  # on screen too
    np.testing.assert_array_equal(explorer.current_latent(), z)  # the latent stays


def test_the_blend_slider_interpolates_between_two_classes(qtbot, explorer):
    generator = tiny_conditional_generator()
    show(qtbot, explorer, generator)
    picker, z = explorer.class_picker, explorer.current_latent()
    picker.blend_with.setCurrentIndex(1)
    picker.blend.setValue(40)
    settle(qtbot, explorer)
    assert explorer.model.classes == ClassChoice(3, 0, 1, 0.4)
    np.testing.assert_array_equal(explorer.current_image(),
                                  render(generator, z, [0.6, 0.4, 0.0]))
    picker.blend.setValue(100)  # all the way: the second class itself
    settle(qtbot, explorer)
    np.testing.assert_array_equal(explorer.current_image(), render(generator, z, 1))
    assert picker._blend_label.text() == "100%"


def test_the_model_announces_class_changes_once(qtbot, explorer):
    seen = []
    explorer.model.observe(seen.append)
    show(qtbot, explorer, tiny_conditional_generator())
    announced = [what for what in seen if CLASS in what]  # with the generator, once
    assert len(announced) == 1 and GENERATOR in announced[0]
    seen.clear()
    explorer.model.set_class(first=1)
    explorer.model.set_class(first=1)  # no change, no announcement
    assert [what for what in seen if CLASS in what] == [{CLASS}]
    assert explorer.class_picker.classes.currentIndex() == 1  # the picker follows the model
    show(qtbot, explorer, tiny_generator())  # unconditional again: no class, no picker
    assert explorer.model.classes is None and explorer.class_picker.isHidden()


def test_paths_strips_and_bookmarks_carry_the_class(qtbot, explorer):
    generator = tiny_conditional_generator()
    show(qtbot, explorer, generator)
    model = explorer.model
    model.set_class(first=1)
    settle(qtbot, explorer)
    latents = model.path_latents()
    weights = model.class_weights(len(latents))
    frames = render_path(generator, latents, classes=weights)
    expected = generator.render_uint8(latents, classes=np.ones(len(latents), int))[..., 0]
    np.testing.assert_array_equal(frames, expected)
    strip = explorer.interpolation.filmstrip  # the filmstrip renders in the class as well
    qtbot.waitUntil(lambda: strip.frames is not None and np.array_equal(strip.frames, expected),
                    timeout=10000)
    explorer.bookmark_current()
    bookmark = model.bookmarks[0]
    assert bookmark.classes == ClassChoice(3, first=1)
    model.set_class(first=2)
    explorer.bookmarks._show(explorer.bookmarks.list.item(0))
    assert model.classes.first == 1  # showing a bookmark brings its class back
    model.set_class(first=0)
    np.testing.assert_array_equal(model.bookmark_class_weights(), [[0, 1, 0]])


def test_directions_are_found_in_the_picked_class(qtbot, explorer, monkeypatch):
    asked = []
    compute = explorer.directions.compute
    monkeypatch.setattr(explorer.directions, "compute",
                        lambda renderer, c=None, *rest: (asked.append(c), compute(renderer, c, *rest))[1])
    show(qtbot, explorer, tiny_conditional_generator())
    qtbot.waitUntil(lambda: explorer.model.state.directions is not None, timeout=20000)
    explorer.model.set_class(blend=0.5, second=2)  # a blend keeps the picked class's
    explorer.model.set_class(first=1)
    assert asked == [0, 1]

"""Finding an image in the latent space: a planted latent's image is found again, the class
of a conditional generator too, Cancel stops at the next step, bad targets are refused."""

import numpy as np
import pytest
from helpers import conditional_keras_generator

from gan_studio.ml.latent.projection import Projector


@pytest.fixture(scope="module")
def generator():
    import keras

    from gan_studio.ml.networks.models import build_generator

    keras.utils.set_random_seed(0)
    model = build_generator(28, 28, 1, 16)
    # Untrained, its images are all near grey; a steeper last layer makes them differ as a
    # trained generator's do, so that finding the right one is a real search.
    last = model.layers[-1] if model.layers[-1].weights else model.layers[-2]
    last.kernel.assign(last.kernel * 40.0)
    return model


def _image(generator, z, label=None):
    inputs = z[None] if label is None else [z[None], np.array([label], np.int32)]
    return np.clip(np.rint((np.asarray(generator(inputs, training=False))[0] + 1) * 127.5),
                   0, 255).astype(np.uint8)


def test_a_planted_latent_s_image_is_reproduced(generator):
    planted = np.random.default_rng(5).standard_normal(16).astype(np.float32)
    target = _image(generator, planted)
    seen = []
    result = Projector(generator, restarts=4).project(target, steps=150, on_progress=seen.append,
                                                      progress_every=50)
    assert result.steps == 150 and not result.stopped and result.class_index is None
    others = np.random.default_rng(6).standard_normal((8, 16)).astype(np.float32)
    random_error = np.mean([np.abs(_image(generator, z) / 255.0 - target / 255.0).mean()
                            for z in others])
    assert result.error < 0.02 and random_error > 5 * result.error
    np.testing.assert_array_equal(result.image, _image(generator, result.latent))
    assert [p.step for p in seen] == [50, 100, 150]
    assert seen[-1].error == pytest.approx(result.error)
    assert seen[0].error >= seen[-1].error


def test_a_second_search_starts_afresh_and_finds_the_same(generator):
    projector = Projector(generator, restarts=2)
    target = _image(generator, np.random.default_rng(1).standard_normal(16).astype(np.float32))
    first = projector.project(target, steps=20)
    again = projector.project(target, steps=20)  # Adam's moments were reset, starts re-drawn
    np.testing.assert_array_equal(first.latent, again.latent)


def test_cancel_ends_the_search_at_the_next_step_with_the_best_so_far(generator):
    polls = []

    def should_stop():
        polls.append(True)
        return len(polls) > 3

    target = _image(generator, np.ones(16, np.float32))
    result = Projector(generator, restarts=2).project(target, steps=1000,
                                                      should_stop=should_stop)
    assert result.stopped and result.steps == 3 and len(polls) == 4
    np.testing.assert_array_equal(result.image, _image(generator, result.latent))
    stopped_at_once = Projector(generator, restarts=2).project(target, steps=10,
                                                               should_stop=lambda: True)
    assert stopped_at_once.steps == 0 and np.isfinite(stopped_at_once.error)


def test_a_conditional_generator_s_class_is_found_with_the_latent():
    generator = conditional_keras_generator(latent=6, classes=4, channels=1)
    planted = np.random.default_rng(2).standard_normal(6).astype(np.float32)
    target = _image(generator, planted, label=2)
    result = Projector(generator, restarts=8).project(target, steps=200)
    assert result.class_index is not None
    np.testing.assert_array_equal(result.image, _image(generator, result.latent,
                                                       result.class_index))
    assert result.error < 0.02
    fixed = Projector(generator, restarts=4, class_index=1).project(target, steps=5)
    assert fixed.class_index == 1
    with pytest.raises(ValueError, match="out of range"):
        Projector(generator, class_index=4)


@pytest.mark.parametrize("target", [np.zeros((28, 28, 3), np.uint8), np.zeros((32, 32), np.uint8),
                                    np.zeros((28, 28), np.float32)])
def test_a_target_of_another_shape_or_type_is_refused(generator, target):
    with pytest.raises(ValueError, match="the target must be uint8"):
        Projector(generator, restarts=1).project(target, steps=1)


def test_a_finished_search_lets_go_of_its_graph(generator):
    """Its step's custom gradients (Keras' Adam) would have kept the traced graph in
    TensorFlow's registry for good, one per search (`ml.runtime.custom_gradients`)."""
    import gc
    import weakref

    from gan_studio.ml.runtime.custom_gradients import traced_graphs

    projector = Projector(generator, restarts=2)
    projector.project(np.zeros((28, 28, 1), np.uint8), steps=2)
    (graph,) = traced_graphs(projector._step_fn)
    graph = weakref.ref(graph)
    del projector
    gc.collect()
    assert graph() is None

"""Activation maps of a layer: one tile per channel, strongest first, each normalised."""

import numpy as np
import pytest
from helpers import tiny_generator

from gan_studio.core.latent.activation_maps import activation_maps


def test_channels_are_tiled_strongest_first_each_in_its_own_range():
    x = np.zeros((4, 4, 3), np.float32)
    x[..., 0] = 0.1 * np.arange(16).reshape(4, 4)  # weak
    x[..., 1] = 40.0  # strongest, but flat: mid-grey
    x[..., 2] = -3 * np.arange(16).reshape(4, 4)  # strong, a ramp
    maps = activation_maps(x)
    assert list(maps.channels) == [1, 2, 0] and maps.total == 3
    assert np.all(np.diff(maps.energy) <= 0)
    assert maps.image.shape == (9, 9)  # a 2x2 grid of 4x4 tiles, 1 px apart
    assert np.all(maps.image[:4, :4] == 128)  # flat: neither black nor white
    assert maps.image[:4, 5:].min() == 0 and maps.image[:4, 5:].max() == 255
    assert maps.image[0, 5] == 255 and maps.image[3, 8] == 0  # -3i: largest at the start


def test_at_most_the_limit_is_shown():
    x = np.random.default_rng(0).standard_normal((2, 2, 100))
    maps = activation_maps(x, limit=16)
    assert len(maps.channels) == 16 and maps.total == 100


def test_a_generator_s_layers_and_their_activations():
    generator = tiny_generator(latent=8)
    names = [name for name, _ in generator.layers]
    assert [shape for _, shape in generator.layers] == [(32,), (32,), (2, 2, 8), (4, 4, 4),
                                                        (4, 4, 4), (8, 8, 1)]
    assert names[0] == "dense" and names[-1] == "conv_transpose"
    z = np.random.default_rng(1).standard_normal((1, 8)).astype(np.float32)
    last = generator.activations(z, len(generator.layers) - 1)
    np.testing.assert_array_equal(last, generator(z))
    assert generator.activations(z, 2).shape == (1, 2, 2, 8)
    assert generator.activations(z, 3, should_stop=lambda: True) is None
    with pytest.raises(ValueError):
        generator.activations(z, 6)


def test_other_shapes_are_refused():
    with pytest.raises(ValueError):
        activation_maps(np.zeros((2, 3)))

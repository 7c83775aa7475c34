"""SeFa directions for every generator the explorer loads: MNIST, CIFAR-10 and a 64 px folder
model, from the real architectures (untrained: the first layer's spectrum is then nearly flat,
the hardest case)."""

import numpy as np
import pytest

from gan_studio.core.latent.directions import SEFA
from gan_studio.workers.explorer.directions import DIRECTIONS, compute_directions


@pytest.mark.parametrize("size, channels", [(28, 1), (32, 3), (64, 3)])
def test_the_first_direction_changes_the_image_more_than_random_ones(size, channels):
    import keras

    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.networks.models import build_generator

    keras.utils.set_random_seed(size)
    generator = numpy_generator_from_keras(build_generator(size, size, channels, 100))
    found = compute_directions(generator, method=SEFA)
    assert found.method == SEFA and found.vectors.shape == (DIRECTIONS, 100)
    np.testing.assert_allclose(found.vectors @ found.vectors.T, np.eye(DIRECTIONS), atol=1e-5)

    rng = np.random.default_rng(0)
    z = rng.standard_normal((8, 100)).astype(np.float32)
    base = generator(z)

    def change(direction):
        return float(np.abs(generator(z + 3 * direction) - base).mean())

    random = rng.standard_normal((16, 100)).astype(np.float32)
    random /= np.linalg.norm(random, axis=1, keepdims=True)
    assert change(found.vectors[0]) > max(change(direction) for direction in random)

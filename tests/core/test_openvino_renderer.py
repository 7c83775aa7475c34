"""The explorer's generator compiled by OpenVINO draws the numpy copy's pixels, for every
architecture the studio trains (the optional extra; the tests install it)."""

import numpy as np
import pytest
from helpers import tiny_conditional_generator, tiny_generator

from gan_studio.core.numpy_generator.generator import NumpyGenerator

pytest.importorskip("openvino")


@pytest.fixture(autouse=True)
def _openvino_allowed(monkeypatch):
    monkeypatch.delenv("GAN_STUDIO_RENDER_BACKEND", raising=False)

from gan_studio.core.numpy_generator.openvino_renderer import (  # noqa: E402
    OpenVinoRenderer,
    openvino_available,
)


def same_pixels(numpy_copy, compiled, z, classes=None, threads=1):
    expected = numpy_copy.render_uint8(z, classes=classes).astype(int)
    drawn = compiled.render_uint8(z, classes=classes, threads=threads)
    assert drawn.dtype == np.uint8 and drawn.shape == expected.shape
    differ = np.abs(drawn.astype(int) - expected)
    assert differ.max() <= 1 and (differ > 0).mean() < 0.01  # float32 sums in another order


def keras_copy(**options):
    import keras

    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.networks.models import build_generator

    keras.utils.set_random_seed(0)
    model = build_generator(seed=0, **options)
    for layer in model.layers:  # images that vary, as a trained model's do
        if layer.weights and "kernel" in layer.weights[0].path:
            layer.weights[0].assign(layer.weights[0] * 3.0)
    return numpy_generator_from_keras(model)


@pytest.mark.parametrize("options", [
    dict(height=28, width=28, channels=1, latent_dim=16),  # MNIST, the seed article's 5x5
    dict(height=32, width=32, channels=3, latent_dim=16, kernel_size=4, stride1_kernel=3,
         activation="relu"),  # the colour recipe
    dict(height=64, width=64, channels=3, latent_dim=8, kernel_size=4),  # a folder's
], ids=["mnist", "cifar10-recipe", "folder-64"])
def test_the_compiled_generator_draws_the_numpy_copy_s_pixels(options):
    numpy_copy = keras_copy(**options)
    compiled = OpenVinoRenderer(numpy_copy, threads=(1, 2))
    z = np.random.default_rng(1).standard_normal((3, numpy_copy.latent_dim)).astype(np.float32)
    same_pixels(numpy_copy, compiled, z)
    same_pixels(numpy_copy, compiled, z[:1], threads=2)
    same_pixels(numpy_copy, compiled, z[:1], threads=3)  # compiled when first asked
    # What is not rendering comes from the numpy copy: the Layers view, GANSpace, SeFa.
    assert compiled.layers == numpy_copy.layers and compiled.output_shape == numpy_copy.output_shape
    np.testing.assert_array_equal(compiled.latent_kernel, numpy_copy.latent_kernel)


def test_batch_norms_left_unfolded_and_every_activation_draw_the_same():
    rng = np.random.default_rng(3)
    plain = tiny_generator(latent=8, channels=3)
    ops, arrays = plain.ops, plain.to_arrays()
    for key, size in (("g", 8), ("b", 8), ("m", 8), ("v", 8)):
        arrays[key] = rng.uniform(0.5, 1.5, size) if key in "gv" else rng.normal(0, 0.3, size)
    # after an activation a batch norm cannot fold into the layer before: an affine of its own
    ops.insert(3, {"op": "batchnorm", "gamma": "g", "beta": "b", "mean": "m", "variance": "v",
                   "epsilon": 0.001})  # after the reshape: channels last
    ops.insert(3, {"op": "relu"})
    ops[-1]["activation"] = "sigmoid"
    ops.insert(-1, {"op": "tanh"})
    numpy_copy = NumpyGenerator(ops, {k: v for k, v in arrays.items() if k != "__ops__"})
    z = rng.standard_normal((2, 8)).astype(np.float32)
    same_pixels(numpy_copy, OpenVinoRenderer(numpy_copy), z)


def test_a_conditional_generator_takes_class_indices_and_blends():
    numpy_copy = tiny_conditional_generator(latent=8, classes=3)
    compiled = OpenVinoRenderer(numpy_copy)
    z = np.random.default_rng(2).standard_normal((3, 8)).astype(np.float32)
    same_pixels(numpy_copy, compiled, z, classes=np.array([0, 2, 1]))
    same_pixels(numpy_copy, compiled, z, classes=np.array([[0.5, 0.5, 0], [0, 0.2, 0.8],
                                                           [1, 0, 0]], np.float32))
    with pytest.raises(ValueError):
        compiled.render_uint8(z)  # a conditional generator needs its classes


def test_bad_latents_are_refused_and_the_numpy_only_switch_is_honoured(monkeypatch):
    compiled = OpenVinoRenderer(tiny_generator(latent=8))
    with pytest.raises(ValueError, match=r"expected latents \(N, 8\)"):
        compiled.render_uint8(np.zeros((1, 5), np.float32))
    assert openvino_available()
    monkeypatch.setenv("GAN_STUDIO_RENDER_BACKEND", "numpy")
    assert not openvino_available()


def test_a_layer_it_does_not_know_is_one_clear_error():
    numpy_copy = tiny_generator()
    numpy_copy._steps.insert(1, object())
    with pytest.raises(ValueError, match="OpenVINO cannot render a object layer"):
        OpenVinoRenderer(numpy_copy)

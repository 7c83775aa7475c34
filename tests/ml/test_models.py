import numpy as np
import pytest

from gan_studio.core.catalog import IMAGE_SIZES
from gan_studio.ml.networks.models import build_discriminator, build_generator, generator_plan


@pytest.mark.parametrize("side,channels,latent", [(28, 1, 100), (32, 3, 128), (64, 3, 128)])
def test_generator_and_discriminator_shapes(side, channels, latent):
    g = build_generator(side, side, channels, latent)
    d = build_discriminator(side, side, channels)
    z = np.random.default_rng(0).standard_normal((2, latent)).astype("float32")
    images = np.asarray(g(z, training=False))
    assert images.shape == (2, side, side, channels)
    assert images.min() >= -1 and images.max() <= 1  # tanh output
    assert np.asarray(d(images, training=False)).shape == (2, 1)
    assert g.name == "generator" and d.name == "discriminator"


def test_mnist_generator_matches_the_tutorial_architecture():
    g = build_generator(28, 28, 1, 100)
    # The TensorFlow DCGAN tutorial's generator has exactly this many parameters.
    assert g.count_params() == 2_330_944
    kinds = [type(layer).__name__ for layer in g.layers]
    assert kinds.count("Conv2DTranspose") == 3 and kinds.count("BatchNormalization") == 3
    assert all(not getattr(layer, "use_bias", False) for layer in g.layers
               if type(layer).__name__ in ("Dense", "Conv2DTranspose"))
    d = build_discriminator(28, 28, 1)
    assert d.count_params() == 212_865


def test_cifar_layout():
    start, filters, hidden = generator_plan(32, 32, 3)
    assert (start, filters) == (8, 256)
    assert hidden == [(256, 1), (128, 1), (128, 1), (64, 2)]
    d = build_discriminator(32, 32, 3)
    convs = [layer.filters for layer in d.layers if type(layer).__name__ == "Conv2D"]
    assert convs == [128, 256, 256, 128]


def test_paper_initialisation_has_std_002():
    g = build_generator(28, 28, 1, 100, weight_init="normal_0.02", seed=1)
    kernel = g.get_layer("project").get_weights()[0]
    assert abs(kernel.std() - 0.02) < 0.002 and abs(kernel.mean()) < 0.002


@pytest.mark.parametrize("side", [30, 48])
def test_unsupported_sizes_are_refused(side):
    with pytest.raises(ValueError):
        generator_plan(side, side, 3)


def test_mixed_bfloat16_computes_hidden_layers_in_bf16_and_outputs_float32():
    g = build_generator(28, 28, 1, 100, dtype="mixed_bfloat16")
    d = build_discriminator(28, 28, 1, dtype="mixed_bfloat16")
    assert g.get_layer("deconv0").compute_dtype == "bfloat16"
    assert g.get_layer("deconv0").variable_dtype == "float32"  # weights stay float32
    images = g(np.zeros((2, 100), "float32"), training=False)
    assert images.dtype.name == "float32"
    assert d(images, training=False).dtype.name == "float32"


@pytest.mark.parametrize("flags,expected", [
    ({"avx2"}, "float32"),
    ({"avx2", "avx512f"}, "float32"),  # AVX-512 without its bfloat16 instructions
    ({"avx512_bf16"}, "mixed_bfloat16"),
    ({"amx_bf16"}, "mixed_bfloat16"),
    (set(), "float32"),  # no flags: not Linux
], ids=["avx2", "avx512f", "avx512_bf16", "amx_bf16", "none"])
def test_precision_choice(monkeypatch, flags, expected):
    from gan_studio.ml.runtime import device

    tf = device.import_tensorflow()
    # No GPU and the given CPU, whatever this machine has: the CPU's flags alone decide.
    monkeypatch.setattr(tf.config, "list_physical_devices", lambda device_type=None: [])
    monkeypatch.setattr(device, "cpu_flags", lambda: set(flags))
    assert device.choose_precision("auto") == expected
    assert device.choose_precision("float32") == "float32"
    assert device.choose_precision("mixed_bfloat16") == "mixed_bfloat16"


@pytest.mark.parametrize("side", IMAGE_SIZES)
def test_the_models_build_every_size_of_the_catalog(side):
    start, _, hidden = generator_plan(side, side, 3)
    assert start * 2 ** (sum(stride == 2 for _, stride in hidden) + 1) == side


# The unconditional generator's layers, in order: old runs' checkpoints and .keras files
# depend on these names and on this order of weights.
UNCONDITIONAL_MNIST_LAYERS = [
    "z", "project", "project_bn", "project_lrelu", "reshape", "deconv0", "deconv0_bn",
    "deconv0_lrelu", "deconv1", "deconv1_bn", "deconv1_lrelu", "to_image"]


def test_unconditional_models_keep_their_layers():
    g = build_generator(28, 28, 1, 100)
    assert [layer.name for layer in g.layers] == UNCONDITIONAL_MNIST_LAYERS
    assert [w.path for w in g.weights][:2] == ["project/kernel", "project_bn/gamma"]
    d = build_discriminator(28, 28, 1)
    assert [i.name for i in d.inputs] == ["image"] and d.count_params() == 212_865


def test_conditional_generator_takes_z_and_a_class():
    from gan_studio.ml.networks.models import CLASS_EMBEDDING_SIZE

    g = build_generator(28, 28, 1, 16, num_classes=10)
    assert [i.name for i in g.inputs] == ["z", "class"]
    assert g.get_layer("class_embedding").input_dim == 10
    assert g.get_layer("z_class").output.shape[-1] == 16 + CLASS_EMBEDDING_SIZE
    assert g.get_layer("project").input.shape[-1] == 16 + CLASS_EMBEDDING_SIZE
    z = np.random.default_rng(0).standard_normal((3, 16)).astype("float32")
    a = np.asarray(g([z, np.array([0, 1, 2], "int32")], training=False))
    b = np.asarray(g([z, np.array([3, 3, 3], "int32")], training=False))
    assert a.shape == (3, 28, 28, 1)
    assert np.abs(a - b).max() > 1e-4  # the class changes the image of the same z
    # ... and within a class the noise changes it, by as much as the class does: at the start
    # z (16 values here, 100 for MNIST) and the class embedding (32) weigh alike in `project`.
    other = np.random.default_rng(1).standard_normal((3, 16)).astype("float32")
    c = np.asarray(g([other, np.array([3, 3, 3], "int32")], training=False))
    assert np.abs(b - c).mean() > 0.5 * np.abs(a - b).mean()


@pytest.mark.parametrize("spectral_norm,dtype", [(False, None), (True, "mixed_bfloat16")])
def test_projection_discriminator_depends_on_the_class(spectral_norm, dtype):
    d = build_discriminator(28, 28, 1, num_classes=10, spectral_norm=spectral_norm, dtype=dtype)
    assert [i.name for i in d.inputs] == ["image", "class"]
    images = np.random.default_rng(1).uniform(-1, 1, (3, 28, 28, 1)).astype("float32")
    a = d([images, np.array([0, 1, 2], "int32")], training=False)
    b = d([images, np.array([5, 5, 5], "int32")], training=False)
    assert a.shape == (3, 1) and a.dtype.name == "float32"
    assert np.abs(np.asarray(a) - np.asarray(b)).max() > 1e-5


def test_mixed_precision_conditional_generator_outputs_float32():
    g = build_generator(28, 28, 1, 16, dtype="mixed_bfloat16", num_classes=4)
    images = g([np.zeros((2, 16), "float32"), np.array([0, 3], "int32")], training=False)
    assert images.dtype.name == "float32"


@pytest.mark.parametrize("kernel", [3, 4, 5])
def test_the_discriminator_s_kernel_is_a_lever(kernel, tmp_path):
    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.networks.models import discriminator_for

    config = TrainConfig(dataset="cifar10", d_kernel_size=kernel).resolved()
    d = discriminator_for(config, (32, 32, 3))
    kernels = {tuple(v.shape[:2]) for v in d.trainable_variables if len(v.shape) == 4}
    assert kernels == {(kernel, kernel)}
    assert d(np.zeros((2, 32, 32, 3), np.float32)).shape == (2, 1)
    # A run's config.json from before the lever builds the seed's 5x5 discriminator.
    (tmp_path / "config.json").write_text('{"dataset": "cifar10"}')
    assert TrainConfig.load(tmp_path / "config.json").d_kernel_size == 5

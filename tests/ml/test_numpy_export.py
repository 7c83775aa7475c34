import numpy as np
import pytest

from gan_studio.ml.generators.numpy_export import UnsupportedModelError, numpy_generator_from_keras
from gan_studio.ml.networks.models import build_generator


def randomize_batchnorm(model, seed=0):
    """Fresh BatchNorms are nearly the identity; give them statistics that matter."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if type(layer).__name__ == "BatchNormalization":
            n = layer.moving_mean.shape[0]
            layer.moving_mean.assign(rng.normal(0, 0.5, n).astype("float32"))
            layer.moving_variance.assign(rng.uniform(0.2, 2.0, n).astype("float32"))
            if layer.scale:
                layer.gamma.assign(rng.uniform(0.5, 1.5, n).astype("float32"))
            if layer.center:
                layer.beta.assign(rng.normal(0, 0.3, n).astype("float32"))
    return model


def assert_matches(model, generator, latent, batches=(1, 5), atol=1e-4):
    rng = np.random.default_rng(1)
    for batch in batches:
        z = rng.standard_normal((batch, latent)).astype("float32")
        expected = model(z, training=False).numpy()
        got = generator(z)
        assert got.shape == expected.shape and got.dtype == np.float32
        assert np.abs(got - expected).max() <= atol


@pytest.fixture(scope="module", params=[(28, 1, 100), (32, 3, 128), (64, 3, 128)],
                ids=["mnist", "cifar10", "64x64"])
def generator_pair(request):
    side, channels, latent = request.param
    model = randomize_batchnorm(build_generator(side, side, channels, latent, seed=3))
    return model, numpy_generator_from_keras(model), request.param


def test_numpy_generator_equals_keras(generator_pair):
    model, generator, (side, channels, latent) = generator_pair
    assert generator.latent_dim == latent and generator.output_shape == (side, side, channels)
    assert_matches(model, generator, latent)


def test_features_are_the_projection_block(generator_pair):
    import keras

    model, generator, (_, _, latent) = generator_pair
    block = keras.Model(model.input, model.get_layer("project_lrelu").output)
    z = np.random.default_rng(2).standard_normal((3, latent)).astype("float32")
    expected = block(z, training=False).numpy()
    np.testing.assert_allclose(generator.features(z), expected, atol=1e-4)


def test_numpy_generator_equals_keras_with_relu_and_3x3_stride_1_kernels():
    """The default generator for grey images: ReLU, 4x4 kernels, 3x3 where the stride is 1."""
    import keras

    model = randomize_batchnorm(build_generator(28, 28, 1, 100, seed=4, kernel_size=4,
                                                activation="relu", stride1_kernel=3), seed=4)
    generator = numpy_generator_from_keras(model)
    assert_matches(model, generator, 100)
    block = keras.Model(model.input, model.get_layer("project_relu").output)
    z = np.random.default_rng(2).standard_normal((3, 100)).astype("float32")
    np.testing.assert_allclose(generator.features(z), block(z, training=False).numpy(), atol=1e-4)


def test_weights_are_copied_not_shared():
    model = build_generator(28, 28, 1, 100, seed=0)
    generator = numpy_generator_from_keras(model)
    z = np.random.default_rng(0).standard_normal((1, 100)).astype("float32")
    before = generator(z)
    kernel = model.get_layer("project").kernel
    kernel.assign(kernel.numpy() * 2)
    np.testing.assert_array_equal(generator(z), before)


def test_keras_file_round_trip(tmp_path):
    import keras

    model = randomize_batchnorm(build_generator(28, 28, 1, 100, seed=5), seed=5)
    path = str(tmp_path / "generator.keras")
    model.save(path)
    loaded = keras.models.load_model(path, compile=False)
    assert_matches(model, numpy_generator_from_keras(loaded), 100)


def test_other_supported_layers():
    import keras
    from keras import layers

    z = keras.Input((8,))
    x = layers.Dense(3 * 3 * 4, activation="relu")(z)
    x = layers.Reshape((3, 3, 4))(x)
    x = layers.Conv2DTranspose(16, (3, 5), strides=(1, 2), padding="same")(x)
    x = layers.BatchNormalization(center=False)(x)
    x = layers.ReLU()(x)
    x = layers.Conv2DTranspose(16, 4, strides=3, padding="valid", activation="relu")(x)
    x = layers.ReLU(negative_slope=0.1)(x)
    x = layers.Activation("linear")(x)
    x = layers.Conv2DTranspose(2, 2, strides=3, padding="same", use_bias=True)(x)
    x = layers.BatchNormalization(scale=False)(x)
    x = layers.Activation("sigmoid")(x)
    model = randomize_batchnorm(keras.Model(z, x))
    generator = numpy_generator_from_keras(model)
    assert generator.output_shape == tuple(model.output.shape[1:])
    assert_matches(model, generator, 8)


def small_model(*middle):
    import keras
    from keras import layers

    z = keras.Input((4,))
    x = layers.Dense(2 * 2 * 3, use_bias=False)(z)
    x = layers.Reshape((2, 2, 3))(x)
    for layer in middle:
        x = layer(x)
    return keras.Model(z, x)


def test_small_model_converts():
    from keras import layers

    model = small_model(layers.Conv2DTranspose(1, 5, 2, padding="same", activation="tanh"))
    assert_matches(model, numpy_generator_from_keras(model), 4)


@pytest.mark.parametrize("make", [
    lambda layers: layers.Conv2D(3, 3, padding="same"),
    lambda layers: layers.UpSampling2D(),
    lambda layers: layers.Conv2DTranspose(3, 3, dilation_rate=2, padding="same"),
    lambda layers: layers.Conv2DTranspose(3, 3, strides=2, output_padding=1),
    lambda layers: layers.Conv2DTranspose(3, 3, activation="softplus", padding="same"),
    lambda layers: layers.ReLU(max_value=6.0),
    lambda layers: layers.BatchNormalization(axis=1),
    lambda layers: layers.Activation("elu"),
])
def test_unsupported_layers_are_refused(make):
    from keras import layers

    model = small_model(make(layers))
    with pytest.raises(UnsupportedModelError):
        numpy_generator_from_keras(model)


def test_branching_models_are_refused():
    import keras
    from keras import layers

    z = keras.Input((4,))
    a = layers.Dense(12)(z)
    b = layers.Dense(12)(z)
    x = layers.Reshape((2, 2, 3))(layers.Add()([a, b]))
    with pytest.raises(UnsupportedModelError):
        numpy_generator_from_keras(keras.Model(z, x))
    image = keras.Input((2, 2, 3))
    with pytest.raises(UnsupportedModelError):  # no latent vector input
        numpy_generator_from_keras(keras.Model(image, layers.Conv2DTranspose(1, 3)(image)))


def test_mixed_precision_generator_converts():
    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.networks.models import build_generator

    model = build_generator(28, 28, 1, 100, dtype="mixed_bfloat16")
    z = np.random.default_rng(0).standard_normal((2, 100)).astype("float32")
    ours = numpy_generator_from_keras(model)(z)
    # Keras computes in bfloat16 (8-bit mantissa); the numpy copy in float32.
    assert np.abs(ours - np.asarray(model(z, training=False))).max() < 0.05


def conditional_pair(seed=0):
    from helpers import conditional_keras_generator

    model = randomize_batchnorm(conditional_keras_generator(seed=seed), seed)
    return model, numpy_generator_from_keras(model)


def test_conditional_generator_equals_keras():
    model, generator = conditional_pair()
    assert generator.num_classes == 4 and generator.latent_dim == 6
    assert generator.output_shape == (4, 4, 1)
    z = np.random.default_rng(1).standard_normal((8, 6)).astype("float32")
    classes = np.array([0, 1, 2, 3, 3, 2, 1, 0], np.int32)
    expected = model([z, classes], training=False).numpy()
    assert np.abs(generator(z, classes=classes) - expected).max() <= 1e-4
    one_hot = np.eye(4, dtype=np.float32)[classes]
    assert np.abs(generator(z, classes=one_hot) - expected).max() <= 1e-4
    for label in range(4):  # each class alone, as the explorer asks for it
        want = model([z[:1], np.array([label], np.int32)], training=False).numpy()
        assert np.abs(generator(z[:1], classes=label) - want).max() <= 1e-4
    assert np.abs(generator(z, classes=np.zeros(8, int)) - expected).max() > 1e-3


def test_conditional_features_are_the_projection_block():
    import keras

    model, generator = conditional_pair(seed=2)
    block = keras.Model(model.inputs, model.get_layer("project_lrelu").output)
    z = np.random.default_rng(2).standard_normal((3, 6)).astype("float32")
    classes = np.array([2, 0, 3], np.int32)
    np.testing.assert_allclose(generator.features(z, classes=classes),
                               block([z, classes], training=False).numpy(), atol=1e-4)


def test_conditional_keras_file_round_trip(tmp_path):
    import keras

    from gan_studio.ml.generators.export import load_generator

    model, _ = conditional_pair(seed=3)
    path = str(tmp_path / "conditional.keras")
    model.save(path)
    loaded = load_generator(path)
    assert isinstance(loaded, keras.Model)
    generator = numpy_generator_from_keras(loaded)
    z = np.random.default_rng(3).standard_normal((4, 6)).astype("float32")
    classes = np.array([3, 1, 0, 2], np.int32)
    expected = model([z, classes], training=False).numpy()
    assert np.abs(generator(z, classes=classes) - expected).max() <= 1e-4


def test_other_multi_input_models_are_refused():
    import keras
    from keras import layers

    z, w = keras.Input((4,)), keras.Input((4,))
    two_vectors = keras.Model([z, w], layers.Reshape((2, 2, 3))(
        layers.Dense(12)(layers.Concatenate()([z, w]))))
    label = keras.Input(shape=(), dtype="int32")
    e = layers.Embedding(3, 2)(label)
    swapped = keras.Model([z, label], layers.Reshape((2, 2, 3))(
        layers.Dense(12)(layers.Concatenate()([e, z]))))  # the embedding first
    added = keras.Model([z, label], layers.Reshape((2, 2, 1))(
        layers.Add()([z, layers.Embedding(3, 4)(label)])))  # no Concatenate
    for model in (two_vectors, swapped, added):
        with pytest.raises(UnsupportedModelError):
            numpy_generator_from_keras(model)

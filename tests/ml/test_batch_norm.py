"""The trained generator's fused batch norm computes what Keras' BatchNormalization does."""

import numpy as np
import pytest

from gan_studio.ml.networks.batch_norm import generator_batch_norm


def _pair(shape):
    """A plain and a fused layer, built alike, with the same non-trivial weights."""
    plain = generator_batch_norm(None, "plain")
    fused = generator_batch_norm(None, "fused", "fused")
    rng = np.random.default_rng(0)
    channels = shape[-1]
    weights = [rng.normal(1, 0.2, channels), rng.normal(0, 0.2, channels),
               rng.normal(0, 0.2, channels), rng.uniform(0.5, 2, channels)]
    for layer in (plain, fused):
        layer.build(shape)
        layer.set_weights([w.astype(np.float32) for w in weights])
    return plain, fused


@pytest.mark.parametrize("shape", [(16, 7, 7, 8), (16, 12)])  # a conv's and a Dense's output
def test_training_matches_keras_outputs_gradients_and_moving_averages(shape):
    import tensorflow as tf

    plain, fused = _pair(shape)
    x = tf.constant(np.random.default_rng(1).normal(2, 3, shape).astype(np.float32))
    upstream = tf.constant(np.random.default_rng(2).normal(size=shape).astype(np.float32))
    results = []
    for layer in (plain, fused):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(layer(x, training=True) * upstream)
        grads = tape.gradient(loss, [x, layer.gamma, layer.beta])
        results.append((layer(x, training=False), grads,
                        layer.moving_mean.numpy(), layer.moving_variance.numpy()))
    (out_a, grads_a, mean_a, var_a), (out_b, grads_b, mean_b, var_b) = results
    np.testing.assert_allclose(mean_b, mean_a, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(var_b, var_a, rtol=1e-5, atol=1e-6)  # the biased variance
    for a, b in zip(grads_a, grads_b):
        np.testing.assert_allclose(b.numpy(), a.numpy(), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(out_b.numpy(), out_a.numpy(), rtol=1e-5, atol=1e-5)


def test_the_training_output_is_the_batch_normalised_input():
    import tensorflow as tf

    plain, fused = _pair((32, 4, 4, 3))
    x = tf.constant(np.random.default_rng(3).normal(5, 2, (32, 4, 4, 3)).astype(np.float32))
    np.testing.assert_allclose(fused(x, training=True).numpy(),
                               plain(x, training=True).numpy(), rtol=1e-5, atol=1e-5)


def test_it_trains_in_bfloat16():
    import tensorflow as tf

    layer = generator_batch_norm("mixed_bfloat16", "bf", "fused")
    x = tf.constant(np.random.default_rng(4).normal(size=(8, 7, 7, 16)).astype(np.float32))
    out = layer(x, training=True)
    assert out.dtype == tf.bfloat16 and layer.moving_mean.dtype == "float32"
    assert abs(float(tf.reduce_mean(tf.cast(out, tf.float32)))) < 0.05


def test_a_fused_generator_has_the_plain_one_s_weights_and_numpy_copy():
    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.networks.models import build_generator

    fused = build_generator(28, 28, 1, seed=0, batch_norm="fused")
    plain = build_generator(28, 28, 1, seed=0)
    assert [(w.path, w.shape) for w in fused.weights] == [(w.path, w.shape) for w in plain.weights]
    plain.set_weights(fused.get_weights())  # a checkpoint of one restores into the other
    z = np.random.default_rng(5).normal(size=(3, 100)).astype(np.float32)
    np.testing.assert_allclose(numpy_generator_from_keras(fused)(z),
                               plain(z, training=False).numpy(), atol=1e-4)

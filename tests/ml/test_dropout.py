"""The discriminator's dropout: Keras' semantics on 16-bit random numbers."""

import numpy as np

from gan_studio.ml.networks.dropout import discriminator_dropout


def test_it_drops_the_rate_and_keeps_the_mean():
    layer = discriminator_dropout(0.3, seed=1, dtype=None, name="drop")
    x = np.ones((64, 14, 14, 64), np.float32)
    out = layer(x, training=True).numpy()
    dropped = (out == 0).mean()
    assert abs(dropped - 0.3) < 0.005  # 802,816 units
    kept = out[out != 0]
    np.testing.assert_allclose(kept, 65536 / (65536 - 19661), rtol=1e-6)  # one exact scale
    assert abs(out.mean() - 1.0) < 0.01


def test_it_is_the_identity_at_inference_and_at_rate_zero():
    x = np.random.default_rng(0).normal(size=(4, 7, 7, 8)).astype(np.float32)
    np.testing.assert_array_equal(discriminator_dropout(0.3, 1, None, "a")(x, training=False), x)
    np.testing.assert_array_equal(discriminator_dropout(0.0, 1, None, "b")(x, training=True), x)


def test_masks_follow_the_seed_state_and_differ_from_call_to_call():
    x = np.ones((8, 7, 7, 5), np.float32)  # an odd count of units: the last word is half used
    first, second = (discriminator_dropout(0.3, 7, None, f"d{i}") for i in range(2))
    a1, a2 = first(x, training=True).numpy(), first(x, training=True).numpy()
    b1 = second(x, training=True).numpy()
    np.testing.assert_array_equal(a1, b1)  # same seed, same first mask
    assert not np.array_equal(a1, a2)  # the state moved on
    # The state is the layer's SeedGenerator, which checkpoints hold.
    assert any("seed_generator" in v.path for v in first.non_trainable_variables)


def test_the_gradient_passes_kept_units_scaled_and_stops_at_dropped_ones():
    import tensorflow as tf

    layer = discriminator_dropout(0.5, 3, None, "g")
    x = tf.ones((2, 4, 4, 3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        out = layer(x, training=True)
        total = tf.reduce_sum(out)
    grad = tape.gradient(total, x).numpy()
    np.testing.assert_allclose(grad, out.numpy())  # d(out)/dx is the mask times the scale
    assert set(np.unique(grad)) <= {0.0, 2.0}


def test_it_runs_under_bfloat16():
    layer = discriminator_dropout(0.3, 1, "mixed_bfloat16", "bf")
    out = layer(np.ones((2, 4, 4, 3), np.float32), training=True)
    assert out.dtype.name == "bfloat16"

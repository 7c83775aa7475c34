import threading

import numpy as np
import pytest

from gan_studio.core.numpy_generator.generator import OPS_KEY, NumpyGenerator
from gan_studio.core.numpy_generator.layers import Buffers, ConvTranspose


def naive_conv_transpose(x, kernel, stride, padding):
    """The definition: each input pixel adds kernel-weighted copies into a strided canvas."""
    n, h, w, _ = x.shape
    k, _, cout, _ = kernel.shape
    full = np.zeros((n, (h - 1) * stride + k, (w - 1) * stride + k, cout), np.float64)
    for i in range(h):
        for j in range(w):
            patch = np.einsum("nc,aboc->nabo", x[:, i, j].astype(np.float64), kernel)
            full[:, i * stride:i * stride + k, j * stride:j * stride + k] += patch
    if padding == "same":
        size, before = h * stride, max(k - stride, 0) // 2
    else:
        size, before = (h - 1) * stride + max(k, stride), 0
    full = np.pad(full, ((0, 0), (0, max(0, before + size - full.shape[1])),
                         (0, max(0, before + size - full.shape[2])), (0, 0)))
    return full[:, before:before + size, before:before + size]


@pytest.mark.parametrize("k,stride", [(5, 1), (5, 2), (4, 2), (3, 3), (2, 3), (1, 1)])
@pytest.mark.parametrize("padding", ["same", "valid"])
@pytest.mark.parametrize("method", ["cols", "taps"])
def test_conv_transpose_matches_the_definition(k, stride, padding, method):
    rng = np.random.default_rng(k * 10 + stride)
    x = rng.standard_normal((2, 4, 4, 3)).astype(np.float32)
    kernel = rng.standard_normal((k, k, 5, 3)).astype(np.float32)
    layer = ConvTranspose(kernel, None, (stride, stride), padding, method=method)
    got = layer(x, Buffers())
    expected = naive_conv_transpose(x, kernel, stride, padding)
    assert got.shape == expected.shape == (2,) + layer.output_shape((4, 4, 3))
    np.testing.assert_allclose(got, expected, atol=1e-5)


@pytest.mark.parametrize("padding", ["same", "valid"])
def test_conv_transpose_methods_agree_on_rectangles(padding):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 4, 6)).astype(np.float32)
    kernel = rng.standard_normal((3, 5, 16, 6)).astype(np.float32)
    bias = rng.standard_normal(16).astype(np.float32)
    cols = ConvTranspose(kernel, bias, (1, 2), padding, "relu", method="cols")
    taps = ConvTranspose(kernel, bias, (1, 2), padding, "relu")
    assert taps.method == "taps"
    np.testing.assert_allclose(taps(x, Buffers()), cols(x, Buffers()), atol=1e-5)


def tiny_ops(rng, latent=6, bias=False):
    """Dense -> BN -> LReLU -> Reshape (2, 2, 4) -> ConvT 3 s2 -> BN -> LReLU -> ConvT 1 s2 tanh."""
    arrays = {
        "w0": rng.standard_normal((latent, 16)), "g0": rng.uniform(0.5, 1.5, 16),
        "b0": rng.normal(0, 0.3, 16), "m0": rng.normal(0, 0.5, 16), "v0": rng.uniform(0.2, 2, 16),
        "k1": rng.standard_normal((5, 5, 3, 4)) * 0.3, "g1": rng.uniform(0.5, 1.5, 3),
        "b1": rng.normal(0, 0.3, 3), "m1": rng.normal(0, 0.5, 3), "v1": rng.uniform(0.2, 2, 3),
        "k2": rng.standard_normal((5, 5, 1, 3)) * 0.3, "c2": rng.normal(0, 0.1, 1),
    }
    arrays = {key: value.astype(np.float32) for key, value in arrays.items()}
    ops = [
        {"op": "dense", "kernel": "w0", "bias": None, "name": "project"},
        {"op": "batchnorm", "gamma": "g0", "beta": "b0", "mean": "m0", "variance": "v0",
         "epsilon": 1e-3},
        {"op": "leaky_relu", "alpha": 0.3},
        {"op": "reshape", "shape": [2, 2, 4]},
        {"op": "conv_transpose", "kernel": "k1", "bias": None, "strides": [2, 2],
         "padding": "same"},
        {"op": "batchnorm", "gamma": "g1", "beta": "b1", "mean": "m1", "variance": "v1",
         "epsilon": 1e-3},
        {"op": "leaky_relu", "alpha": 0.3},
        {"op": "conv_transpose", "kernel": "k2", "bias": "c2" if bias else None,
         "strides": [2, 2], "padding": "same", "activation": "tanh"},
    ]
    return ops, arrays


def reference_forward(ops, arrays, z):
    """A float64 forward pass written op by op, without folding or buffers."""
    def bn(x, op):
        return ((x - arrays[op["mean"]]) / np.sqrt(arrays[op["variance"]] + op["epsilon"])
                * arrays[op["gamma"]] + arrays[op["beta"]])

    x = z.astype(np.float64)
    for op in ops:
        kind = op["op"]
        if kind == "dense":
            x = x @ arrays[op["kernel"]]
        elif kind == "batchnorm":
            x = bn(x, op)
        elif kind == "leaky_relu":
            x = np.where(x > 0, x, op["alpha"] * x)
        elif kind == "reshape":
            x = x.reshape((len(x),) + tuple(op["shape"]))
        elif kind == "conv_transpose":
            x = naive_conv_transpose(x, arrays[op["kernel"]].astype(np.float64),
                                     op["strides"][0], op["padding"])
            if op.get("bias"):
                x = x + arrays[op["bias"]]
            if op.get("activation") == "tanh":
                x = np.tanh(x)
    return x


@pytest.mark.parametrize("batch", [1, 5])
@pytest.mark.parametrize("bias", [False, True])
def test_forward_pass_matches_a_reference(batch, bias):
    rng = np.random.default_rng(batch)
    ops, arrays = tiny_ops(rng, bias=bias)
    generator = NumpyGenerator(ops, arrays)
    z = rng.standard_normal((batch, 6)).astype(np.float32)
    images = generator(z)
    assert images.shape == (batch, 8, 8, 1) and images.dtype == np.float32
    assert generator.output_shape == (8, 8, 1) and generator.latent_dim == 6
    np.testing.assert_allclose(images, reference_forward(ops, arrays, z), atol=1e-5)
    assert np.abs(images).max() <= 1
    np.testing.assert_array_equal(generator(z), images)  # reused buffers change nothing


def test_features_are_the_first_block():
    rng = np.random.default_rng(0)
    ops, arrays = tiny_ops(rng)
    generator = NumpyGenerator(ops, arrays)
    z = rng.standard_normal((3, 6)).astype(np.float32)
    features = generator.features(z)
    assert features.shape == (3, 16) and generator.feature_dim == 16
    np.testing.assert_allclose(features, reference_forward(ops[:3], arrays, z), atol=1e-5)


def test_render_uint8():
    rng = np.random.default_rng(0)
    generator = NumpyGenerator(*tiny_ops(rng))
    z = rng.standard_normal((2, 6)).astype(np.float32)
    pixels = generator.render_uint8(z)
    assert pixels.dtype == np.uint8 and pixels.shape == (2, 8, 8, 1)
    np.testing.assert_array_equal(pixels, np.rint((generator(z) + 1) * 127.5).astype(np.uint8))


def test_render_uint8_can_stop_between_layers():
    rng = np.random.default_rng(0)
    generator = NumpyGenerator(*tiny_ops(rng))
    z = rng.standard_normal((2, 6)).astype(np.float32)
    asked = []
    pixels = generator.render_uint8(z, should_stop=lambda: asked.append(1) or False)
    np.testing.assert_array_equal(pixels, generator.render_uint8(z))  # layer by layer, same
    layers = len(asked)
    assert layers >= 3  # asked before every layer
    asked.clear()
    assert generator.render_uint8(z, should_stop=lambda: asked.append(1) or len(asked) > 2) is None
    assert len(asked) == 3  # stopped before the third layer ran
    assert generator.render_uint8(z, should_stop=lambda: True) is None
    big = rng.standard_normal((150, 6)).astype(np.float32)  # in chunks: each is asked
    asked.clear()
    assert generator.render_uint8(big, should_stop=lambda: asked.append(1) or False).shape == \
        (150, 8, 8, 1)
    assert len(asked) == 3 * layers
    asked.clear()
    assert generator.render_uint8(big, should_stop=lambda: asked.append(1) or
                                  len(asked) > layers) is None  # the second chunk stops
    np.testing.assert_array_equal(generator.render_uint8(z), pixels)  # no buffer left stale


def test_round_trips_through_arrays_and_npz(tmp_path):
    rng = np.random.default_rng(0)
    generator = NumpyGenerator(*tiny_ops(rng, bias=True))
    z = rng.standard_normal((4, 6)).astype(np.float32)
    arrays = generator.to_arrays()
    assert OPS_KEY in arrays and all(isinstance(v, np.ndarray) for v in arrays.values())
    np.testing.assert_array_equal(NumpyGenerator.from_arrays(arrays)(z), generator(z))
    path = tmp_path / "generator.npz"
    generator.save(path)
    loaded = NumpyGenerator.load(path)
    np.testing.assert_array_equal(loaded(z), generator(z))
    assert loaded.ops == generator.ops


def test_large_batches_run_in_chunks():
    rng = np.random.default_rng(0)
    generator = NumpyGenerator(*tiny_ops(rng))
    z = rng.standard_normal((150, 6)).astype(np.float32)
    images = generator(z)
    assert images.shape == (150, 8, 8, 1)
    np.testing.assert_allclose(images[140:], generator(z[140:]), atol=1e-6)


def test_threads_do_not_share_scratch_buffers():
    rng = np.random.default_rng(0)
    generator = NumpyGenerator(*tiny_ops(rng))
    latents = [rng.standard_normal((1, 6)).astype(np.float32) for _ in range(4)]
    expected = [generator(z) for z in latents]
    failures = []

    def render(z, want):
        for _ in range(200):
            if not np.array_equal(generator(z), want):
                failures.append(1)

    threads = [threading.Thread(target=render, args=pair) for pair in zip(latents, expected)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures


def test_batchnorm_that_cannot_be_folded():
    rng = np.random.default_rng(0)
    ops, arrays = tiny_ops(rng)
    ops[1], ops[2] = ops[2], ops[1]  # activation first, then BN: applied on its own
    generator = NumpyGenerator(ops, arrays)
    z = rng.standard_normal((2, 6)).astype(np.float32)
    np.testing.assert_allclose(generator(z), reference_forward(ops, arrays, z), atol=1e-5)


@pytest.mark.parametrize("change", [
    lambda ops, arrays: arrays.pop("k1"),
    lambda ops, arrays: ops.insert(0, {"op": "tanh"}),
    lambda ops, arrays: ops.append({"op": "softmax"}),
    lambda ops, arrays: ops[3].update(shape=[3, 3, 4]),
    lambda ops, arrays: arrays.update(k1=np.zeros((5, 5, 3, 7), np.float32)),
    lambda ops, arrays: ops[4].update(padding="full"),
    lambda ops, arrays: ops[4].update(activation="swish"),
    lambda ops, arrays: ops.__delitem__(slice(3, None)),  # ends in (16,), not an image
    lambda ops, arrays: ops[1].update(mean="nowhere"),
])
def test_malformed_op_lists_are_refused(change):
    rng = np.random.default_rng(0)
    ops, arrays = tiny_ops(rng)
    change(ops, arrays)
    with pytest.raises(ValueError):
        NumpyGenerator(ops, arrays)


def test_corrupt_op_json_is_refused():
    rng = np.random.default_rng(0)
    arrays = NumpyGenerator(*tiny_ops(rng)).to_arrays()
    arrays[OPS_KEY] = np.array("[{not json")
    with pytest.raises(ValueError):
        NumpyGenerator.from_arrays(arrays)
    del arrays[OPS_KEY]
    with pytest.raises(ValueError):
        NumpyGenerator.from_arrays(arrays)


def test_wrong_latent_shape_is_refused():
    generator = NumpyGenerator(*tiny_ops(np.random.default_rng(0)))
    with pytest.raises(ValueError):
        generator(np.zeros((1, 7), np.float32))
    with pytest.raises(ValueError):
        generator(np.zeros(6, np.float32))


def conditional_ops(rng, latent=6, classes=4, embedding=3):
    """`tiny_ops` with a class embedding (classes, embedding) on the first dense op."""
    ops, arrays = tiny_ops(rng, latent=latent + embedding, bias=True)
    arrays["emb"] = rng.standard_normal((classes, embedding)).astype(np.float32)
    ops[0]["class_embedding"] = "emb"
    return ops, arrays


def conditional_reference(ops, arrays, z, weights):
    """The definition: concat(z, weights @ table) through the ops (rows of `weights` (N, K))."""
    return reference_forward(ops, arrays, np.concatenate([z, weights @ arrays["emb"]], axis=1))


def test_conditional_forward_pass_matches_a_reference():
    rng = np.random.default_rng(0)
    ops, arrays = conditional_ops(rng)
    generator = NumpyGenerator(ops, arrays)
    assert generator.num_classes == 4 and generator.latent_dim == 6
    z = rng.standard_normal((4, 6)).astype(np.float32)
    classes = np.array([0, 1, 2, 3])
    expected = conditional_reference(ops, arrays, z, np.eye(4)[classes])
    np.testing.assert_allclose(generator(z, classes=classes), expected, atol=1e-5)
    np.testing.assert_allclose(generator(z, classes=np.eye(4, dtype=np.float32)), expected,
                               atol=1e-5)  # one-hot weights are the classes themselves
    np.testing.assert_allclose(generator(z[:2], classes=2),  # one int for the whole batch
                               conditional_reference(ops, arrays, z[:2], np.eye(4)[[2, 2]]),
                               atol=1e-5)
    features = generator.features(z, classes=classes)
    np.testing.assert_allclose(features, conditional_reference(ops[:3], arrays, z,
                                                               np.eye(4)[classes]), atol=1e-5)
    assert not np.allclose(generator(z, classes=np.zeros(4, int)), generator(z, classes=classes))


def test_blended_class_weights_interpolate_the_embeddings():
    rng = np.random.default_rng(1)
    ops, arrays = conditional_ops(rng)
    generator = NumpyGenerator(ops, arrays)
    z = np.repeat(rng.standard_normal((1, 6)).astype(np.float32), 5, axis=0)
    t = np.linspace(0, 1, 5, dtype=np.float32)
    weights = np.zeros((5, 4), np.float32)
    weights[:, 1], weights[:, 3] = 1 - t, t
    images = generator(z, classes=weights)
    np.testing.assert_allclose(images, conditional_reference(ops, arrays, z, weights), atol=1e-5)
    np.testing.assert_allclose(images[0], generator(z[:1], classes=[1])[0], atol=1e-5)
    np.testing.assert_allclose(images[-1], generator(z[:1], classes=[3])[0], atol=1e-5)
    assert len({images[i].tobytes() for i in range(5)}) == 5  # every step is another image
    assert generator.render_uint8(z, classes=weights).shape == (5, 8, 8, 1)


def test_conditional_round_trips_through_npz(tmp_path):
    rng = np.random.default_rng(2)
    generator = NumpyGenerator(*conditional_ops(rng))
    path = tmp_path / "conditional.npz"
    generator.save(path)
    loaded = NumpyGenerator.load(path)
    assert loaded.num_classes == 4 and loaded.latent_dim == 6 and loaded.ops == generator.ops
    z = rng.standard_normal((70, 6)).astype(np.float32)  # more than a chunk
    classes = np.arange(70) % 4
    np.testing.assert_array_equal(loaded(z, classes=classes), generator(z, classes=classes))
    np.testing.assert_allclose(generator(z, classes=classes)[65:],
                               generator(z[65:], classes=classes[65:]), atol=1e-6)


@pytest.mark.parametrize("classes", [
    None, np.array([0, 4]), np.array([-1, 0]), np.array([0]), np.zeros((2, 3), np.float32),
    np.array([0.0, 1.0]), np.array(["a", "b"]), np.full((2, 4), np.nan, np.float32),
])
def test_conditional_generators_refuse_bad_classes(classes):
    rng = np.random.default_rng(3)
    generator = NumpyGenerator(*conditional_ops(rng))
    with pytest.raises(ValueError):
        generator(np.zeros((2, 6), np.float32), classes=classes)


def test_unconditional_generators_refuse_classes():
    generator = NumpyGenerator(*tiny_ops(np.random.default_rng(0)))
    assert generator.num_classes == 0
    with pytest.raises(ValueError, match="not class-conditional"):
        generator(np.zeros((1, 6), np.float32), classes=np.array([0]))
    with pytest.raises(ValueError):
        generator.features(np.zeros((1, 6), np.float32), classes=0)


@pytest.mark.parametrize("change", [
    lambda ops, arrays: arrays.update(emb=np.zeros((4, 20), np.float32)),  # too wide
    lambda ops, arrays: arrays.update(emb=np.zeros(3, np.float32)),
    lambda ops, arrays: ops[0].update(class_embedding="nowhere"),
])
def test_malformed_class_embeddings_are_refused(change):
    ops, arrays = conditional_ops(np.random.default_rng(0))
    change(ops, arrays)
    with pytest.raises(ValueError):
        NumpyGenerator(ops, arrays)

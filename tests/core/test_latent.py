import numpy as np
import pytest

from gan_studio.core.latent.directions import (
    LatentDirections,
    apply_directions,
    directions_from_features,
    pca,
)
from gan_studio.core.latent.space import (
    keyframe_path,
    lerp,
    random_latent,
    random_latents,
    sample_grid_latents,
    slerp,
    truncate,
)


def _pair(dim=64, seed=0, same_norm=True):
    a, b = random_latents(2, dim, seed)
    if same_norm:
        b = b * (np.linalg.norm(a) / np.linalg.norm(b))
    return a.astype(np.float32), b.astype(np.float32)


def test_slerp_endpoints_are_exact():
    a, b = _pair(same_norm=False)
    path = slerp(a, b, np.linspace(0, 1, 7))
    assert np.array_equal(path[0], a) and np.array_equal(path[-1], b)
    assert np.array_equal(slerp(a, b, 0.0), a) and np.array_equal(slerp(a, b, 1.0), b)


def test_lerp_endpoints_are_exact():
    a, b = _pair(same_norm=False)
    path = lerp(a, b, [0.0, 1.0])
    assert np.array_equal(path[0], a) and np.array_equal(path[1], b)


def test_slerp_preserves_the_norm_of_same_norm_inputs():
    a, b = _pair()
    norms = np.linalg.norm(slerp(a, b, np.linspace(0, 1, 11)), axis=1)
    np.testing.assert_allclose(norms, np.linalg.norm(a), rtol=1e-5)


def test_lerp_shrinks_the_norm_at_the_midpoint():
    a, b = _pair()
    assert np.linalg.norm(lerp(a, b, 0.5)) < 0.9 * np.linalg.norm(a)
    assert np.linalg.norm(slerp(a, b, 0.5)) == pytest.approx(np.linalg.norm(a), rel=1e-5)


@pytest.mark.parametrize("interpolate", [lerp, slerp])
def test_batch_shapes_and_dtype(interpolate):
    a, b = _pair(dim=10)
    assert interpolate(a, b, np.linspace(0, 1, 5)).shape == (5, 10)
    assert interpolate(a, b, [0.25]).shape == (1, 10)
    single = interpolate(a, b, 0.3)
    assert single.shape == (10,) and single.dtype == np.float32
    np.testing.assert_allclose(interpolate(a, b, [0.3])[0], single, rtol=1e-6)


def test_slerp_moves_along_the_arc_at_constant_speed():
    a, b = np.array([1.0, 0.0], np.float32), np.array([0.0, 1.0], np.float32)
    mid = slerp(a, b, 0.5)
    np.testing.assert_allclose(mid, [np.sqrt(0.5), np.sqrt(0.5)], rtol=1e-6)


@pytest.mark.parametrize("factor", [2.0, -1.0])
def test_slerp_falls_back_to_lerp_for_parallel_vectors(factor):
    a = np.array([1.0, 2.0, 3.0], np.float32)
    b = factor * a
    t = np.linspace(0, 1, 5)
    np.testing.assert_allclose(slerp(a, b, t), lerp(a, b, t))
    assert np.all(np.isfinite(slerp(a, np.zeros(3, np.float32), t)))


def test_interpolation_rejects_mismatched_vectors():
    with pytest.raises(ValueError):
        slerp(np.zeros(3), np.zeros(4), 0.5)


def test_truncation():
    z = random_latents(4, 8, seed=1)
    mean = np.full(8, 0.5, np.float32)
    np.testing.assert_array_equal(truncate(z, 0.0, mean), np.broadcast_to(mean, z.shape))
    np.testing.assert_array_equal(truncate(z, 1.0, mean), z)
    np.testing.assert_array_equal(truncate(z, 0.0), np.zeros_like(z))
    np.testing.assert_allclose(truncate(z, 0.5), z / 2)
    np.testing.assert_allclose(truncate(z[0], 0.5, mean), mean + 0.5 * (z[0] - mean), rtol=1e-6)


def test_random_latents_are_reproducible_standard_normal():
    z = random_latents(5000, 16, seed=3)
    assert z.dtype == np.float32 and z.shape == (5000, 16)
    np.testing.assert_array_equal(z, random_latents(5000, 16, seed=3))
    assert not np.array_equal(z, random_latents(5000, 16, seed=4))
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    one = random_latent(16, seed=3)
    assert one.shape == (16,) and one.dtype == np.float32
    np.testing.assert_array_equal(one, z[0])


def test_sample_grid_latents_are_the_runs_float64_draw():
    latents = sample_grid_latents(7, 9, 100)
    assert latents.dtype == np.float32 and latents.shape == (9, 100)
    expected = np.random.default_rng(7).standard_normal((9, 100)).astype("float32")
    np.testing.assert_array_equal(latents, expected)  # what every saved run was trained with
    assert not np.array_equal(latents, random_latents(9, 100, 7))  # not the float32 draw


def test_keyframe_path():
    keys = random_latents(3, 6, seed=0)
    path = keyframe_path(keys, 4)
    assert path.shape == (2 * 4 + 1, 6) and path.dtype == np.float32
    np.testing.assert_array_equal(path[[0, 4, 8]], keys)
    looped = keyframe_path(keys, 4, mode="lerp", loop=True)
    assert looped.shape == (3 * 4, 6)
    np.testing.assert_array_equal(looped[[0, 4, 8]], keys)
    np.testing.assert_allclose(looped[10], lerp(keys[2], keys[0], 0.5), rtol=1e-6)
    assert keyframe_path(keys[:1], 4).shape == (1, 6)
    with pytest.raises(ValueError):
        keyframe_path(keys, 4, mode="cubic")


def _anisotropic(n=500, d=12, seed=0):
    rng = np.random.default_rng(seed)
    scales = np.geomspace(8, 0.1, d)
    basis, _ = np.linalg.qr(rng.standard_normal((d, d)))
    return (rng.standard_normal((n, d)) * scales) @ basis.T + 3.0, basis.T


@pytest.mark.parametrize("shape,k", [((500, 12), 4), ((300, 400), 5)])
def test_pca_components_are_orthonormal_and_ordered(shape, k):
    rng = np.random.default_rng(1)
    n, d = shape
    x = (rng.standard_normal((n, d)) * np.linspace(4, 0.1, d)).astype(np.float32)
    components, variance, ratio, mean = pca(x, k)  # the large case takes the randomized path
    assert components.shape == (k, d)
    np.testing.assert_allclose(components @ components.T, np.eye(k), atol=1e-5)
    assert np.all(np.diff(variance) <= 0) and np.all(ratio > 0) and ratio.sum() <= 1
    exact = np.linalg.svd(x - x.mean(0), full_matrices=False)[1][:k] ** 2 / (n - 1)
    np.testing.assert_allclose(variance, exact, rtol=1e-2)
    np.testing.assert_allclose(mean, x.mean(0), atol=1e-5)


def test_pca_finds_the_planted_axes():
    x, basis = _anisotropic()
    result = pca(x, 3)
    for i in range(3):
        assert abs(result.components[i] @ basis[i]) > 0.99
    assert result.explained_ratio[0] > result.explained_ratio[1]


def test_ganspace_recovers_a_planted_direction():
    rng = np.random.default_rng(0)
    n, latent, width = 2000, 16, 200
    z = rng.standard_normal((n, latent)).astype(np.float32)
    planted = rng.standard_normal(latent)
    planted /= np.linalg.norm(planted)
    feature_axis = rng.standard_normal(width)
    feature_axis /= np.linalg.norm(feature_axis)
    # Features: a weak random linear map of z plus one strong mode driven by z along `planted`.
    features = z @ (0.05 * rng.standard_normal((latent, width))) \
        + 10.0 * np.outer(z @ planted, feature_axis)
    directions = directions_from_features(z, features.astype(np.float32), k=3)
    assert isinstance(directions, LatentDirections)
    assert directions.vectors.shape == (3, latent) and directions.vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(directions.vectors, axis=1), 1, rtol=1e-5)
    assert abs(directions.vectors[0] @ planted) > 0.99
    assert directions.explained_ratio[0] > 0.9
    assert directions.sigmas[0] == pytest.approx(1.0, abs=0.05)  # z ~ N(0, I) along any unit u


def test_apply_directions():
    directions = LatentDirections(np.eye(3, 4, dtype=np.float32),
                                  np.array([1.0, 2.0, 0.5], np.float32),
                                  np.array([0.5, 0.3, 0.1], np.float32))
    z = np.zeros(4, np.float32)
    np.testing.assert_allclose(apply_directions(z, directions, [1.0, 1.0, 2.0]), [1, 2, 1, 0])
    np.testing.assert_allclose(apply_directions(z, directions, [0.0, -1.0]), [0, -2, 0, 0])
    batch = apply_directions(np.zeros((2, 4), np.float32), directions, [[1, 0, 0], [0, 0, 1]])
    np.testing.assert_allclose(batch, [[1, 0, 0, 0], [0, 0, 0.5, 0]])
    with pytest.raises(ValueError):
        apply_directions(z, directions, np.zeros(4))


def test_class_choice_weights_and_blends():
    from gan_studio.core.latent.classes import ClassChoice

    choice = ClassChoice(4, first=1)
    np.testing.assert_array_equal(choice.weights(), [0, 1, 0, 0])
    assert not choice.blended and choice.describe(["a", "b", "c", "d"]) == "b"
    blend = choice.replace(second=3, blend=0.25)
    np.testing.assert_allclose(blend.weights(), [0, 0.75, 0, 0.25])
    assert blend.blended and blend.describe(["a", "b", "c", "d"]) == "b → d (25%)"
    assert blend.rows(3).shape == (3, 4) and np.allclose(blend.rows(3).sum(axis=1), 1)
    np.testing.assert_array_equal(ClassChoice(3, 2, 2, 0.5).weights(), [0, 0, 1])  # one class
    for bad in ({"num_classes": 0}, {"num_classes": 3, "first": 3},
                {"num_classes": 3, "second": -1}, {"num_classes": 3, "blend": 1.5}):
        with pytest.raises(ValueError):
            ClassChoice(**bad)


def test_class_labels_fill_in_missing_names():
    from gan_studio.core.latent.classes import class_labels

    assert class_labels(["cat", "", 7, " dog "], 5) == ["cat", "Class 1", "Class 2", "dog",
                                                      "Class 4"]
    assert class_labels(["a", "b", "c"], 2) == ["a", "b"]


def test_bookmarks_keep_their_class():
    from gan_studio.core.latent.bookmarks import Bookmarks
    from gan_studio.core.latent.classes import ClassChoice

    marks = Bookmarks()
    key = marks.add("a", np.zeros(4), ClassChoice(3, first=2))
    plain = marks.add("b", np.ones(4))
    marks.rename(key, "renamed")
    first, second = list(marks)
    assert first.name == "renamed" and first.classes == ClassChoice(3, first=2)
    assert second.key == plain and second.classes is None


def test_a_conditional_grid_has_one_row_per_class():
    from gan_studio.core.latent.space import (
        MAX_CLASS_ROWS,
        sample_grid_labels,
        sample_grid_shape,
    )

    assert sample_grid_shape(8) == (8, 8) and sample_grid_labels(8) is None
    assert sample_grid_shape(3, num_classes=10) == (10, 3)
    assert sample_grid_shape(4, num_classes=100) == (MAX_CLASS_ROWS, 4)
    labels = sample_grid_labels(3, num_classes=4)
    assert labels.dtype == np.int32 and list(labels) == [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3]

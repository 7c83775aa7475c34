import numpy as np
import pytest

from gan_studio.core.quality.statistics import (
    class_accuracy,
    class_diversity,
    class_spread,
    classifier_score,
    diversity,
    feature_stats,
    frechet_distance,
    kernel_distance,
    mean_pairwise_distance,
)


def test_frechet_distance_of_identical_sets_is_zero_and_grows_with_shift():
    x = np.random.default_rng(0).standard_normal((2000, 5))
    stats = feature_stats(x)
    assert abs(frechet_distance(*stats, *stats)) < 1e-8
    shifted = feature_stats(x + 3.0)
    assert abs(frechet_distance(*stats, *shifted) - 5 * 9.0) < 1e-6


def test_frechet_distance_matches_closed_form_for_diagonal_covariances():
    s1, s2 = np.diag([1.0, 4.0]), np.diag([9.0, 1.0])
    # Tr(S1 + S2 - 2 sqrt(S1 S2)) = (1 + 9 - 6) + (4 + 1 - 4)
    assert abs(frechet_distance(np.zeros(2), s1, np.zeros(2), s2) - 5.0) < 1e-9


def test_classifier_score_bounds():
    assert abs(classifier_score(np.full((10, 10), 0.1)) - 1.0) < 1e-6
    assert abs(classifier_score(np.eye(10)) - 10.0) < 1e-4


def test_frechet_distance_of_known_gaussians_is_the_squared_shift():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((20000, 4))
    shift = np.array([1.0, -2.0, 0.5, 0.0])
    value = frechet_distance(*feature_stats(x), *feature_stats(x + shift))
    assert abs(value - shift @ shift) < 1e-6


def test_kernel_distance_is_unbiased_on_identical_distributions():
    rng = np.random.default_rng(2)
    a, b = rng.standard_normal((3000, 8)), rng.standard_normal((3000, 8))
    mean, error = kernel_distance(a, b, subsets=40, subset_size=300)
    assert abs(mean) < 3 * error + 1e-4  # zero within its error bar, not biased upwards
    far, far_error = kernel_distance(a + 2.0, b, subsets=10, subset_size=300)
    assert far > 10 * far_error and far > 100 * abs(mean)
    with pytest.raises(ValueError):
        kernel_distance(a[:1], b)


def test_class_spread_and_diversity():
    uniform = np.eye(10)[np.arange(1000) % 10]
    assert class_spread(uniform) == (0.1, 0.1)
    assert class_spread(np.eye(10)[np.zeros(50, int)]) == (0.0, 1.0)
    rng = np.random.default_rng(3)
    real = rng.standard_normal((500, 16))
    assert abs(diversity(rng.standard_normal((500, 16)), real) - 1) < 0.1
    assert diversity(np.ones((500, 16)), real) == 0.0
    assert mean_pairwise_distance(np.zeros((1, 3))) == 0.0


def _classes_of(rng, centres, per_class, spread):
    """Features drawn around each class's centre: (features, labels)."""
    labels = np.repeat(np.arange(len(centres)), per_class)
    return centres[labels] + spread * rng.standard_normal((len(labels), centres.shape[1])), labels


def test_class_diversity_is_low_for_a_collapsed_class_and_near_one_for_varied_ones():
    rng = np.random.default_rng(4)
    centres = 10 * rng.standard_normal((3, 16))
    real, real_labels = _classes_of(rng, centres, 400, 1.0)
    made, labels = _classes_of(rng, centres, 300, 1.0)
    made[labels == 1] = made[labels == 1][0]  # class 1: one image, whatever the noise
    ratios = class_diversity(made, labels, real, real_labels, 3)
    assert ratios.shape == (3,)
    assert ratios[1] == 0.0
    assert abs(ratios[0] - 1) < 0.1 and abs(ratios[2] - 1) < 0.1
    # The distances between classes do not count: the overall diversity misses this collapse.
    assert diversity(made, real) > 0.9


def test_class_diversity_is_relative_to_each_class_of_real_images():
    rng = np.random.default_rng(5)
    centres = 10 * rng.standard_normal((2, 8))
    real, real_labels = _classes_of(rng, centres, 400, 1.0)
    real[real_labels == 1] = centres[1] + 3 * rng.standard_normal(((real_labels == 1).sum(), 8))
    made, labels = _classes_of(rng, centres, 400, 1.0)  # class 1 as narrow as class 0
    ratios = class_diversity(made, labels, real, real_labels, 2)
    assert abs(ratios[0] - 1) < 0.1 and abs(ratios[1] - 1 / 3) < 0.05


def test_class_diversity_is_nan_where_a_class_is_too_small_to_tell():
    rng = np.random.default_rng(6)
    real, made = rng.standard_normal((20, 4)), rng.standard_normal((20, 4))
    labels = np.array([0] * 19 + [1])
    ratios = class_diversity(made, labels, real, np.zeros(20, int), 3)
    assert np.isfinite(ratios[0]) and np.isnan(ratios[1]) and np.isnan(ratios[2])


def test_class_accuracy_counts_the_class_asked_for():
    labels = np.array([0, 0, 1, 1, 1, 1])
    probabilities = np.eye(3)[[0, 1, 1, 1, 2, 1]]
    np.testing.assert_allclose(class_accuracy(probabilities, labels, 3)[:2], [0.5, 0.75])
    assert np.isnan(class_accuracy(probabilities, labels, 3)[2])

import numpy as np

from gan_studio.core.metrics import classifier_score, feature_stats, frechet_distance


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

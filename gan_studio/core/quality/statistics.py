"""Sample-quality statistics from a feature network's outputs (numpy only).

The features come from a small network trained on the data set itself (`ml/quality`), not from
Inception: the distance is "FD (data-set features)", never FID, and its numbers are comparable
only between runs scored with the same feature network.
"""

from __future__ import annotations

import numpy as np

KID_SUBSETS = 50
KID_SUBSET_SIZE = 1000
DIVERSITY_PAIRS = 4000


def feature_stats(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Returns the mean and covariance of (N, D) features, in float64."""
    features = np.asarray(features, dtype=np.float64)
    return features.mean(axis=0), np.cov(features, rowvar=False)


def _sqrt_psd(matrix: np.ndarray) -> np.ndarray:
    values, vectors = np.linalg.eigh((matrix + matrix.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray,
                     sigma2: np.ndarray) -> float:
    """Fréchet distance between two Gaussians: |mu1-mu2|² + Tr(S1 + S2 - 2 (S1 S2)^½).

    Tr((S1 S2)^½) is computed as Tr((S1^½ S2 S1^½)^½), whose argument is symmetric positive
    semi-definite, so no complex square roots arise.
    """
    root1 = _sqrt_psd(sigma1)
    cross = _sqrt_psd(root1 @ sigma2 @ root1)
    diff = np.asarray(mu1) - np.asarray(mu2)
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * np.trace(cross))


def _polynomial_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² with the cubic kernel k(a, b) = (a·b / d + 1)³ (Bińkowski et al. 2018)."""
    d = x.shape[1]
    kxx = (x @ x.T / d + 1) ** 3
    kyy = (y @ y.T / d + 1) ** 3
    kxy = (x @ y.T / d + 1) ** 3
    m, n = len(x), len(y)
    # The diagonals pair each sample with itself; leaving them out makes the estimate unbiased.
    xx = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    yy = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(xx + yy - 2 * kxy.mean())


def kernel_distance(features: np.ndarray, reference: np.ndarray, subsets: int = KID_SUBSETS,
                    subset_size: int = KID_SUBSET_SIZE, seed: int = 0) -> tuple[float, float]:
    """Kernel distance (KID's estimator, in data-set features): unbiased MMD² and its error.

    Unlike the Fréchet distance, its estimate has no bias that depends on the sample count, so
    small evaluations stay comparable with large ones.

    Args:
        features: (N, D) features of generated images.
        reference: (M, D) features of real images.
        subsets: how many random subsets the estimate averages.
        subset_size: samples per subset (capped by N and M).
        seed: seeds the subset draws.

    Returns:
        (mean, standard error of the mean) over the subsets; the mean may be slightly negative
        for two samples of one distribution (it is unbiased, not clipped).

    Raises:
        ValueError: if either set has fewer than 2 samples.
    """
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(reference, dtype=np.float64)
    size = min(subset_size, len(x), len(y))
    if size < 2:
        raise ValueError(f"the kernel distance needs 2 samples or more per set, got {size}")
    rng = np.random.default_rng(seed)
    values = np.array([
        _polynomial_mmd2(x[rng.choice(len(x), size, replace=False)],
                         y[rng.choice(len(y), size, replace=False)])
        for _ in range(max(1, subsets))])
    error = values.std(ddof=1) / np.sqrt(len(values)) if len(values) > 1 else 0.0
    return float(values.mean()), float(error)


def classifier_score(probabilities: np.ndarray, eps: float = 1e-12) -> float:
    """exp(E_x KL(p(y|x) || p(y))): an Inception-Score analogue for any classifier's softmax.

    It is 1 when every sample gets the same class distribution and reaches the number of
    classes when samples are confidently classified and spread evenly over the classes.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    marginal = p.mean(axis=0, keepdims=True)
    kl = (p * (np.log(p + eps) - np.log(marginal + eps))).sum(axis=1)
    return float(np.exp(kl.mean()))


def class_spread(probabilities: np.ndarray) -> tuple[float, float]:
    """The shares of the rarest and the commonest predicted class among the samples.

    A generator that covers every class evenly gives both near 1/classes; one that draws a
    single class gives (0, 1).

    Args:
        probabilities: (N, classes) softmax outputs.

    Returns:
        (rarest share, commonest share), each in [0, 1].
    """
    p = np.asarray(probabilities)
    counts = np.bincount(p.argmax(axis=1), minlength=p.shape[1])
    shares = counts / max(1, counts.sum())
    return float(shares.min()), float(shares.max())


def mean_pairwise_distance(features: np.ndarray, pairs: int = DIVERSITY_PAIRS,
                           seed: int = 0) -> float:
    """The mean Euclidean distance between random pairs of distinct samples."""
    x = np.asarray(features, dtype=np.float64)
    if len(x) < 2:
        return 0.0
    rng = np.random.default_rng(seed)
    a = rng.integers(0, len(x), pairs)
    b = (a + rng.integers(1, len(x), pairs)) % len(x)  # never a sample paired with itself
    return float(np.linalg.norm(x[a] - x[b], axis=1).mean())


def diversity(features: np.ndarray, reference: np.ndarray, seed: int = 0) -> float:
    """How spread out generated samples are, relative to real ones (1: as diverse as real).

    The mean pairwise feature distance of the generated samples divided by that of real
    images; a collapsed generator (the same few images again and again) scores near 0.
    """
    real = mean_pairwise_distance(reference, seed=seed)
    return mean_pairwise_distance(features, seed=seed) / real if real > 0 else 0.0


def class_accuracy(probabilities: np.ndarray, labels: np.ndarray, classes: int) -> np.ndarray:
    """The share of each class's samples that a classifier puts in the class they were asked for.

    Args:
        probabilities: (N, classes) softmax outputs of the data set's classifier.
        labels: int (N,), the class each sample was drawn for.
        classes: the number of classes.

    Returns:
        float64 (classes,): each class's share (NaN for a class with no samples).
    """
    labels = np.asarray(labels, dtype=np.int64)
    hits = np.argmax(np.asarray(probabilities), axis=-1) == labels
    counts = np.bincount(labels, minlength=classes).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.bincount(labels, weights=hits, minlength=classes) / counts


def class_diversity(features: np.ndarray, labels: np.ndarray, reference: np.ndarray,
                    reference_labels: np.ndarray, classes: int, seed: int = 0) -> np.ndarray:
    """How varied a conditional generator's samples are within each class, relative to real ones.

    For class c: the mean pairwise feature distance among the samples drawn for c, divided by
    the same among the real images of c (`mean_pairwise_distance`, the measure `diversity`
    takes over all samples). 1: the class's samples vary as much as its real images; near 0:
    the noise does nothing, and each class is one image drawn again and again. Unlike
    `diversity`, the distances between classes do not count, so a generator that draws every
    class but one image per class scores low here and not there.

    Args:
        features: (N, D) features of generated images.
        labels: int (N,), the class each was drawn for.
        reference: (M, D) features of real images.
        reference_labels: int (M,), their classes.
        classes: the number of classes.
        seed: seeds the pairs drawn.

    Returns:
        float64 (classes,): the ratio per class; NaN where either side has fewer than 2
        images of the class, or its real images do not vary.
    """
    features, reference = np.asarray(features), np.asarray(reference)
    labels = np.asarray(labels, dtype=np.int64)
    reference_labels = np.asarray(reference_labels, dtype=np.int64)
    ratios = np.full(classes, np.nan)
    for c in range(classes):
        made, real = features[labels == c], reference[reference_labels == c]
        if len(made) < 2 or len(real) < 2:
            continue
        spread = mean_pairwise_distance(real, seed=seed)
        if spread > 0:
            ratios[c] = mean_pairwise_distance(made, seed=seed) / spread
    return ratios

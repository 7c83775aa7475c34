"""Sample-quality statistics computed from classifier outputs (numpy only)."""

from __future__ import annotations

import numpy as np


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


def classifier_score(probabilities: np.ndarray, eps: float = 1e-12) -> float:
    """exp(E_x KL(p(y|x) || p(y))): an Inception-Score analogue for any classifier's softmax.

    It is 1 when every sample gets the same class distribution and reaches the number of
    classes when samples are confidently classified and spread evenly over the classes.
    """
    p = np.asarray(probabilities, dtype=np.float64)
    marginal = p.mean(axis=0, keepdims=True)
    kl = (p * (np.log(p + eps) - np.log(marginal + eps))).sum(axis=1)
    return float(np.exp(kl.mean()))

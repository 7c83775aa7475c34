"""Directions in a generator's latent space: GANSpace (principal directions of its features,
found by a randomized PCA; see also `core.latent.sefa` for the closed form), and latents moved
along them (numpy only, like the rest of `core.latent`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np


class PCA(NamedTuple):
    """Principal components (a tuple, so it unpacks as `components, variance, ratio, mean`).

    Attributes:
        components: (k, D) orthonormal rows, by decreasing variance.
        explained_variance: (k,) variance of the data along each component.
        explained_ratio: (k,) that variance as a fraction of the data's total variance.
        mean: (D,) the mean the data was centred on.
    """

    components: np.ndarray
    explained_variance: np.ndarray
    explained_ratio: np.ndarray
    mean: np.ndarray


def pca(x, k: int, seed: int = 0) -> PCA:
    """Principal component analysis of the rows of `x`.

    Small problems use an exact SVD. When `k` is far below the data's rank (GANSpace wants
    ~20 components of ~10^4-wide features) a randomized SVD (Halko et al. 2011, with power
    iterations) finds the leading components at a fraction of the cost.

    Args:
        x: data (N, D), N >= 2.
        k: number of components, 1 <= k <= min(N, D).
        seed: seed of the randomized SVD's test matrix.

    Returns:
        A `PCA`; each component's sign makes its largest-magnitude entry positive, so results
        are reproducible.

    Raises:
        ValueError: if `x` is not 2-D with at least two rows, or `k` is out of range.
    """
    x = np.asarray(x)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"expected data (N >= 2, D), got shape {x.shape}")
    n, d = x.shape
    if not 1 <= k <= min(n, d):
        raise ValueError(f"k must be in [1, {min(n, d)}], got {k}")
    dtype = np.result_type(x.dtype, np.float32)
    mean = x.mean(axis=0, dtype=np.float64)
    centred = (x - mean).astype(dtype)
    if 2 * k + 20 < min(n, d) // 2:
        singular, vt = _randomized_svd(centred, k, seed)
    else:
        _, singular, vt = np.linalg.svd(centred, full_matrices=False)
        singular, vt = singular[:k], vt[:k]
    vt = vt * np.where(_largest_entry(vt) < 0, -1, 1)[:, None].astype(vt.dtype)
    variance = singular.astype(np.float64) ** 2 / (n - 1)
    total = np.einsum("ij,ij->", centred, centred, dtype=np.float64) / (n - 1)
    ratio = variance / total if total > 0 else np.zeros_like(variance)
    return PCA(vt.astype(dtype), variance.astype(dtype), ratio.astype(dtype), mean.astype(dtype))


def _largest_entry(rows: np.ndarray) -> np.ndarray:
    return rows[np.arange(len(rows)), np.argmax(np.abs(rows), axis=1)]


def _randomized_svd(x: np.ndarray, k: int, seed: int, oversample: int | None = None,
                    power_iterations: int = 7) -> tuple[np.ndarray, np.ndarray]:
    # Generous oversampling and power iterations: the variances stay within ~0.1% even for
    # the flat spectra of noise-like features, at a few passes over the data.
    oversample = max(20, k) if oversample is None else oversample
    rng = np.random.default_rng(seed)
    q = x @ rng.standard_normal((x.shape[1], k + oversample)).astype(x.dtype)
    q, _ = np.linalg.qr(q)
    for _ in range(power_iterations):  # re-orthonormalised each time: float32 stays stable
        q, _ = np.linalg.qr(x.T @ q)
        q, _ = np.linalg.qr(x @ q)
    _, singular, vt = np.linalg.svd(q.T @ x, full_matrices=False)
    return singular[:k], vt[:k]


GANSPACE, SEFA = "ganspace", "sefa"  # how directions were found
METHOD_LABELS = {GANSPACE: "PCA of activations (GANSpace)", SEFA: "Closed form (SeFa)"}


@dataclass(frozen=True)
class LatentDirections:
    """Interpretable directions in latent space, strongest first.

    Attributes:
        vectors: (k, latent_dim) float32 unit rows.
        sigmas: (k,) standard deviation of the sampled latents along each direction: a natural
            unit for the explorer's sliders.
        explained_ratio: (k,) each direction's share: of the first-layer features' variance
            (GANSpace), or of the first layer's energy, its squared singular value (SeFa).
        method: GANSPACE or SEFA.
    """

    vectors: np.ndarray
    sigmas: np.ndarray
    explained_ratio: np.ndarray
    method: str = GANSPACE


def directions_from_features(z, features, k: int, seed: int = 0) -> LatentDirections:
    """GANSpace (Härkönen et al. 2020): latent directions behind an early layer's main modes.

    PCA finds the principal components of the generator's early features; each sample's
    coordinates on them are regressed onto its latent (least squares, `z ~= c @ U`), and the
    rows of `U` become the directions that move the features along each component.

    Args:
        z: sampled latents (N, latent_dim).
        features: the generator's features for those latents (N, F), e.g.
            `NumpyGenerator.features(z)`.
        k: number of directions.
        seed: seed of the PCA's randomized SVD.

    Returns:
        `LatentDirections`; a direction's sign follows its component's sign convention.

    Raises:
        ValueError: if `z` and `features` disagree on N, or `k` is out of range for the PCA.
    """
    z = np.asarray(z, dtype=np.float32)
    features = np.asarray(features)
    features = features.reshape(len(features), -1)
    if z.ndim != 2 or len(z) != len(features):
        raise ValueError(f"expected z (N, D) and features (N, F), got {z.shape}, "
                         f"{features.shape}")
    result = pca(features, k, seed)
    coords = (features - result.mean) @ result.components.T
    u, *_ = np.linalg.lstsq(coords.astype(np.float64), z.astype(np.float64), rcond=None)
    norms = np.linalg.norm(u, axis=1, keepdims=True)
    u = u / np.where(norms > 0, norms, 1.0)
    sigmas = (z.astype(np.float64) @ u.T).std(axis=0)
    return LatentDirections(u.astype(np.float32), sigmas.astype(np.float32),
                            np.asarray(result.explained_ratio, np.float32))


def apply_directions(z, directions: LatentDirections, offsets_in_sigma) -> np.ndarray:
    """Moves latents along directions: `z + sum_i offset_i * sigma_i * vector_i`.

    Args:
        z: latents (D,) or (N, D).
        directions: from `directions_from_features`.
        offsets_in_sigma: (k,) or (N, k) slider positions in units of each direction's sigma;
            may hold fewer than k entries (the rest count as 0).

    Returns:
        A float32 array shaped like `z` (or broadcast against a batch of offsets).
    """
    z = np.asarray(z, dtype=np.float32)
    offsets = np.asarray(offsets_in_sigma, dtype=np.float32)
    used = offsets.shape[-1]
    if used > len(directions.vectors):
        raise ValueError(f"{used} offsets for {len(directions.vectors)} directions")
    step = (offsets * directions.sigmas[:used]) @ directions.vectors[:used]
    return (z + step).astype(np.float32)

"""Latent-space math for the explorer: sampling, interpolation, truncation, keyframe walks.

Everything here is numpy only, so the explorer can run it on any thread without TensorFlow.
Latent vectors are float32 rows; functions take a single vector (D,) or a batch (N, D).
"""

from __future__ import annotations

import numpy as np

# Below this sine of the angle between two latents, slerp's formula divides ~0 by ~0.
_PARALLEL_EPS = 1e-6


def _as_t(t) -> np.ndarray:
    return np.asarray(t, dtype=np.float64)


def _endpoints(a, b) -> tuple[np.ndarray, np.ndarray, np.dtype]:
    a, b = np.asarray(a), np.asarray(b)
    if a.ndim != 1 or a.shape != b.shape:
        raise ValueError(f"expected two vectors of the same length, got {a.shape} and {b.shape}")
    dtype = np.result_type(a.dtype, b.dtype, np.float32)
    return a.astype(np.float64), b.astype(np.float64), dtype


def lerp(a, b, t) -> np.ndarray:
    """Linear interpolation `(1 - t) a + t b`.

    Args:
        a: start vector (D,).
        b: end vector (D,).
        t: a scalar or a 1-D array of positions (0 gives `a`, 1 gives `b`).

    Returns:
        (D,) for a scalar `t`, else (len(t), D); float32 unless the inputs are float64.
    """
    a, b, dtype = _endpoints(a, b)
    t = _as_t(t)
    # This form (not a + t (b - a)) returns the endpoints exactly at t = 0 and t = 1.
    return ((1.0 - t)[..., None] * a + t[..., None] * b).astype(dtype)


def slerp(a, b, t, eps: float = _PARALLEL_EPS) -> np.ndarray:
    """Spherical interpolation along the great circle from `a` to `b` (White 2016).

    Gaussian latents live near a sphere of radius sqrt(D); lerp's midpoints fall inside it
    (where the generator saw little), slerp's stay on it when `|a| == |b|`.

    Args:
        a: start vector (D,).
        b: end vector (D,).
        t: a scalar or a 1-D array of positions; t = 0 and t = 1 return `a` and `b` exactly.
        eps: when the sine of the angle between `a` and `b` is below this (parallel or
            anti-parallel vectors, or a zero vector), falls back to `lerp`.

    Returns:
        (D,) for a scalar `t`, else (len(t), D); float32 unless the inputs are float64.
    """
    a64, b64, dtype = _endpoints(a, b)
    t = _as_t(t)
    norms = np.linalg.norm(a64) * np.linalg.norm(b64)
    if norms == 0.0:
        return lerp(a, b, t)
    cos = np.clip(np.dot(a64, b64) / norms, -1.0, 1.0)
    omega = np.arccos(cos)
    sin = np.sin(omega)
    if sin < eps:
        return lerp(a, b, t)
    wa = np.sin((1.0 - t) * omega) / sin
    wb = np.sin(t * omega) / sin
    out = (wa[..., None] * a64 + wb[..., None] * b64).astype(dtype)
    # The weights are 1 and 0 only up to rounding; the ends of a path must be the keys.
    out[t == 0] = np.asarray(a, dtype=dtype)
    out[t == 1] = np.asarray(b, dtype=dtype)
    return out


def truncate(z, psi: float, mean=None) -> np.ndarray:
    """The truncation trick: pulls latents towards a mean, `mean + psi (z - mean)`.

    Args:
        z: latents (D,) or (N, D).
        psi: 0 returns the mean, 1 returns `z` unchanged; values in between trade variety for
            typicality.
        mean: the centre (D,); default: the prior's mean, zero.

    Returns:
        An array shaped like `z`, float32 unless `z` is float64.
    """
    z = np.asarray(z)
    dtype = np.result_type(z.dtype, np.float32)
    if psi == 1:
        return z.astype(dtype, copy=True)
    mean = np.zeros(z.shape[-1], dtype) if mean is None else np.asarray(mean, dtype)
    if psi == 0:
        return np.broadcast_to(mean, z.shape).astype(dtype)
    return (mean + psi * (z.astype(dtype) - mean)).astype(dtype)


def random_latents(n: int, dim: int, seed: int | None = None) -> np.ndarray:
    """Draws `n` latents from N(0, I); the same seed gives the same latents.

    Args:
        n: how many.
        dim: latent size.
        seed: seed of a fresh `np.random.default_rng`; None draws fresh entropy.

    Returns:
        A float32 array (n, dim); its first row equals `random_latent(dim, seed)`.
    """
    return np.random.default_rng(seed).standard_normal((n, dim), dtype=np.float32)


def random_latent(dim: int, seed: int | None = None) -> np.ndarray:
    """Draws one latent from N(0, I); see `random_latents`. Returns float32 (dim,)."""
    return random_latents(1, dim, seed)[0]


def sample_grid_latents(seed: int, count: int, dim: int) -> np.ndarray:
    """A run's fixed sample-grid noise: the latents behind the tiles of every grid it draws.

    Training draws them once (and keeps them in its checkpoints); the explorer draws them again
    from the run's config to show a tile's latent. Unlike `random_latents` they are drawn in
    float64 and then rounded, as every run so far has drawn them, so both agree bit for bit.

    Args:
        seed: the run's seed.
        count: how many tiles (the grid size squared).
        dim: the latent size.

    Returns:
        float32 (count, dim).
    """
    return np.random.default_rng(seed).standard_normal((count, dim)).astype(np.float32)


MAX_CLASS_ROWS = 16  # a conditional run's grid shows at most this many classes, one per row


def sample_grid_shape(grid_size: int, num_classes: int = 0) -> tuple[int, int]:
    """The (rows, columns) of a run's sample grid.

    An unconditional run's grid is `grid_size` x `grid_size`; a conditional run's has one row
    per class (the first `MAX_CLASS_ROWS` of them) and `grid_size` columns, so each row shows
    what the generator makes of one class.

    Args:
        grid_size: the run's `grid_size`.
        num_classes: the run's `num_classes` (0: unconditional).
    """
    if num_classes > 0:
        return min(num_classes, MAX_CLASS_ROWS), grid_size
    return grid_size, grid_size


def sample_grid_labels(grid_size: int, num_classes: int = 0) -> np.ndarray | None:
    """The class of each tile of a conditional run's sample grid, in grid order.

    Returns:
        int32 (rows * grid_size,): `[0] * grid_size + [1] * grid_size + ...`, or None for an
        unconditional run.
    """
    if num_classes <= 0:
        return None
    rows, columns = sample_grid_shape(grid_size, num_classes)
    return np.repeat(np.arange(rows, dtype=np.int32), columns)


def keyframe_path(keys, frames_per_segment: int, mode: str = "slerp",
                  loop: bool = False) -> np.ndarray:
    """A walk through several latents, for animations.

    Args:
        keys: the keyframes (K, D), K >= 1.
        frames_per_segment: frames from one key up to (not including) the next.
        mode: `slerp` or `lerp`.
        loop: also walk from the last key back to the first. A looping path ends one frame
            before the first key, so that playing it on repeat shows no duplicate frame.

    Returns:
        A float32 array: (K - 1) * frames_per_segment + 1 rows (ending on the last key), or
        K * frames_per_segment rows when looping.

    Raises:
        ValueError: for an unknown mode, no keys, or fewer than one frame per segment.
    """
    interpolate = {"slerp": slerp, "lerp": lerp}.get(mode)
    if interpolate is None:
        raise ValueError(f"mode must be 'slerp' or 'lerp', not {mode!r}")
    keys = np.asarray(keys)
    if keys.ndim != 2 or len(keys) == 0 or frames_per_segment < 1:
        raise ValueError("expected keys (K >= 1, D) and frames_per_segment >= 1")
    keys = keys.astype(np.result_type(keys.dtype, np.float32))
    if len(keys) == 1:
        return np.repeat(keys, frames_per_segment if loop else 1, axis=0)
    pairs = list(zip(keys[:-1], keys[1:]))
    if loop:
        pairs.append((keys[-1], keys[0]))
    t = np.arange(frames_per_segment) / frames_per_segment
    segments = [interpolate(a, b, t) for a, b in pairs]
    if not loop:
        segments.append(keys[-1:])
    return np.concatenate(segments)

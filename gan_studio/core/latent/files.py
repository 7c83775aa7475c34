"""Latent vectors in `.npy` files: written atomically, parsed defensively (no pickles; shape,
dtype and finiteness checked) because they may come from anywhere."""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.atomic import atomic_path

MAX_LATENT_FILE_BYTES = 64 * 2 ** 20
MAX_LATENTS = 10_000


class LatentFileError(ValueError):
    """Raised for a latent file that cannot be used (unreadable, wrong shape or values)."""


def save_latents(path: str | os.PathLike, latents) -> None:
    """Writes latents as a float32 `.npy` file (no pickles), atomically.

    Args:
        path: the destination.
        latents: one latent (D,) or several (K, D).

    Raises:
        ValueError: if the latents are not 1- or 2-D or hold non-finite values.
        OSError: if the file cannot be written.
    """
    array = np.asarray(latents, dtype=np.float32)
    if array.ndim not in (1, 2) or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueError(f"cannot save latents of shape {array.shape} with non-finite values"
                         if array.size and array.ndim in (1, 2) else
                         f"cannot save latents of shape {array.shape}")
    with atomic_path(path, suffix=".npy") as tmp:
        with open(tmp, "wb") as f:
            np.save(f, array, allow_pickle=False)


def load_latents(path: str | os.PathLike, latent_dim: int | None = None) -> np.ndarray:
    """Reads latents saved by `save_latents` (or any float `.npy` of the right shape).

    Args:
        path: the `.npy` file.
        latent_dim: the size each latent must have (None accepts any).

    Returns:
        float32 (K, D), K >= 1 (a single latent comes back as one row).

    Raises:
        LatentFileError: if the file is unreadable, too big, not a numeric array of shape
            (D,) or (K, D) with the expected D, or holds NaN or infinite values.
    """
    name = os.path.basename(os.fspath(path))
    try:
        size = os.path.getsize(path)
        if size > MAX_LATENT_FILE_BYTES:
            raise LatentFileError(f"{name} is too big for a latent file ({size:,} bytes)")
        with open(path, "rb") as f:
            array = np.load(f, allow_pickle=False)
    except LatentFileError:
        raise
    except (OSError, ValueError, EOFError) as exc:
        raise LatentFileError(f"{name} is not a readable .npy file: {exc}") from None
    if not isinstance(array, np.ndarray):
        raise LatentFileError(f"{name} holds several arrays; save one latent array per file")
    if array.dtype.kind not in "fiu" or array.dtype.kind == "b":
        raise LatentFileError(f"{name} holds {array.dtype} values, not numbers")
    if array.ndim == 1:
        array = array[None]
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise LatentFileError(f"{name} holds an array of shape {array.shape}, not latents "
                              "(D,) or (K, D)")
    if latent_dim is not None and array.shape[1] != latent_dim:
        raise LatentFileError(f"{name} holds latents of size {array.shape[1]}; this generator "
                              f"takes {latent_dim}")
    if len(array) > MAX_LATENTS:
        raise LatentFileError(f"{name} holds {len(array):,} latents (at most {MAX_LATENTS:,})")
    with np.errstate(over="ignore", invalid="ignore"):  # too large for float32: caught below
        array = array.astype(np.float32)
    if not np.all(np.isfinite(array)):
        raise LatentFileError(f"{name} holds NaN or infinite values (or values too large)")
    return array

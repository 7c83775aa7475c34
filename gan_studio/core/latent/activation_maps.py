"""A layer's activations as one picture: its channels side by side, strongest first."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_studio.core.grid import tile_grid

MAX_MAPS = 64  # channels shown: a 256-channel layer's weakest maps add noise, not insight


@dataclass(frozen=True)
class ActivationMaps:
    """The tiled activation maps of one layer for one latent.

    Attributes:
        image: uint8 (H, W) gray: each channel normalised to its own range, one tile each,
            in order of activation energy (mean square), strongest first, 1 px apart.
        channels: the order shown: channel indices, strongest first.
        energy: each shown channel's mean squared activation.
        total: the layer's channel count (more than shown if it had over `MAX_MAPS`).
    """

    image: np.ndarray
    channels: np.ndarray
    energy: np.ndarray
    total: int


def activation_maps(activations, limit: int = MAX_MAPS) -> ActivationMaps:
    """Tiles a layer's output for one latent.

    Args:
        activations: float (H, W, C) feature maps, or (units,) for a dense layer (shown as
            one row of 1×1 tiles, which a square grid then folds).
        limit: the most channels shown.

    Raises:
        ValueError: if `activations` is not 1- or 3-D.
    """
    x = np.asarray(activations, np.float32)
    if x.ndim == 1:
        x = x[None, None, :]
    if x.ndim != 3:
        raise ValueError(f"expected activations (H, W, C) or (units,), got shape {x.shape}")
    x = np.nan_to_num(x)
    energy = np.mean(np.square(x), axis=(0, 1))
    order = np.argsort(-energy, kind="stable")[:limit]
    maps = np.moveaxis(x[..., order], -1, 0)  # (k, H, W)
    low = maps.min(axis=(1, 2), keepdims=True)
    span = maps.max(axis=(1, 2), keepdims=True) - low
    scaled = np.where(span > 0, (maps - low) / np.where(span > 0, span, 1), 0.5)
    tiles = np.rint(scaled * 255).astype(np.uint8)
    padding = 1 if min(maps.shape[1:]) > 1 else 0
    image = tile_grid(tiles, padding=padding, pad_value=0)[..., 0]
    return ActivationMaps(image, order, energy[order], x.shape[-1])

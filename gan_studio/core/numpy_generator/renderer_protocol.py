"""What the latent explorer asks of a generator it draws with, whichever backend renders it.

`NumpyGenerator` is the reference; `OpenVinoRenderer` (core), `KerasRenderer` (ml) and the
explorer's `DeviceRenderer` (workers) offer the same, the last two answering what they lack
(layers, activations, SeFa's first layer) from the numpy copy they were made with.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np


class GeneratorRenderer(Protocol):
    """A generator the explorer renders, finds directions in and shows the layers of.

    Attributes:
        latent_dim: the size of z.
        num_classes: K for a class-conditional generator, 0 for an unconditional one.
        output_shape: (H, W, C) of one image.
        threaded: whether `render_uint8` takes `threads=` (it runs threads of its own, which
            the explorer sizes by the cores free); False where BLAS's process-wide pool works.
        layers: (name, output shape) of each layer whose activations it can render
            (`NumpyGenerator.activations`); empty where it cannot (a TensorFlow fallback).
    """

    latent_dim: int
    num_classes: int
    output_shape: tuple[int, int, int]
    threaded: bool
    layers: Sequence[tuple[str, tuple[int, ...]]]

    def render_uint8(self, z: np.ndarray, *, classes: np.ndarray | None = None) -> np.ndarray:
        """Renders latents (N, latent_dim) to uint8 images (N, H, W, C); `classes` (class
        indices (N,) or weights (N, K)) for a conditional generator only."""
        ...

    def features(self, z: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
        """The features GANSpace's PCA runs on, (N, F) float32."""
        ...

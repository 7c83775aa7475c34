"""Where the latent explorer's generators come from: files and runs, read off the GUI thread.

A Keras generator is copied into a `NumpyGenerator` whenever `numpy_generator_from_keras`
supports it; TensorFlow then plays no part in rendering, which keeps the explorer fast while
training shares the process. Other generators render through `KerasRenderer`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from gan_studio.core.grid import to_uint8
from gan_studio.core.latent.space import sample_grid_latents
from gan_studio.workers.tf_loader import lower_thread_priority

NUMPY = "numpy"
TENSORFLOW = "tensorflow"


class KerasRenderer:
    """Renders through a Keras model (the fallback for generators numpy cannot run).

    The model runs inside a `tf.function` with a fixed input signature, traced and warmed up
    here, so rendering on the explorer's thread never retraces.

    Args:
        model: a `keras.Model` from latents (N, D) to images in [-1, 1].

    Attributes:
        latent_dim: the size of z.
        output_shape: (H, W, C) of one image.
    """

    def __init__(self, model):
        from gan_studio.ml.device import import_tensorflow

        tf = import_tensorflow()
        self.latent_dim = int(model.inputs[0].shape[-1])
        self._function = tf.function(
            lambda z: model(z, training=False), autograph=False, reduce_retracing=True,
            input_signature=[tf.TensorSpec([None, self.latent_dim], tf.float32)])
        warm = self(np.zeros((1, self.latent_dim), np.float32))
        self.output_shape: tuple[int, int, int] = tuple(int(s) for s in warm.shape[1:])
        if len(self.output_shape) != 3:
            raise ValueError(f"the model draws arrays of shape {warm.shape[1:]}, not images")

    def __call__(self, z) -> np.ndarray:
        """Renders latents (N, D) to float32 images (N, H, W, C)."""
        return np.asarray(self._function(np.ascontiguousarray(z, np.float32)).numpy(),
                          np.float32)

    def render_uint8(self, z) -> np.ndarray:
        """Renders latents (N, D) to uint8 images (N, H, W, C)."""
        return to_uint8(self(z))

    def features(self, z) -> np.ndarray:
        """The images' pixels (N, H*W*C): GANSpace on the output, lacking the model's insides."""
        chunks = [self(z[i:i + 256]) for i in range(0, len(z), 256)]
        return np.concatenate(chunks).reshape(len(z), -1)


@dataclass
class LoadedGenerator:
    """A generator ready for the explorer.

    Attributes:
        renderer: a `NumpyGenerator` or a `KerasRenderer`.
        name: a short name for the source (file or run folder name).
        source: the path it was read from ("" for a live training run).
        backend: `numpy` or `tensorflow` (the fallback).
        note: why the fallback was used, if it was.
        grid_latents: the run's fixed sample-grid noise when known (N, latent_dim), else None.
    """

    renderer: Any
    name: str
    source: str = ""
    backend: str = NUMPY
    note: str = ""
    grid_latents: np.ndarray | None = field(default=None, repr=False)


def renderer_from_keras(model) -> tuple[Any, str, str]:
    """Copies a Keras generator to numpy, or wraps it in a `KerasRenderer` if it cannot be.

    Returns:
        (renderer, backend, note).
    """
    from gan_studio.ml.numpy_export import UnsupportedModelError, numpy_generator_from_keras

    try:
        return numpy_generator_from_keras(model), NUMPY, ""
    except UnsupportedModelError as exc:
        return KerasRenderer(model), TENSORFLOW, str(exc)


def load_explorer_generator(source: str) -> LoadedGenerator:
    """Loads a generator from a run folder or a `.keras` file (call it on a worker thread).

    A run folder's `config.json` may be chosen instead of the folder itself.

    Raises:
        ModelLoadError: if nothing usable is found at `source`.
    """
    lower_thread_priority()  # TensorFlow's pools may start here: keep them in the background
    from gan_studio.ml.export import ModelLoadError, load_generator

    if os.path.basename(source) == "config.json":
        source = os.path.dirname(source)
    model = load_generator(source)
    try:
        renderer, backend, note = renderer_from_keras(model)
    except ValueError as exc:
        raise ModelLoadError(f"{source} does not draw images: {exc}") from exc
    name = os.path.basename(os.path.normpath(source))
    return LoadedGenerator(renderer, name, source, backend, note,
                           run_grid_latents(source, renderer.latent_dim))


def run_grid_latents(run_dir: str, latent_dim: int) -> np.ndarray | None:
    """Recomputes a run's fixed sample-grid noise from its config (seed and grid size).

    The trainer draws it with `sample_grid_latents` too and keeps it in every checkpoint, so
    the grids a run saved can be explored tile by tile.

    Returns:
        float32 (grid_size**2, latent_dim), or None if `run_dir` is not a run folder.
    """
    from gan_studio.core.config import ConfigError, TrainConfig

    if not os.path.isdir(run_dir):
        return None
    try:
        config = TrainConfig.load(os.path.join(run_dir, "config.json")).resolved()
    except (ConfigError, OSError, ValueError, TypeError):
        return None
    if config.latent_dim != latent_dim or not 0 < config.grid_size <= 32:
        return None
    return sample_grid_latents(config.seed, config.grid_size ** 2, latent_dim)

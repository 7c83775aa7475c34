"""Where the latent explorer's generators come from: files and runs, read off the GUI thread.

A Keras generator is copied into a `NumpyGenerator` whenever `numpy_generator_from_keras`
supports it; TensorFlow then plays no part in rendering, which keeps the explorer fast while
training shares the process. Other generators render through TensorFlow
(`ml.generators.keras_renderer.KerasRenderer`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np

from gan_studio.core.latent.space import sample_grid_latents, sample_grid_shape
from gan_studio.core.numpy_generator.renderer_protocol import GeneratorRenderer
from gan_studio.ml.generators.keras_renderer import KerasRenderer
from gan_studio.workers.explorer.backends import NUMPY, choose_backend
from gan_studio.workers.tf_loader import lower_thread_priority

TENSORFLOW = "tensorflow"


@dataclass
class LoadedGenerator:
    """A generator ready for the explorer.

    Attributes:
        renderer: a `NumpyGenerator` or a `KerasRenderer`.
        name: a short name for the source (file or run folder name).
        source: the path it was read from ("" for a live training run).
        backend: `numpy`, `openvino` (an `OpenVinoRenderer`) or `gpu` (a `DeviceRenderer`),
            chosen by measuring (`backends.choose_backend`), or `tensorflow` (the fallback).
        note: how it was chosen (the measured times), or why the fallback was used.
        grid_latents: the run's fixed sample-grid noise when known (N, latent_dim), else None.
        class_names: a conditional run's class names from its config (may be empty or fewer
            than the generator's classes; `core.latent.classes.class_labels` fills them in).
    """

    renderer: GeneratorRenderer
    name: str
    source: str = ""
    backend: str = NUMPY
    note: str = ""
    grid_latents: np.ndarray | None = field(default=None, repr=False)
    class_names: tuple[str, ...] = ()


def renderer_from_keras(model) -> tuple[GeneratorRenderer, str, str]:
    """Copies a Keras generator to numpy, or wraps it in a `KerasRenderer` if it cannot be.

    Returns:
        (renderer, backend, note).
    """
    from gan_studio.ml.generators.numpy_export import (
        UnsupportedModelError,
        numpy_generator_from_keras,
    )

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
    from gan_studio.ml.generators.export import ModelLoadError, load_generator

    if os.path.basename(source) == "config.json":
        source = os.path.dirname(source)
    model = load_generator(source)
    try:
        renderer, backend, note = renderer_from_keras(model)
        if backend == NUMPY:
            renderer, backend, note = choose_backend(
                renderer, lambda device: KerasRenderer(model, device))
    except ValueError as exc:
        raise ModelLoadError(f"{source} does not draw images: {exc}") from exc
    name = os.path.basename(os.path.normpath(source))
    return LoadedGenerator(renderer, name, source, backend, note,
                           run_grid_latents(source, renderer.latent_dim),
                           run_class_names(source))


def run_class_names(run_dir: str) -> tuple[str, ...]:
    """A run's class names (its config's `class_names`), or () for anything else."""
    from gan_studio.core.config import ConfigError, TrainConfig

    if not run_dir or not os.path.isdir(run_dir):
        return ()
    try:
        names = TrainConfig.load(os.path.join(run_dir, "config.json")).class_names
    except (ConfigError, OSError, ValueError, TypeError):
        return ()
    return tuple(str(name) for name in names) if isinstance(names, list) else ()


def run_grid_latents(run_dir: str, latent_dim: int) -> np.ndarray | None:
    """Recomputes a run's fixed sample-grid noise from its config (seed and grid size).

    The trainer draws it with `sample_grid_latents` too and keeps it in every checkpoint, so
    the grids a run saved can be explored tile by tile.

    Returns:
        float32 (tiles, latent_dim), tiles as `sample_grid_shape` lays them out (a row per
        class for a conditional run), or None if `run_dir` is not a run folder.
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
    rows, columns = sample_grid_shape(config.grid_size, config.condition_classes)
    return sample_grid_latents(config.seed, rows * columns, latent_dim)

"""Generators outside training: restore from a run, export/load `.keras`, draw samples."""

from __future__ import annotations

import logging
import os

import numpy as np

from gan_studio.core.atomic import atomic_path
from gan_studio.core.grid import drop_channel_axis, to_uint8
from gan_studio.core.numpy_generator.conditional import check_classes
from gan_studio.ml.networks.conditional import ConditioningError, find_conditioning
from gan_studio.ml.runtime.device import import_tensorflow

_LOG = logging.getLogger(__name__)
MIN_SIDE, MAX_SIDE = 4, 4096  # the sides of the images a generator file may draw


class ModelLoadError(RuntimeError):
    """Raised when a run or model file cannot give a generator."""


def run_image_shape(config) -> tuple[int, int, int]:
    """The (height, width, channels) a run's networks were built for, from its resolved config.

    A built-in data set keeps its side, in the channels the run asked for (MNIST as RGB).
    """
    from gan_studio.core.catalog import builtin_source

    builtin = builtin_source(config.dataset)
    if builtin is not None:
        side, _, channels = builtin.shape
    else:
        side, channels = config.image_size, 3
    return side, side, config.channels or channels


def generator_from_run(run_dir: str, checkpoint: str | None = None, on_skip=None):
    """Rebuilds a run's generator and restores its weights (the average, if kept) from a checkpoint.

    Args:
        run_dir: the run folder.
        checkpoint: a checkpoint prefix (None: the newest that reads).
        on_skip: called with one line for each newer checkpoint passed over because it
            cannot be read (None: logged as a warning).

    Returns:
        The `keras.Model` generator.

    Raises:
        ModelLoadError: if the folder has no usable config or checkpoint.
    """
    from gan_studio.core.runs.layout import load_run
    from gan_studio.ml.networks.models import generator_for
    from gan_studio.ml.runs.checkpoints import (
        CheckpointError,
        readable_checkpoint,
        restore_checkpoint,
    )

    tf = import_tensorflow()
    config, _ = load_run(run_dir, checkpoint, ModelLoadError)
    try:
        checkpoint, skipped = readable_checkpoint(run_dir, checkpoint)
        for note in skipped:
            (on_skip or _LOG.warning)(note)
        generator = generator_for(config, run_image_shape(config))
        # A run that keeps a weight average samples from it: restore that one.
        name = "generator_ema" if config.generator_ema else "generator"
        restore_checkpoint(tf.train.Checkpoint(**{name: generator}), checkpoint)
    except CheckpointError as exc:
        raise ModelLoadError(str(exc)) from exc
    return generator


def load_generator(source: str, checkpoint: str | None = None, on_skip=None):
    """Loads a generator from a run folder or a `.keras` file (with `safe_mode=True`).

    A `.keras` file must hold nothing but Keras' own classes (`model_file.check_model_file`)
    and draw images: (height, width, 1 or 3 channels), sides of `MIN_SIDE` to `MAX_SIDE`.

    Args:
        source: a run folder or a `.keras` file.
        checkpoint: for a run folder, a checkpoint prefix (None: the newest that reads).
        on_skip: see `generator_from_run`.

    Raises:
        ModelLoadError: if nothing usable is found at `source`.
    """
    if os.path.isdir(source):
        return generator_from_run(source, checkpoint, on_skip)
    if not source.endswith(".keras"):
        raise ModelLoadError(f"{source} is neither a run folder nor a .keras file")
    if not os.path.isfile(source):
        raise ModelLoadError(f"no such file: {source}")
    from gan_studio.ml.generators.model_file import check_model_file
    from gan_studio.ml.runs.checkpoints import describe_error

    check_model_file(source, ModelLoadError)
    import_tensorflow()
    import keras

    try:
        model = keras.saving.load_model(source, compile=False, safe_mode=True)
    except Exception as exc:  # Keras raises many types for a bad archive
        raise ModelLoadError(f"cannot load {source}: {describe_error(exc)}") from exc
    if not _is_generator(model):
        raise ModelLoadError(f"{source} is not a generator (expects a (batch, latent) input, "
                             "and for a conditional one a (batch,) class input after it)")
    _check_draws_images(model, source)
    return model


def _check_draws_images(model, source: str) -> None:
    """Raises ModelLoadError unless `model` has one output of (batch, H, W, 1 or 3) images."""
    outputs = model.outputs or []
    shape = tuple(outputs[0].shape[1:]) if len(outputs) == 1 else None
    what = (f"{len(outputs)} outputs" if shape is None else
            f"arrays of shape {tuple(None if s is None else int(s) for s in shape)}")
    if shape is not None and len(shape) == 3 and None not in shape:
        height, width, channels = (int(s) for s in shape)
        if channels in (1, 3) and all(MIN_SIDE <= s <= MAX_SIDE for s in (height, width)):
            return
    raise ModelLoadError(f"{source} draws {what}, not images (height × width × 1 or 3 "
                         f"channels, sides of {MIN_SIDE} to {MAX_SIDE} pixels)")


def _is_generator(model) -> bool:
    """Whether a model takes what a generator does: z, or z and an integer class."""
    if not model.inputs or len(model.inputs[0].shape) != 2:
        return False  # z comes first: `latent_dim_of` reads it there
    try:
        find_conditioning(model)
    except ConditioningError:
        return False
    return True


def export_generator(run_dir: str, out_path: str, checkpoint: str | None = None,
                     on_skip=None) -> str:
    """Writes a run's generator as a `.keras` file, atomically; returns the path.

    Args:
        run_dir: the run folder.
        out_path: the `.keras` file to write.
        checkpoint: a checkpoint prefix (None: the newest that reads).
        on_skip: see `generator_from_run`.

    Raises:
        ModelLoadError: if the run cannot give a generator, or `out_path` is not `.keras` or
            cannot be written (a full disk: nothing is left under its name).
    """
    if not out_path.endswith(".keras"):
        raise ModelLoadError(f"the export file must end in .keras: {out_path}")
    generator = generator_from_run(run_dir, checkpoint, on_skip)
    try:
        with atomic_path(out_path, suffix=".keras") as tmp:
            generator.save(tmp)
    except OSError as exc:  # Keras names no file (or the temporary one): name the user's
        raise ModelLoadError(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    return out_path


def latent_dim_of(generator) -> int:
    """Returns the size of a generator's latent input."""
    return int(generator.inputs[0].shape[-1])


def num_classes_of(generator) -> int:
    """Returns how many classes a generator is conditioned on (0: an unconditional one)."""
    try:
        conditioning = find_conditioning(generator)
    except ConditioningError:
        return 0
    return 0 if conditioning is None else conditioning.num_classes


def image_labels(generator, count: int, classes=None) -> np.ndarray | None:
    """The class of each of `count` images to draw from `generator`.

    Args:
        generator: a Keras generator.
        count: how many images.
        classes: None (a conditional generator draws an even mix, `0, 1, ..., 0, 1...`), one
            class for all, or a sequence of `count` classes.

    Returns:
        int32 labels (count,), or None for an unconditional generator.

    Raises:
        ValueError: if classes are given to an unconditional generator, or are out of range
            or of the wrong length.
    """
    num = num_classes_of(generator)
    if num == 0:
        if classes is not None:
            raise ValueError("the generator is unconditional: it takes no class")
        return None
    if classes is None:
        return (np.arange(count) % num).astype(np.int32)
    labels = np.asarray(classes)
    if not np.issubdtype(labels.dtype, np.integer):  # blend weights are the explorer's alone
        raise ValueError(f"expected one class or {count} integer classes, not {labels.dtype}")
    return check_classes(labels, count, num).astype(np.int32)


def generate_images(generator, count: int, seed: int = 0, batch_size: int = 256,
                    classes=None) -> np.ndarray:
    """Draws `count` images from N(0, I) latents (and classes, for a conditional generator).

    The latents depend only on `seed`, not on the classes: a class changes what a latent
    draws, not which latents are drawn.

    Args:
        generator: a Keras generator (see `load_generator`).
        count: how many images.
        seed: seeds the latents.
        batch_size: images per generator call.
        classes: for a conditional generator, one class for all images or one per image
            (default: an even mix of its classes); see `image_labels`.

    Returns:
        uint8 images (count, H, W) for gray generators, (count, H, W, 3) for colour ones.

    Raises:
        ValueError: if `classes` does not fit the generator (see `image_labels`).
    """
    tf = import_tensorflow()
    rng = np.random.default_rng(seed)
    dim = latent_dim_of(generator)
    labels = image_labels(generator, count, classes)
    signature = [tf.TensorSpec([None, dim], tf.float32)]
    if labels is None:
        def call(z):
            return generator(z, training=False)
    else:
        signature.append(tf.TensorSpec([None], tf.int32))

        def call(z, label):
            return generator([z, label], training=False)
    run = tf.function(call, autograph=False, input_signature=signature)
    chunks = []
    for start in range(0, count, batch_size):
        z = rng.standard_normal((min(batch_size, count - start), dim)).astype(np.float32)
        args = (z,) if labels is None else (z, labels[start:start + len(z)])
        chunks.append(to_uint8(run(*args).numpy()))
    images = np.concatenate(chunks) if chunks else np.zeros((0,) + tuple(generator.output_shape[1:]), np.uint8)
    return drop_channel_axis(images, batch=True)

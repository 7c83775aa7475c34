"""The discriminator's verdict on an image: a run's own D, restored from its checkpoint."""

from __future__ import annotations

import numpy as np

from gan_studio.ml.generators.export import ModelLoadError, run_image_shape
from gan_studio.ml.runtime.device import import_tensorflow


def real_probability(discriminator, images_uint8, labels=None):
    """D's probability that each image is real, (N,) float32, from uint8 pixels: the images
    as training feeds them (no augmentation), dropout off. Traced into the caller's graph."""
    tf = import_tensorflow()
    images = tf.cast(images_uint8, tf.float32) / 127.5 - 1.0
    logits = discriminator(images if labels is None else [images, labels], training=False)
    return tf.reshape(tf.sigmoid(tf.cast(logits, tf.float32)), [-1])


class Verdict:
    """Scores images with a run's discriminator, as training saw it: D(x) = sigmoid(logit).

    Args:
        run_dir: the run folder.
        checkpoint: a checkpoint prefix (None: the newest that reads).

    Attributes:
        step: the training step of the checkpoint D comes from.
        num_classes: K for a projection discriminator (it also takes a class), else 0.

    Raises:
        ModelLoadError: if the folder has no usable config or checkpoint.
    """

    def __init__(self, run_dir: str, checkpoint: str | None = None):
        from gan_studio.core.runs.layout import checkpoint_step, load_run
        from gan_studio.ml.networks.models import discriminator_for
        from gan_studio.ml.runs.checkpoints import (
            CheckpointError,
            readable_checkpoint,
            restore_checkpoint,
        )

        tf = import_tensorflow()
        config, _ = load_run(run_dir, checkpoint, ModelLoadError)
        try:
            checkpoint, _ = readable_checkpoint(run_dir, checkpoint)
            self.shape = run_image_shape(config)
            self.discriminator = discriminator_for(config, self.shape)
            restore_checkpoint(tf.train.Checkpoint(discriminator=self.discriminator), checkpoint)
        except CheckpointError as exc:
            raise ModelLoadError(str(exc)) from exc
        self.step = checkpoint_step(checkpoint)
        self.num_classes = int(config.condition_classes or 0)
        image = tf.TensorSpec([None, *self.shape], tf.uint8)
        if self.num_classes:
            self._score = tf.function(
                lambda x, c: real_probability(self.discriminator, x, c),
                input_signature=[image, tf.TensorSpec([None], tf.int32)], autograph=False)
        else:
            self._score = tf.function(lambda x: real_probability(self.discriminator, x),
                                      input_signature=[image], autograph=False)

    def __call__(self, images, classes=None) -> np.ndarray:
        """D's probability that each image is real: float (N,).

        Args:
            images: uint8 (N, H, W, C) (or (N, H, W) for gray) at the run's size.
            classes: a conditional run's class per image (N,) (required for one).

        Raises:
            ValueError: for images of another shape, or classes missing or out of range.
        """
        images = np.asarray(images, np.uint8)
        if images.ndim == 3 and self.shape[-1] == 1:
            images = images[..., None]
        if images.shape[1:] != self.shape:
            raise ValueError(f"the discriminator takes images of {self.shape}, not "
                             f"{images.shape[1:]}")
        if not self.num_classes:
            return self._score(images).numpy().reshape(-1)
        classes = np.asarray([] if classes is None else classes, np.int64).reshape(-1)
        if len(classes) != len(images) or not np.all((0 <= classes) & (classes < self.num_classes)):
            raise ValueError(f"a conditional discriminator needs one class in [0, "
                             f"{self.num_classes}) per image")
        return self._score(images, classes.astype(np.int32)).numpy().reshape(-1)

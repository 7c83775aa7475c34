"""Finding an image in the latent space (GAN inversion): the latent whose image is closest.

Gradient descent on z, as NVlabs' StyleGAN2 projector does on w: Adam with a warm-up and a
cosine decay of the learning rate, several random starts optimised together as one batch
(and, for a class-conditional generator, one class per start, so the class is found too), a
pixel loss, optionally a feature loss, and a prior that keeps z near the shell where a
Gaussian latent lives (|z|² ≈ latent_dim), away from latents the generator never saw.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gan_studio.core.grid import to_uint8
from gan_studio.ml.generators.export import latent_dim_of, num_classes_of
from gan_studio.ml.runtime.custom_gradients import call_releasing
from gan_studio.ml.runtime.device import import_tensorflow

DEFAULT_STEPS = 300
DEFAULT_RESTARTS = 8
PRIOR_WEIGHT = 0.01
FEATURE_WEIGHT = 0.1


@dataclass(frozen=True)
class ProjectionProgress:
    """How far a projection is.

    Attributes:
        step: steps done.
        steps: steps planned.
        error: the best start's mean absolute pixel error so far (0 to 1 of the range).
        image: that start's image, uint8 (H, W, C).
    """

    step: int
    steps: int
    error: float
    image: np.ndarray


@dataclass(frozen=True)
class ProjectionResult:
    """The latent found for an image.

    Attributes:
        latent: (latent_dim,) float32.
        class_index: the class it was found in (a conditional generator), else None.
        image: the generator's image of it, uint8 (H, W, C).
        error: mean absolute pixel error against the target, 0 to 1 of the pixel range.
        steps: steps done (fewer than asked if it was stopped).
        seconds: how long it took.
        stopped: whether `should_stop` ended it early (the result is the best so far).
        loss: what the search compared, for the user (set by the caller that chose it).
    """

    latent: np.ndarray
    class_index: int | None
    image: np.ndarray
    error: float
    steps: int
    seconds: float
    stopped: bool
    loss: str = ""


class Projector:
    """Searches a generator's latent space for the latent that reproduces a target image.

    Args:
        generator: a Keras generator (`load_generator`): z (or [z, class]) to images in
            [-1, 1].
        restarts: random starts optimised together; the best one wins. A conditional
            generator's starts go round its classes.
        learning_rate: Adam's peak learning rate.
        prior_weight: weight of `(|z|²/latent_dim - 1)²`.
        features: None, or a differentiable function from images in [-1, 1] to features
            (N, F); their squared distance to the target's joins the loss.
        feature_weight: its weight.
        seed: seeds the starts.
        class_index: for a conditional generator, search this class only (None: every
            class, one per start in turn).
    """

    def __init__(self, generator, restarts: int = DEFAULT_RESTARTS, learning_rate: float = 0.1,
                 prior_weight: float = PRIOR_WEIGHT, features: Callable | None = None,
                 feature_weight: float = FEATURE_WEIGHT, seed: int = 0,
                 class_index: int | None = None):
        tf = import_tensorflow()
        if restarts < 1:
            raise ValueError(f"restarts must be at least 1, not {restarts}")
        self.generator = generator
        self.latent_dim = latent_dim_of(generator)
        self.num_classes = num_classes_of(generator)
        self.shape = tuple(int(s) for s in generator.outputs[0].shape[1:])
        self.restarts, self.learning_rate = restarts, learning_rate
        self._prior, self._features, self._feature_weight = prior_weight, features, feature_weight
        self._seed = seed
        if class_index is not None and not 0 <= class_index < max(1, self.num_classes):
            raise ValueError(f"class {class_index} is out of range for a generator of "
                             f"{self.num_classes} classes")
        self._classes = None
        if self.num_classes:
            classes = (np.arange(restarts) % self.num_classes if class_index is None
                       else np.full(restarts, class_index))
            self._classes = tf.constant(classes, tf.int32)
        self._z = tf.Variable(tf.zeros((restarts, self.latent_dim)), trainable=True)
        self._target = tf.Variable(tf.zeros(self.shape), trainable=False)
        self._target_features = None
        self._optimizer = None
        self._step_fn = None

    def _images(self, z):
        tf = import_tensorflow()
        out = (self.generator([z, self._classes], training=False) if self.num_classes
               else self.generator(z, training=False))
        return tf.cast(out, tf.float32)

    def _build(self):
        """Compiles one optimisation step, once: each target reuses it (same shapes)."""
        import keras

        tf = import_tensorflow()
        self._optimizer = keras.optimizers.Adam(self.learning_rate)
        self._optimizer.build([self._z])
        if self._features is not None:
            self._target_features = tf.Variable(self._features(self._target[None]),
                                                trainable=False)

        def losses():
            images = self._images(self._z)
            pixel = tf.reduce_mean(tf.square(images - self._target), axis=[1, 2, 3])
            total = pixel + self._prior * tf.square(
                tf.reduce_sum(tf.square(self._z), axis=1) / self.latent_dim - 1.0)
            if self._features is not None:
                total += self._feature_weight * tf.reduce_mean(
                    tf.square(self._features(images) - self._target_features), axis=1)
            error = tf.reduce_mean(tf.abs(images - self._target), axis=[1, 2, 3]) / 2.0
            return total, error, images

        @tf.function(autograph=False)
        def step():
            with tf.GradientTape() as tape:
                total, error, images = losses()
                loss = tf.reduce_sum(total)  # the starts are independent: sum, not mean
            self._optimizer.apply_gradients([(tape.gradient(loss, self._z), self._z)])
            return error, images

        self._step_fn = step

    def _reset(self, target: np.ndarray) -> None:
        """A new search: the target, fresh starts, and Adam's moments and count at zero."""
        self._target.assign(target.astype(np.float32) / 127.5 - 1.0)
        if self._step_fn is None:
            self._build()
        for variable in self._optimizer.variables:
            variable.assign(np.zeros(variable.shape, variable.dtype))
        if self._features is not None:
            self._target_features.assign(self._features(self._target[None]))
        rng = np.random.default_rng(self._seed)
        self._z.assign(rng.standard_normal((self.restarts, self.latent_dim)).astype(np.float32))

    def project(self, target: np.ndarray, steps: int = DEFAULT_STEPS,
                on_progress: Callable[[ProjectionProgress], None] | None = None,
                progress_every: int = 10,
                should_stop: Callable[[], bool] | None = None) -> ProjectionResult:
        """Finds the latent whose image is closest to `target`.

        Args:
            target: uint8 (H, W, C) (or (H, W) for a gray generator), the generator's size.
            steps: optimisation steps.
            on_progress: called every `progress_every` steps with the best start so far.
            should_stop: polled every step; True ends the search with the best so far.

        Returns:
            A `ProjectionResult`.

        Raises:
            ValueError: if `target` is not an image of the generator's shape, or steps < 1.
        """
        tf = import_tensorflow()
        target = np.asarray(target)
        if target.ndim == 2:
            target = target[..., None]
        if target.shape != self.shape or target.dtype != np.uint8:
            raise ValueError(f"the target must be uint8 {self.shape}, not {target.dtype} "
                             f"{target.shape}")
        if steps < 1:
            raise ValueError(f"steps must be at least 1, not {steps}")
        start = time.perf_counter()
        self._reset(target)
        best_error = np.full(self.restarts, np.inf)
        best_z = self._z.numpy()
        best_images = np.zeros((self.restarts, *self.shape), np.float32)
        done, stopped = 0, False
        for done in range(1, steps + 1):
            if should_stop is not None and should_stop():
                stopped, done = True, done - 1
                break
            self._optimizer.learning_rate.assign(self._rate(done - 1, steps))
            z_before = self._z.numpy()  # the error below is that of these latents
            # (released once traced, its graph goes with the projector: ml.runtime.custom_gradients)
            error, images = call_releasing(self._step_fn)
            error = error.numpy()
            better = error < best_error
            best_error[better], best_z[better] = error[better], z_before[better]
            best_images[better] = images.numpy()[better]
            if on_progress is not None and (done % progress_every == 0 or done == steps):
                winner = int(np.argmin(best_error))
                on_progress(ProjectionProgress(done, steps, float(best_error[winner]),
                                               to_uint8(best_images[winner])))
        winner = int(np.argmin(best_error))
        if not np.isfinite(best_error[winner]):  # stopped before the first step
            best_images = self._images(tf.constant(best_z)).numpy()
            best_error = np.mean(np.abs(best_images - self._target.numpy()), axis=(1, 2, 3)) / 2
            winner = int(np.argmin(best_error))
        return ProjectionResult(
            best_z[winner].astype(np.float32),
            None if not self.num_classes else int(self._classes.numpy()[winner]),
            to_uint8(best_images[winner]), float(best_error[winner]), done,
            time.perf_counter() - start, stopped)

    def _rate(self, step: int, steps: int) -> float:
        """The StyleGAN2 projector's schedule: a 5 % warm-up, then a cosine decay to zero."""
        t = step / max(1, steps)
        ramp = min(1.0, t / 0.05)
        return self.learning_rate * ramp * 0.5 * (1.0 + math.cos(math.pi * t))

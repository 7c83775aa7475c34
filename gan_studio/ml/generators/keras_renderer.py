"""A generator rendered by TensorFlow: the explorer's fallback for generators numpy cannot
copy, and its GPU backend (a fixed-signature `tf.function`, placed on the device)."""

from __future__ import annotations

import numpy as np

from gan_studio.core.grid import to_uint8
from gan_studio.core.numpy_generator.conditional import check_classes


class KerasRenderer:
    """Renders through a Keras model (the fallback for generators numpy cannot run).

    The model runs inside a `tf.function` with a fixed input signature, traced and warmed up
    here, so rendering on the explorer's thread never retraces. A class-conditional model
    (see `ml.networks.conditional`) is given class indices through its class input; class
    weights (a blend) go through its trunk, after the blended embedding.

    Args:
        model: a `keras.Model` from latents (N, D), and for a conditional generator classes
            (N,), to images in [-1, 1].
        device: where its ops run (e.g. "/GPU:0", TensorFlow's device placement); None:
            where TensorFlow places them.

    Attributes:
        latent_dim: the size of z.
        num_classes: K for a conditional generator, else 0.
        output_shape: (H, W, C) of one image.
        layers: none: its activations are not shown (the numpy copy's are).
        threaded: False: TensorFlow's own pools run it, whatever the explorer asks.
    """

    layers: tuple = ()
    threaded = False

    def __init__(self, model, device: str | None = None):
        from gan_studio.ml.networks.conditional import blend_function, find_conditioning
        from gan_studio.ml.runtime.device import import_tensorflow

        tf = import_tensorflow()
        conditioning = find_conditioning(model)
        latents = model.inputs[0] if conditioning is None else conditioning.z
        self.latent_dim = int(latents.shape[-1])
        self.num_classes = 0 if conditioning is None else conditioning.num_classes
        spec = tf.TensorSpec([None, self.latent_dim], tf.float32)
        options = {"autograph": False, "reduce_retracing": True}

        def placed(function):
            if device is None:
                return function

            def on_device(*args):
                with tf.device(device):
                    return function(*args)
            return on_device

        if conditioning is None:
            self._function = tf.function(placed(lambda z: model(z, training=False)),
                                         input_signature=[spec], **options)
        else:
            z_first = model.inputs[0] is conditioning.z  # Keras takes inputs in their order
            self._function = tf.function(
                placed(lambda z, c: model([z, c] if z_first else [c, z], training=False)),
                input_signature=[spec, tf.TensorSpec([None], tf.int32)], **options)
            self._blend = tf.function(
                placed(blend_function(model, conditioning)), **options,
                input_signature=[spec, tf.TensorSpec([None, self.num_classes], tf.float32)])
        warm = self(np.zeros((1, self.latent_dim), np.float32), 0 if self.num_classes else None)
        self.output_shape: tuple[int, int, int] = tuple(int(s) for s in warm.shape[1:])
        if len(self.output_shape) != 3:
            raise ValueError(f"the model draws arrays of shape {warm.shape[1:]}, not images")

    def __call__(self, z, classes=None) -> np.ndarray:
        """Renders latents (N, D) to float32 images (N, H, W, C); `classes` as for
        `NumpyGenerator`: indices (N,) or weights (N, K), for conditional models only."""
        z = np.ascontiguousarray(z, np.float32)
        classes = check_classes(classes, len(z), self.num_classes)
        if classes is None:
            images = self._function(z)
        elif classes.ndim == 1:
            images = self._function(z, classes.astype(np.int32))
        else:
            images = self._blend(z, classes)
        return np.asarray(images.numpy(), np.float32)

    def render_uint8(self, z, classes=None) -> np.ndarray:
        """Renders latents (N, D) to uint8 images (N, H, W, C)."""
        return to_uint8(self(z, classes))

    def features(self, z, classes=None) -> np.ndarray:
        """The images' pixels (N, H*W*C): GANSpace on the output, lacking the model's insides."""
        classes = check_classes(classes, len(z), self.num_classes)
        chunks = [self(z[i:i + 256], None if classes is None else classes[i:i + 256])
                  for i in range(0, len(z), 256)]
        return np.concatenate(chunks).reshape(len(z), -1)

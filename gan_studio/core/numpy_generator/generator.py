"""A DCGAN generator's forward pass in plain numpy, for the latent explorer.

TensorFlow runs training and inference in one process-wide thread pool, so while training runs
a TF inference call waits behind whole training steps. The explorer instead renders from a
numpy copy of the generator's weights: OpenBLAS has its own threads and numpy releases the GIL
in its kernels, so sliders stay responsive whatever TensorFlow is doing.

The generator is described by a JSON-able op list and a dict of named arrays:

    {"op": "dense", "kernel": KEY, "bias": KEY | None, "activation": "linear"}
    {"op": "batchnorm", "gamma": KEY | None, "beta": KEY | None, "mean": KEY,
     "variance": KEY, "epsilon": 0.001}
    {"op": "leaky_relu", "alpha": 0.3}   {"op": "relu"}   {"op": "tanh"}   {"op": "sigmoid"}
    {"op": "reshape", "shape": [7, 7, 256]}
    {"op": "conv_transpose", "kernel": KEY (kh, kw, out, in), "bias": KEY | None,
     "strides": [2, 2], "padding": "same" | "valid", "activation": "tanh"}

Any op may also carry a "name" (the Keras layer's). The first op must be `dense`. In a
class-conditional generator it also names the class embedding, `"class_embedding": KEY` (a
(K, E) table), and its kernel's rows are z's then the embedding's, (latent_dim + E, units):
the Keras layer's input is `Concatenate()([z, embedding(class)])` (see `conditional`).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping

import numpy as np

from gan_studio.core.atomic import atomic_path
from gan_studio.core.grid import to_uint8
from gan_studio.core.numpy_generator.conditional import ClassDense, check_classes
from gan_studio.core.numpy_generator.layer_plan import array_keys, plan
from gan_studio.core.numpy_generator.layers import Buffers

OPS_KEY = "__ops__"
CACHED_BATCH = 16  # batches up to this size reuse per-thread scratch buffers
CHUNK = 64  # bigger batches run in chunks of this many, which bounds the scratch memory


def check_latents(z, latent_dim: int) -> np.ndarray:
    """Latents as contiguous float32 (N, latent_dim); ValueError for any other shape."""
    z = np.asarray(z)
    if z.ndim != 2 or z.shape[1] != latent_dim:
        raise ValueError(f"expected latents (N, {latent_dim}), got shape {z.shape}")
    return np.ascontiguousarray(z, np.float32)


class NumpyGenerator:
    """A generator's inference forward pass in numpy: latents (N, D) to images in [-1, 1].

    A class-conditional generator also takes `classes` with the latents: class indices (N,)
    or class weights (N, K), which blend the class embeddings (class interpolation).

    Inference BatchNorms that follow a dense or transposed-convolution layer are folded into
    its weights. Calls on different threads are safe (each thread has its own scratch buffers).

    Args:
        ops: the op list (see the module docstring).
        arrays: the arrays the ops name.

    Attributes:
        latent_dim: the size of z.
        num_classes: K for a class-conditional generator, 0 for an unconditional one.
        output_shape: (H, W, C) of one image.
        feature_dim: the width of `features(z)`.
        layers: (name, output shape) of each layer, what `activations` indexes.
        threaded: False: it renders on its caller's thread (and BLAS's pool).

    Raises:
        ValueError: if the op list is malformed, names a missing array, or its shapes disagree.
    """

    threaded = False

    def __init__(self, ops: list[dict], arrays: Mapping[str, np.ndarray]):
        try:
            self._ops = json.loads(json.dumps(ops))  # a private copy, JSON-able by construction
        except (TypeError, ValueError) as err:
            raise ValueError(f"the op list is not JSON-able: {err}") from None
        self._arrays = {key: np.array(arrays[key], np.float32)
                        for key in array_keys(self._ops, arrays)}
        self._steps, self._feature_steps, names = plan(self._ops, self._arrays)
        self._local = threading.local()
        shape = (self._steps[0].kernel.shape[0],)
        self.latent_dim = shape[0]
        self.num_classes = self._steps[0].num_classes if isinstance(self._steps[0], ClassDense) \
            else 0
        self.layers: list[tuple[str, tuple[int, ...]]] = []  # (name, output shape) per layer
        for i, step in enumerate(self._steps):
            shape = step.output_shape(shape)
            self.layers.append((names[i], tuple(int(n) for n in shape)))
            if i + 1 == self._feature_steps:
                self.feature_dim = int(np.prod(shape))
        if len(shape) != 3:
            raise ValueError(f"the ops end in shape {shape}, not an image (H, W, C)")
        self.output_shape: tuple[int, int, int] = shape

    @property
    def ops(self) -> list[dict]:
        """A copy of the op list."""
        return json.loads(json.dumps(self._ops))

    def _buffers(self, n: int) -> Buffers:
        if n > CACHED_BATCH:  # big batches are rare (grids, GANSpace): keep no scratch for them
            return Buffers()
        buffers = getattr(self._local, "buffers", None)
        if buffers is None:
            buffers = self._local.buffers = Buffers()
        return buffers

    def _run(self, z, steps, should_stop: Callable[[], bool] | None = None,
             classes=None) -> np.ndarray | None:
        z = check_latents(z, self.latent_dim)
        classes = check_classes(classes, len(z), self.num_classes)
        if len(z) <= CHUNK:
            x = self._run_chunk(z, steps, should_stop, classes)
            return None if x is None else x.copy()  # the last step wrote into a reused buffer
        chunks = []
        for i in range(0, len(z), CHUNK):
            x = self._run_chunk(z[i:i + CHUNK], steps, should_stop,
                                None if classes is None else classes[i:i + CHUNK])
            if x is None:
                return None
            chunks.append(x)
        return np.concatenate(chunks)

    def _run_chunk(self, x: np.ndarray, steps, should_stop, classes) -> np.ndarray | None:
        buffers = self._buffers(len(x))
        for i, step in enumerate(steps):
            if should_stop is not None and should_stop():
                return None
            x = step(x, buffers, classes=classes) if i == 0 and classes is not None else \
                step(x, buffers)
        return x

    def __call__(self, z, classes=None) -> np.ndarray:
        """Renders latents (N, latent_dim) to float32 images (N, H, W, C) in [-1, 1].

        Args:
            z: the latents.
            classes: for a conditional generator (and only then), an int, class indices (N,)
                or class weights (N, num_classes).

        Raises:
            ValueError: for latents or classes of the wrong shape, classes missing for a
                conditional generator, or given to an unconditional one.
        """
        return self._run(z, self._steps, classes=classes)

    def render_uint8(self, z, should_stop: Callable[[], bool] | None = None,
                     classes=None) -> np.ndarray | None:
        """Renders latents (N, latent_dim) to uint8 images (N, H, W, C).

        Args:
            z: the latents.
            should_stop: asked before each layer; once it answers True the render is given up.
                The explorer drops a preview that a newer request made stale this way, between
                two layers, instead of finishing it.
            classes: as for `__call__`.

        Returns:
            The images, or None if `should_stop` stopped the render.
        """
        images = self._run(z, self._steps, should_stop, classes)
        return None if images is None else to_uint8(images)

    def activations(self, z, layer: int, classes=None,
                    should_stop: Callable[[], bool] | None = None) -> np.ndarray | None:
        """The output of layer `layer` (an index into `layers`) for latents (N, latent_dim):
        float32 (N, *shape); None if `should_stop` stopped it. `classes` as for `__call__`."""
        if not 0 <= layer < len(self._steps):
            raise ValueError(f"layer {layer} is not one of the generator's {len(self._steps)}")
        return self._run(z, self._steps[:layer + 1], should_stop, classes)

    def features(self, z, classes=None) -> np.ndarray:
        """The activations after the first block (dense, batchnorm, activation): (N, F) float32.

        These are the features GANSpace's PCA runs on; `classes` as for `__call__`.
        """
        x = self._run(z, self._steps[:self._feature_steps], classes=classes)
        return x.reshape(len(x), -1)

    @property
    def latent_kernel(self) -> np.ndarray:
        """The first layer's weights on z, (latent_dim, units), with the batch norm after it
        folded in: `A` of SeFa's `y = A z + b`, transposed (a copy)."""
        return self._steps[0].kernel.copy()

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Returns the weights plus the op list (JSON, under `OPS_KEY`): `np.savez`-ready."""
        arrays = {key: value.copy() for key, value in self._arrays.items()}
        arrays[OPS_KEY] = np.array(json.dumps(self._ops))
        return arrays

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray]) -> NumpyGenerator:
        """Rebuilds a generator from `to_arrays()`'s dict (or an opened `.npz`).

        Raises:
            ValueError: if the op list is missing or malformed.
        """
        if OPS_KEY not in arrays:
            raise ValueError(f"no op list ({OPS_KEY!r}) among the arrays")
        try:
            ops = json.loads(str(np.asarray(arrays[OPS_KEY])[()]))
        except (json.JSONDecodeError, TypeError) as err:
            raise ValueError(f"the op list is not valid JSON: {err}") from None
        return cls(ops, arrays)

    def save(self, path: str | os.PathLike) -> None:
        """Writes the generator to an `.npz` file atomically."""
        with atomic_path(path, suffix=".npz") as tmp:
            with open(tmp, "wb") as f:
                np.savez(f, **self.to_arrays())

    @classmethod
    def load(cls, path: str | os.PathLike) -> NumpyGenerator:
        """Reads a generator written by `save` (no pickles are loaded)."""
        with np.load(path, allow_pickle=False) as data:
            return cls.from_arrays(data)

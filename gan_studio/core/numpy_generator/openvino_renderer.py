"""The explorer's generator compiled by OpenVINO: the same layers, rendered 1.5-1.8x faster.

The numpy copy spends a 64 px render in 96 small BLAS calls (one per kernel tap and layer),
each of which wakes and joins OpenBLAS's threads; OpenVINO's CPU plugin (oneDNN) runs each
transposed convolution as one primitive on its own thread pool. Built from the numpy copy's
layers (batch norms already folded), so both draw the same pixels, and compiled once per
thread count the explorer asks for. OpenVINO is an optional extra (`pip install
'gan-studio[openvino]'`, about 180 MB): `backends.choose_backend` times it against the numpy
copy when a generator loads and keeps the faster, so nothing is slower where it is missing or
loses.
"""

from __future__ import annotations

import os
import threading

import numpy as np

from gan_studio.core.grid import to_uint8
from gan_studio.core.numpy_generator.conditional import ClassDense, check_classes
from gan_studio.core.numpy_generator.generator import check_latents
from gan_studio.core.numpy_generator.layers import (
    Activation,
    Affine,
    ConvTranspose,
    Dense,
    Reshape,
)


def openvino_available() -> bool:
    """Whether OpenVINO can be imported (the optional extra is installed), unless
    `GAN_STUDIO_RENDER_BACKEND=numpy` asks for the numpy copy only."""
    if os.environ.get("GAN_STUDIO_RENDER_BACKEND", "").lower() == "numpy":
        return False
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


def keras_kernel(layer: ConvTranspose) -> np.ndarray:
    """A `ConvTranspose`'s kernel in Keras' layout (kh, kw, out, in), from either method's."""
    (kh, kw), (cin, cout) = layer.taps, layer.channels
    if layer.method == "cols":  # (in, kh * kw * out)
        return layer.weights.reshape(cin, kh, kw, cout).transpose(1, 2, 3, 0)
    return layer.weights.transpose(0, 1, 3, 2)  # (kh, kw, in, out)


def _padding(layer: ConvTranspose) -> tuple[list[int], list[int], list[int]]:
    """(pads_begin, pads_end, output_padding) of OpenVINO's ConvolutionBackpropData that crop
    the full transposed convolution as TensorFlow's `same` or `valid` does."""
    begin, end, extra = [], [], []
    for k, s in zip(layer.taps, layer.strides):
        crop = max(k - s, 0) if layer.padding == "same" else 0
        begin.append(crop // 2)
        end.append(crop - crop // 2)
        extra.append(max(s - k, 0))  # a kernel narrower than its stride leaves a gap
    return begin, end, extra


def openvino_model(generator):
    """The generator's layers as an `openvino.Model` for one latent (and one class-weight row
    for a conditional generator): inputs `z` (1, latent_dim) [and `classes` (1, K)], output
    float32 images (1, H, W, C) in [-1, 1].

    Raises:
        ValueError: for a layer it does not know.
    """
    import openvino as ov
    import openvino.opset13 as ops

    def f32(array):
        return ops.constant(np.ascontiguousarray(array, np.float32))

    def activate(x, kind: str, alpha: float):
        if kind == "linear":
            return x
        if kind == "leaky_relu":
            return ops.prelu(x, f32([alpha]))
        return {"relu": ops.relu, "tanh": ops.tanh, "sigmoid": ops.sigmoid}[kind](x)

    z = ops.parameter([1, generator.latent_dim], np.float32, name="z")
    inputs, x, channels_first = [z], z, False
    for layer in generator._steps:
        if isinstance(layer, Dense):
            x = ops.matmul(x, f32(layer.kernel), False, False)
            if isinstance(layer, ClassDense):
                classes = ops.parameter([1, layer.num_classes], np.float32, name="classes")
                inputs.append(classes)
                x = ops.add(x, ops.matmul(classes, f32(layer.class_kernel), False, False))
            if layer.bias is not None:
                x = ops.add(x, f32(layer.bias))
            x = activate(x, layer.activation, layer.alpha)
        elif isinstance(layer, Reshape):
            x = ops.reshape(x, ops.constant(np.array((1, *layer.shape), np.int64)), False)
            if len(layer.shape) == 3:  # NHWC to NCHW, the layout OpenVINO convolves in
                x, channels_first = ops.transpose(x, ops.constant([0, 3, 1, 2])), True
        elif isinstance(layer, ConvTranspose):
            begin, end, extra = _padding(layer)
            filters = f32(keras_kernel(layer).transpose(3, 2, 0, 1))  # (in, out, kh, kw)
            x = ops.convolution_backprop_data(x, filters, list(layer.strides), pads_begin=begin,
                                              pads_end=end, output_padding=extra)
            if layer.bias is not None:
                x = ops.add(x, f32(layer.bias.reshape(-1, 1, 1)))
            x = activate(x, layer.activation, layer.alpha)
        elif isinstance(layer, Affine):
            shape = (-1, 1, 1) if channels_first else (-1,)
            x = ops.add(ops.multiply(x, f32(layer.scale.reshape(shape))),
                        f32(layer.shift.reshape(shape)))
        elif isinstance(layer, Activation):
            x = activate(x, layer.kind, layer.alpha)
        else:
            raise ValueError(f"OpenVINO cannot render a {type(layer).__name__} layer")
    images = ops.transpose(x, ops.constant([0, 2, 3, 1]))
    return ov.Model([ops.result(images)], inputs, "generator")


class OpenVinoRenderer:
    """Renders latents with a generator compiled by OpenVINO on the CPU, and answers
    everything else (layers and their activations, features for GANSpace, the first layer
    for SeFa) from the numpy copy it was built from, which holds the same weights.

    Args:
        numpy_renderer: the generator's `NumpyGenerator`.
        threads: the thread counts to compile for at once (others compile when first asked).

    Attributes:
        threaded: True: `render_uint8` takes `threads=`, which the explorer chooses by the
            cores free (`ExplorerRenderer.threads_for`).
    """

    threaded = True

    def __init__(self, numpy_renderer, threads=(1,)):
        import openvino as ov

        self.numpy_renderer = numpy_renderer
        self._core = ov.Core()
        self._model = openvino_model(numpy_renderer)
        self._compiled: dict[int, object] = {}  # thread count: its infer request
        self._lock = threading.Lock()
        for count in threads:
            self._request(count)

    def _request(self, threads: int):
        request = self._compiled.get(threads)
        if request is None:
            # f32: the numpy copy's pixels (a bfloat16 hint measured no faster); no pinning:
            # a core another process keeps busy must not hold one of the render's threads.
            compiled = self._core.compile_model(self._model, "CPU", {
                "INFERENCE_NUM_THREADS": int(threads), "INFERENCE_PRECISION_HINT": "f32",
                "PERFORMANCE_HINT": "LATENCY", "ENABLE_CPU_PINNING": False})
            request = self._compiled[threads] = compiled.create_infer_request()
        return request

    def render_uint8(self, z, should_stop=None, classes=None, threads: int = 1):
        """Renders latents (N, latent_dim) to uint8 images (N, H, W, C), one latent per
        inference on `threads` threads (`should_stop` is not polled: a render takes a few
        milliseconds). `classes` as for `NumpyGenerator`."""
        z = check_latents(z, self.numpy_renderer.latent_dim)
        num_classes = self.numpy_renderer.num_classes
        classes = check_classes(classes, len(z), num_classes)
        if classes is not None and classes.ndim == 1:  # indices: one-hot class weights
            classes = np.eye(num_classes, dtype=np.float32)[classes]
        images = np.empty((len(z), *self.numpy_renderer.output_shape), np.float32)
        with self._lock:
            request = self._request(max(1, int(threads)))
            for i in range(len(z)):
                feed = [z[i:i + 1]] if classes is None else [z[i:i + 1], classes[i:i + 1]]
                request.infer(feed)
                images[i] = request.get_output_tensor(0).data[0]
        return to_uint8(images)

    def __getattr__(self, name):
        return getattr(self.numpy_renderer, name)

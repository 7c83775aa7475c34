"""Which backend renders a generator's sliders: chosen by measuring it when it loads.

The numpy copy runs on the explorer's own thread with one BLAS thread: 1.2 ms at 28 px but
39 ms at 128 px (RESULTS.md). Where TensorFlow sees a GPU, a small fixed-signature
`tf.function` placed on it (TensorFlow's documented device placement, `tf.device`) may be
faster; both are timed on the same latent and the faster one renders. A run being trained is
never rendered on the GPU: its snapshots stay numpy copies, which do not queue behind the
training steps that hold the GPU.
"""

from __future__ import annotations

import time

import numpy as np

NUMPY, GPU = "numpy", "gpu"
TRIALS = 7  # renders timed per backend, after one to warm it up


class DeviceRenderer:
    """Renders with a `KerasRenderer` on a device, and answers everything else (features for
    GANSpace, the first layer for SeFa, the layers and their activations) from the numpy copy,
    which holds the same weights.

    Args:
        numpy_renderer: the generator's `NumpyGenerator`.
        device_renderer: a `KerasRenderer` of the same model, placed on the device.
        device: the device's name, e.g. "/GPU:0".
    """

    def __init__(self, numpy_renderer, device_renderer, device: str):
        self.numpy_renderer, self.device_renderer, self.device = (
            numpy_renderer, device_renderer, device)

    def render_uint8(self, z, should_stop=None, classes=None):
        """Renders on the device (`should_stop` is not polled: one call is one launch)."""
        return self.device_renderer.render_uint8(z, classes=classes)

    def __getattr__(self, name):
        return getattr(self.numpy_renderer, name)


def render_ms(render, latent_dim: int, classes: int, trials: int = TRIALS) -> float:
    """The median time of `render(z, classes)` for one latent, in milliseconds."""
    z = np.random.default_rng(0).standard_normal((1, latent_dim)).astype(np.float32)
    labels = np.zeros(1, np.int64) if classes else None
    render(z, labels)  # warm-up: tracing, first allocations
    times = []
    for _ in range(trials):
        start = time.perf_counter()
        render(z, labels)
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1000


def gpu_device() -> str | None:
    """The first GPU TensorFlow sees ("/GPU:0"), or None."""
    from gan_studio.ml.device import import_tensorflow

    tf = import_tensorflow()
    return "/GPU:0" if tf.config.list_physical_devices("GPU") else None


def choose_backend(numpy_renderer, renderer_on, device: str | None = None):
    """Times the numpy copy and, on `device` (default: the GPU, if TensorFlow sees one), a
    `tf.function` of the model; the faster renders.

    Args:
        numpy_renderer: the generator's `NumpyGenerator`.
        renderer_on: makes the model's `KerasRenderer` on a device: `renderer_on("/GPU:0")`.
        device: the device to try (tests force "/CPU:0"); None: `gpu_device()`.

    Returns:
        (renderer, backend, note): the `NumpyGenerator` and `numpy`, or a `DeviceRenderer`
        and `gpu`; the note gives the measured times (the source label's tooltip).
    """
    classes = getattr(numpy_renderer, "num_classes", 0)

    def numpy_render(z, labels):
        return numpy_renderer.render_uint8(z, classes=labels) if classes else \
            numpy_renderer.render_uint8(z)

    numpy_ms = render_ms(numpy_render, numpy_renderer.latent_dim, classes)
    device = device or gpu_device()
    if device is None:
        return numpy_renderer, NUMPY, (f"Rendered by the numpy copy: {numpy_ms:.1f} ms per "
                                       "image (TensorFlow sees no GPU)")
    on_device = renderer_on(device)
    device_ms = render_ms(lambda z, labels: on_device.render_uint8(z, labels),
                          numpy_renderer.latent_dim, classes)
    times = f"{device} {device_ms:.1f} ms, numpy copy {numpy_ms:.1f} ms per image"
    if device_ms < numpy_ms:
        return (DeviceRenderer(numpy_renderer, on_device, device), GPU,
                f"Rendered by a tf.function on {device} ({times})")
    return numpy_renderer, NUMPY, f"Rendered by the numpy copy ({times})"

"""Which backend renders a generator's sliders: chosen by measuring it when it loads.

The numpy copy runs on the explorer's own thread with one BLAS thread: 1.2 ms at 28 px but
39 ms at 128 px (RESULTS.md). Where the optional OpenVINO extra is installed, the generator
compiled by it renders 64 and 128 px images 1.5-1.7x faster on two cores. Where TensorFlow
sees a GPU, a small fixed-signature `tf.function` placed on it (TensorFlow's documented device
placement, `tf.device`) may be faster still; all are timed on the same latent and the fastest
one renders. A run being trained is
never rendered on the GPU: its snapshots stay numpy copies, which do not queue behind the
training steps that hold the GPU.
"""

from __future__ import annotations

import time

import numpy as np

from gan_studio.workers.explorer.renderer import limit_blas_threads, quiet_threads
from gan_studio.workers.tasks import describe_exception

NUMPY, GPU, OPENVINO = "numpy", "gpu", "openvino"
TRIALS = 9  # renders timed per backend
ROUNDS = 3  # turns each backend takes, each after a pause and an untimed render
SETTLE = 0.15  # seconds: a pool of BLAS threads spins this long at most once its work is done


class DeviceRenderer:
    """Renders with a `KerasRenderer` on a device, and answers everything else (features for
    GANSpace, the first layer for SeFa, the layers and their activations) from the numpy copy,
    which holds the same weights.

    Args:
        numpy_renderer: the generator's `NumpyGenerator`.
        device_renderer: a `KerasRenderer` of the same model, placed on the device.
        device: the device's name, e.g. "/GPU:0".
    """

    threaded = False  # one launch per render, on the device

    def __init__(self, numpy_renderer, device_renderer, device: str):
        self.numpy_renderer, self.device_renderer, self.device = (
            numpy_renderer, device_renderer, device)

    def render_uint8(self, z, should_stop=None, classes=None):
        """Renders on the device (`should_stop` is not polled: one call is one launch)."""
        return self.device_renderer.render_uint8(z, classes=classes)

    def __getattr__(self, name):
        return getattr(self.numpy_renderer, name)


def render_ms(renders: list, latent_dim: int, classes: int, trials: int = TRIALS) -> list:
    """The median times of each `render(z, classes)` for one latent, in milliseconds.

    The renders take turns in rounds, a few trials each, so a burst of load elsewhere on the
    machine cannot decide the choice alone; each turn begins after a pause and an untimed
    render, as a thread pool the previous backend leaves spinning (OpenBLAS's waits ~0.1 s for
    more work) slowed the next one's two threads by half when they took turns render by render.
    """
    z = np.random.default_rng(0).standard_normal((1, latent_dim)).astype(np.float32)
    labels = np.zeros(1, np.int64) if classes else None
    times = [[] for _ in renders]
    rounds = max(1, min(ROUNDS, trials))
    for turn in range(rounds):
        for render, taken in zip(renders, times):
            if len(renders) > 1:
                time.sleep(SETTLE)
            render(z, labels)  # untimed: the first also traces and allocates
            for _ in range(trials // rounds + (turn < trials % rounds)):
                start = time.perf_counter()
                render(z, labels)
                taken.append(time.perf_counter() - start)
    return [float(np.median(taken)) * 1000 for taken in times]


def gpu_device() -> str | None:
    """The first GPU TensorFlow sees ("/GPU:0"), or None."""
    from gan_studio.ml.runtime.device import import_tensorflow

    tf = import_tensorflow()
    return "/GPU:0" if tf.config.list_physical_devices("GPU") else None


def compile_for_cpu(numpy_renderer, threads: int):
    """The generator compiled by OpenVINO for 1 and `threads` threads, or (None, why not):
    the optional extra missing, or a generator it cannot compile."""
    from gan_studio.core.numpy_generator.openvino_renderer import (
        OpenVinoRenderer,
        openvino_available,
    )

    if not openvino_available():
        return None, ""
    try:
        return OpenVinoRenderer(numpy_renderer, threads=sorted({1, threads})), ""
    except Exception as exc:  # noqa: BLE001 - any failure leaves the numpy copy rendering
        return None, f"OpenVINO could not compile it ({describe_exception(exc)})"


def choose_backend(numpy_renderer, renderer_on, device: str | None = None,
                   compile_cpu=compile_for_cpu):
    """Times the numpy copy, the generator compiled by OpenVINO (where the extra is
    installed) and, on `device` (default: the GPU, if TensorFlow sees one), a `tf.function` of
    the model; the fastest renders.

    The CPU backends are timed on the threads the explorer gives them on a quiet machine.

    Args:
        numpy_renderer: the generator's `NumpyGenerator`.
        renderer_on: makes the model's `KerasRenderer` on a device: `renderer_on("/GPU:0")`.
        device: the device to try (tests force "/CPU:0"); None: `gpu_device()`.
        compile_cpu: `(numpy_renderer, threads)` to a compiled CPU renderer and a note
            (None where there is none; tests leave it out).

    Returns:
        (renderer, backend, note): the `NumpyGenerator` and `numpy`, an `OpenVinoRenderer` and
        `openvino`, or a `DeviceRenderer` and `gpu`; the note gives the measured times (the
        source label's tooltip).
    """
    classes = numpy_renderer.num_classes
    threads = quiet_threads(numpy_renderer.output_shape)
    limit_blas_threads(threads)

    def numpy_render(z, labels):
        return numpy_renderer.render_uint8(z, classes=labels) if classes else \
            numpy_renderer.render_uint8(z)

    candidates = [(NUMPY, numpy_renderer, "the numpy copy", "numpy copy", numpy_render)]
    compiled, problem = compile_cpu(numpy_renderer, threads)
    if compiled is not None:
        candidates.append((OPENVINO, compiled, "OpenVINO", "OpenVINO", lambda z, labels:
                           compiled.render_uint8(z, classes=labels, threads=threads)))
    device = device or gpu_device()
    if device is not None:
        on_device = renderer_on(device)
        candidates.insert(0, (GPU, DeviceRenderer(numpy_renderer, on_device, device),
                              f"a tf.function on {device}", device, on_device.render_uint8))
    times = render_ms([entry[-1] for entry in candidates], numpy_renderer.latent_dim, classes)
    timed = [(*entry[:-1], ms) for entry, ms in zip(candidates, times)]
    backend, renderer, label, _, ms = min(timed, key=lambda entry: entry[-1])
    if device is not None:  # every time, the device's first
        listed = ", ".join(f"{short} {took:.1f} ms" for *_, short, took in timed)
        return renderer, backend, f"Rendered by {label} ({listed} per image)"
    others = ", ".join(f"{short} {took:.1f} ms" for name, *_, short, took in timed
                       if name != backend)
    others = "; ".join(part for part in (others, problem, "TensorFlow sees no GPU") if part)
    return renderer, backend, f"Rendered by {label}: {ms:.1f} ms per image ({others})"

"""The explorer's render backend, chosen by measuring when a generator loads: the numpy copy,
or a tf.function on a device. No GPU here: the device path is forced onto the CPU."""

import importlib.util
from types import SimpleNamespace

import numpy as np
import pytest

from gan_studio.workers.explorer.backends import (
    GPU,
    NUMPY,
    OPENVINO,
    DeviceRenderer,
    choose_backend,
    compile_for_cpu,
)


def no_compiled(numpy_renderer, threads):
    """A machine without the OpenVINO extra."""
    return None, ""


@pytest.fixture(scope="module")
def generator():
    import keras

    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.networks.models import build_generator

    keras.utils.set_random_seed(0)
    model = build_generator(28, 28, 1, 16)
    return model, numpy_generator_from_keras(model)


@pytest.fixture
def render_clock(monkeypatch):
    """The clock `choose_backend` times renders by, moved only by the fakes (`[0] += seconds`):
    a real render takes no time on it, so which backend wins never depends on the machine."""
    from gan_studio.workers.explorer import backends

    now = [100.0]
    monkeypatch.setattr(backends, "time", SimpleNamespace(perf_counter=lambda: now[0],
                                                          sleep=lambda seconds: None))
    return now


class SlowCopy:
    """The numpy copy, made slower than any device: the device must win the measurement."""

    def __init__(self, renderer, clock):
        self.renderer, self.clock = renderer, clock

    def render_uint8(self, z, classes=None, should_stop=None):
        self.clock[0] += 0.03
        return self.renderer.render_uint8(z)

    def __getattr__(self, name):
        return getattr(self.renderer, name)


@pytest.fixture
def no_gpu(monkeypatch):
    """A machine without a GPU, also where the tests run on one (TensorFlow's listing
    replaced)."""
    from gan_studio.ml.runtime.device import import_tensorflow

    tf = import_tensorflow()
    real = tf.config.list_physical_devices
    monkeypatch.setattr(tf.config, "list_physical_devices",
                        lambda kind=None: [] if kind == "GPU" else real(kind))


def test_without_a_gpu_the_numpy_copy_renders_and_says_how_fast(generator, no_gpu):
    from gan_studio.ml.generators.keras_renderer import KerasRenderer

    model, numpy_copy = generator
    renderer, backend, note = choose_backend(numpy_copy, lambda d: KerasRenderer(model, d),
                                             compile_cpu=no_compiled)
    assert renderer is numpy_copy and backend == NUMPY
    assert note.startswith("Rendered by the numpy copy: ") and "sees no GPU" in note


def test_a_faster_device_is_chosen_and_renders_the_same_pixels(generator, render_clock):
    from gan_studio.ml.generators.keras_renderer import KerasRenderer

    model, numpy_copy = generator
    slow = SlowCopy(numpy_copy, render_clock)
    placed = []

    def on(device):
        placed.append(device)
        return KerasRenderer(model, device)

    renderer, backend, note = choose_backend(slow, on, device="/CPU:0", compile_cpu=no_compiled)
    assert backend == GPU and isinstance(renderer, DeviceRenderer) and placed == ["/CPU:0"]
    assert note.startswith("Rendered by a tf.function on /CPU:0 (/CPU:0 ")
    z = np.random.default_rng(1).standard_normal((2, 16)).astype(np.float32)
    drawn = renderer.render_uint8(z).astype(int)
    assert np.abs(drawn - numpy_copy.render_uint8(z).astype(int)).max() <= 1
    # Directions, SeFa and the Layers view still read the numpy copy's insides.
    assert renderer.layers == numpy_copy.layers
    np.testing.assert_array_equal(renderer.latent_kernel, numpy_copy.latent_kernel)


def test_a_slower_device_is_not_chosen(generator, render_clock):
    model, numpy_copy = generator

    class SlowDevice:
        def render_uint8(self, z, classes=None):
            render_clock[0] += 0.03
            return numpy_copy.render_uint8(z)

    renderer, backend, note = choose_backend(numpy_copy, lambda d: SlowDevice(), "/CPU:0",
                                             compile_cpu=no_compiled)
    assert renderer is numpy_copy and backend == NUMPY
    assert note.startswith("Rendered by the numpy copy (/CPU:0 ")


class BigImages:
    """A stand-in renderer drawing 64 px images (zeros): big enough for more BLAS threads."""

    latent_dim, num_classes, output_shape = 4, 0, (64, 64, 3)
    threaded = False

    def render_uint8(self, z, classes=None, should_stop=None):
        return np.zeros((len(z), *self.output_shape), np.uint8)


def test_big_generators_render_on_the_cores_training_leaves_free(qtbot, monkeypatch):
    import os

    from helpers import tiny_generator

    from gan_studio.workers.explorer import renderer as renderer_module

    asked = []
    monkeypatch.setattr(renderer_module, "limit_blas_threads",
                        lambda threads=1: asked.append(threads))
    renderer = renderer_module.ExplorerRenderer()
    try:
        results = []
        renderer.rendered.connect(results.append)
        for training, generator in ((False, BigImages()), (False, tiny_generator(4)),
                                    (True, BigImages())):
            renderer.set_training(training)
            done = len(results)
            renderer.request(renderer_module.PREVIEW, generator, np.zeros(4, np.float32))
            qtbot.waitUntil(lambda done=done: len(results) > done, timeout=10000)
    finally:
        renderer.shutdown()
    # The thread starts at one; idle, a 64 px generator gets every core; an 8 px one, or any
    # while training, one thread.
    assert asked == [1, max(1, os.cpu_count() or 1), 1, 1]


class Compiled:
    """A compiled CPU renderer on the fake clock: `ms` per render, threads recorded."""

    threaded = True

    def __init__(self, numpy_copy, clock, ms):
        self.numpy_copy, self.clock, self.ms, self.threads = numpy_copy, clock, ms, []

    def render_uint8(self, z, should_stop=None, classes=None, threads=1):
        self.clock[0] += self.ms / 1000
        self.threads.append(threads)
        return self.numpy_copy.render_uint8(z)

    def __getattr__(self, name):
        return getattr(self.numpy_copy, name)


def test_a_faster_compiled_cpu_renderer_is_chosen_and_a_slower_one_is_not(generator,
                                                                          render_clock, no_gpu):
    _, numpy_copy = generator
    slow = SlowCopy(numpy_copy, render_clock)  # 30 ms
    fast = Compiled(numpy_copy, render_clock, 10)
    renderer, backend, note = choose_backend(slow, None, compile_cpu=lambda *_: (fast, ""))
    assert renderer is fast and backend == OPENVINO
    assert note == ("Rendered by OpenVINO: 10.0 ms per image (numpy copy 30.0 ms; TensorFlow "
                    "sees no GPU)")
    assert set(fast.threads) == {1}  # a 28 px generator is timed on the one thread it gets
    slower = Compiled(numpy_copy, render_clock, 50)
    renderer, backend, note = choose_backend(slow, None, compile_cpu=lambda *_: (slower, ""))
    assert renderer is slow and backend == NUMPY and "OpenVINO 50.0 ms" in note
    renderer, backend, note = choose_backend(slow, None, compile_cpu=lambda *_: (
        None, "OpenVINO could not compile it (RuntimeError: no)"))
    assert renderer is slow and "OpenVINO could not compile it (RuntimeError: no)" in note


def test_without_the_extra_or_when_switched_off_nothing_is_compiled(generator, monkeypatch):
    _, numpy_copy = generator
    assert compile_for_cpu(numpy_copy, 2) == (None, "")  # GAN_STUDIO_RENDER_BACKEND=numpy
    monkeypatch.delenv("GAN_STUDIO_RENDER_BACKEND")
    compiled, note = compile_for_cpu(numpy_copy, 2)
    assert note == "" and (compiled is None) == (importlib.util.find_spec("openvino") is None)
    monkeypatch.setitem(__import__("sys").modules, "openvino", None)  # not installed
    assert compile_for_cpu(numpy_copy, 2) == (None, "")


def test_a_compiled_renderer_renders_on_the_threads_the_explorer_chooses(qtbot, monkeypatch):
    from gan_studio.workers.explorer import renderer as renderer_module

    class BigCompiled(BigImages):
        threaded = True

        def __init__(self):
            self.threads = []

        def render_uint8(self, z, classes=None, should_stop=None, threads=1):
            self.threads.append(threads)
            return super().render_uint8(z)

    monkeypatch.setattr(renderer_module, "usable_cores", lambda: 2)
    renderer = renderer_module.ExplorerRenderer()
    renderer._load.cores = lambda: 0.0  # a quiet machine
    compiled, results = BigCompiled(), []
    renderer.rendered.connect(results.append)
    try:
        for training in (False, True):
            renderer.set_training(training)
            done = len(results)
            renderer.request(renderer_module.PREVIEW, compiled, np.zeros(4, np.float32))
            qtbot.waitUntil(lambda done=done: len(results) > done, timeout=10000)
    finally:
        renderer.shutdown()
    assert compiled.threads == [2, 1]  # both cores when quiet, one while training


def test_the_backends_are_timed_in_turns_so_a_burst_of_load_slows_them_alike(render_clock):
    from gan_studio.workers.explorer.backends import ROUNDS, TRIALS, render_ms

    calls = []

    def timed_render(name, ms):
        def render(z, labels):
            calls.append(name)
            render_clock[0] += ms / 1000 * (10 if len(calls) in (3, 4, 5) else 1)  # a burst
        return render

    times = render_ms([timed_render("a", 2), timed_render("b", 3)], 4, 0)
    each = TRIALS // ROUNDS + 1  # an untimed render first at every turn
    assert calls == (["a"] * each + ["b"] * each) * ROUNDS
    assert times == pytest.approx([2, 3])  # the burst hit a's first turn: the medians hold

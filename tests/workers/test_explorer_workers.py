"""The explorer's workers: latest-request rendering, directions, snapshots, generator sources."""

import os
import threading
import time

import numpy as np
import pytest
from helpers import tiny_generator
from PySide6.QtCore import QCoreApplication

from gan_studio.core.config import TrainConfig
from gan_studio.core.numpy_generator.generator import NumpyGenerator
from gan_studio.workers.explorer.directions import DirectionsService, compute_directions
from gan_studio.workers.explorer.generator_loading import run_grid_latents
from gan_studio.workers.explorer.renderer import PREVIEW, STRIP, ExplorerRenderer
from gan_studio.workers.explorer.slots import LatestSlots
from gan_studio.workers.training.session import TrainingSession
from gan_studio.workers.training.snapshots import GeneratorSnapshots

WAIT = 30  # seconds: how long a fake or the test waits for the other side (a bound, not a check)


class GatedGenerator:
    """Wraps a generator so that its renders wait for the test: `entered` is set once a render
    has begun, and every render waits until the test sets `go` (then all run freely).

    What happens while a render is held is decided by events, not by how long a render takes,
    so the tests hold for any interleaving of the threads.
    """

    threaded, num_classes, layers = False, 0, ()

    def __init__(self, generator):
        self._generator = generator
        self.latent_dim, self.output_shape = generator.latent_dim, generator.output_shape
        self.calls = 0
        self.entered, self.go = threading.Event(), threading.Event()

    def render_uint8(self, z):
        self.calls += 1
        self.entered.set()
        assert self.go.wait(WAIT), "the test never let the render go on"
        return self._generator.render_uint8(z)

    def features(self, z):
        return self._generator.features(z)


def test_slots_keep_the_newest_request_and_wake_once():
    slots = LatestSlots(["preview", "strip"], workers=2)
    wakes = [slots.put("preview", i)[1] for i in range(100)]
    assert wakes == [0, 1] + [None] * 98  # each idle worker woken once, however many requests
    slots.put("strip", "s")
    assert slots.replaced == 99
    assert slots.take(worker=0).payload == 99  # the most urgent channel first, newest only
    assert slots.take(worker=0).payload == "s"
    assert slots.take(worker=0) is None  # worker 0 is idle again
    assert slots.put("strip", "again")[1] == 0  # so the next request wakes it
    assert slots.take(worker=1).payload == "again"  # unless a busy one takes it first
    assert slots.take(worker=1) is None
    assert slots.put("preview", "x")[1] == 1  # 0 was woken already; 1 went idle since
    assert slots.take(worker=0).payload == "x"  # whoever comes first takes it
    assert slots.take(worker=1) is None and slots.take(worker=0) is None
    assert [slots.put("preview", i)[1] for i in range(3)] == [1, 0, None]


@pytest.fixture
def renderer(qtbot):
    renderer = ExplorerRenderer()
    yield renderer
    renderer.shutdown()
    assert not renderer.running


def test_rapid_requests_render_far_fewer_and_always_the_last(qtbot, renderer):
    generator = GatedGenerator(tiny_generator())
    results = []
    renderer.rendered.connect(results.append)
    latents = np.random.default_rng(1).standard_normal((100, 8)).astype(np.float32)
    # Every render waits until all 100 are asked: the thread takes one of them (which one
    # depends on the scheduler), and when it is free again only the newest is left.
    ids = [renderer.request(PREVIEW, generator, z) for z in latents]
    generator.go.set()
    qtbot.waitUntil(lambda: any(r.request_id == ids[-1] for r in results), timeout=10000)
    # Results of one thread arrive in order, so every render is in `results` now.
    assert 1 <= len(results) <= 2, [r.request_id for r in results]  # 100 asked, 2 at most drawn
    assert generator.calls == len(results)
    assert [r.request_id for r in results] == sorted({r.request_id for r in results})  # once each
    assert results[-1].request_id == ids[-1]  # the newest is drawn, and drawn last
    for result in results:  # each result is its own request's latent and image
        i = ids.index(result.request_id)
        np.testing.assert_array_equal(result.latents[0], latents[i])
        np.testing.assert_array_equal(result.images[0],
                                      tiny_generator().render_uint8(latents[i:i + 1])[0, ..., 0])
    assert renderer.replaced == len(ids) - len(results)  # each request drawn or replaced


class LayeredGenerator(NumpyGenerator):
    """A NumpyGenerator whose next interruptible render stops after its first layer until the
    test lets it go on (`mid_render` / `resume`): "mid-render" by events, not by a clock."""

    def __init__(self, generator):
        super().__init__(generator.ops, generator.to_arrays())
        self.completed = 0  # renders asked to run to the end (no `should_stop`)
        self.mid_render, self.resume = threading.Event(), threading.Event()
        self.resume.set()

    def hold_next_render(self):
        self.mid_render.clear()
        self.resume.clear()

    def render_uint8(self, z, should_stop=None):
        if should_stop is None:
            self.completed += 1
            return super().render_uint8(z)
        asked = [0]

        def stop_after_first_layer():  # asked once before each layer
            asked[0] += 1
            if asked[0] == 2 and not self.resume.is_set():
                self.mid_render.set()
                assert self.resume.wait(10)
            return should_stop()

        return super().render_uint8(z, should_stop=stop_after_first_layer)


def test_a_preview_overtaken_mid_render_is_dropped(qtbot, renderer):
    generator = LayeredGenerator(tiny_generator())
    results = []
    renderer.rendered.connect(results.append)
    latents = np.random.default_rng(4).standard_normal((3, 8)).astype(np.float32)
    generator.hold_next_render()
    renderer.request(PREVIEW, generator, latents[0])
    assert generator.mid_render.wait(10)  # latents[0] is between its layers
    renderer.request(PREVIEW, generator, latents[1])
    generator.resume.set()
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    assert [r.latents[0].tolist() for r in results] == [latents[1].tolist()]  # 0 was dropped
    expected = tiny_generator().render_uint8(latents[1:2])[0, ..., 0]
    np.testing.assert_array_equal(results[0].images[0], expected)  # layer by layer, same pixels
    assert generator.completed == 1  # after a drop the next render runs to its end at once
    renderer.request(PREVIEW, generator, latents[2])
    qtbot.waitUntil(lambda: len(results) == 2, timeout=10000)
    assert generator.completed == 1  # and the one after that may be dropped again
    renderer.shutdown()  # every render done: a late latents[0] would be in `results` now
    QCoreApplication.sendPostedEvents()  # deliver every result still queued for this thread
    assert [r.latents[0].tolist() for r in results] == [latents[1].tolist(),
                                                         latents[2].tolist()]


def test_a_batch_lets_the_preview_go_first(qtbot, renderer):
    generator = GatedGenerator(tiny_generator())
    order = []
    renderer.rendered.connect(lambda r: order.append(r.channel))
    strip = np.random.default_rng(2).standard_normal((16, 8)).astype(np.float32)
    renderer.request(STRIP, generator, strip)
    assert generator.entered.wait(WAIT)  # the strip's first chunk is being drawn
    renderer.request(PREVIEW, generator, strip[0])
    generator.go.set()
    qtbot.waitUntil(lambda: STRIP in order, timeout=10000)
    assert order == [PREVIEW, STRIP]  # the preview did not wait for the 16 frames


def test_batches_render_the_same_pixels_as_single_frames(qtbot, renderer):
    generator = tiny_generator(channels=3)
    results = []
    renderer.rendered.connect(results.append)
    latents = np.random.default_rng(3).standard_normal((7, 8)).astype(np.float32)
    renderer.request(STRIP, generator, latents)
    qtbot.waitUntil(lambda: bool(results), timeout=10000)
    assert results[0].images.shape == (7, 8, 8, 3)
    for i, z in enumerate(latents):
        np.testing.assert_array_equal(results[0].images[i], generator.render_uint8(z[None])[0])


def test_directions_are_found_in_the_background(qtbot):
    service = DirectionsService(samples=300)
    try:
        generator = tiny_generator()
        with qtbot.waitSignal(service.ready, timeout=20000) as ready:
            service.compute(generator)
        result = ready.args[0]
        assert result.renderer is generator
        vectors = result.directions.vectors
        assert vectors.shape == (8, 8)  # capped by the latent size
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-5)
        assert np.all(np.diff(result.directions.explained_ratio) <= 1e-6)
        np.testing.assert_array_equal(vectors, compute_directions(generator, 300).vectors)
    finally:
        service.shutdown()


def test_snapshots_are_throttled_and_the_last_is_kept(monkeypatch):
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])  # the clock of core.training.throttle
    sent = []
    snapshots = GeneratorSnapshots(lambda model: ("copy", model), sent.append)
    for step in range(5):
        snapshots.offer(step)
        now[0] += 0.3
    assert sent == [("copy", 0), ("copy", 4)]  # 0 at once, 4 once a second had passed
    snapshots.offer(5)
    snapshots.flush()
    assert sent[-1] == ("copy", 5)


def test_a_generator_that_cannot_be_copied_is_skipped():
    sent = []

    def refuse(_model):
        raise ValueError("unsupported layer")

    snapshots = GeneratorSnapshots(refuse, sent.append)
    snapshots.offer("model")
    snapshots.flush()
    assert sent == []


def test_training_sends_generator_snapshots(qtbot, fake_engine, tmp_path, clock):
    # With a converter the worker wants snapshots, and the fake trainer then offers
    # "model@<step>" after each step's report. The clock stands still (however slowly the
    # steps run): the first is copied at once, the rest kept, and the last one flushed.
    fake_engine.numpy_generator_from_keras = lambda model: {"copy of": model}
    session = TrainingSession(fake_engine)
    snapshots = []
    session.generator.connect(snapshots.append)
    try:
        with qtbot.waitSignal(session.finished, timeout=10000):
            session.train(TrainConfig(dataset="mnist", runs_dir=str(tmp_path), epochs=2,
                                      batch_size=8))
    finally:
        session.shutdown()
    assert snapshots == [{"copy of": "model@1"},
                         {"copy of": "model@8"}]  # the final weights always arrive


def test_training_thread_runs_at_lower_priority(qtbot, fake_engine, tmp_path):
    if not os.path.isdir("/proc/self/task"):
        pytest.skip("Linux only")
    seen = []
    original = fake_engine.Trainer.create

    def create(config, **kwargs):
        seen.append(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        return original(config, **kwargs)

    fake_engine.Trainer.create = staticmethod(create)
    session = TrainingSession(fake_engine)
    try:
        with qtbot.waitSignal(session.finished, timeout=10000):
            session.train(TrainConfig(dataset="mnist", runs_dir=str(tmp_path), epochs=1,
                                      batch_size=8))
    finally:
        session.shutdown()
    assert seen and seen[0] >= 10
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) < 10  # not the GUI's


def test_run_grid_latents_match_the_trainers_noise(tmp_path):
    config = TrainConfig(dataset="mnist", seed=7, grid_size=3).resolved()
    config.save(tmp_path / "config.json")
    latents = run_grid_latents(str(tmp_path), 100)
    expected = np.random.default_rng(7).standard_normal((9, 100)).astype("float32")
    np.testing.assert_array_equal(latents, expected)
    assert run_grid_latents(str(tmp_path), 64) is None
    assert run_grid_latents(str(tmp_path / "nothing"), 100) is None


def test_batches_render_in_their_class_weights(qtbot, renderer):
    from helpers import tiny_conditional_generator

    generator = tiny_conditional_generator()
    results = []
    renderer.rendered.connect(results.append)
    latents = np.random.default_rng(4).standard_normal((5, 8)).astype(np.float32)
    weights = np.eye(3, dtype=np.float32)[[0, 1, 2, 1, 0]]
    weights[4] = [0.5, 0.0, 0.5]  # a blend among the chunks
    renderer.request(STRIP, generator, latents, classes=weights)
    renderer.request(PREVIEW, generator, latents[0], classes=np.array([0, 0, 1], np.float32))
    qtbot.waitUntil(lambda: len(results) == 2, timeout=10000)
    by_channel = {result.channel: result for result in results}
    np.testing.assert_array_equal(by_channel[STRIP].images,
                                  generator.render_uint8(latents, classes=weights)[..., 0])
    np.testing.assert_array_equal(by_channel[STRIP].classes, weights)
    np.testing.assert_array_equal(by_channel[PREVIEW].images[0],
                                  generator.render_uint8(latents[:1], classes=[2])[0, ..., 0])


def test_directions_of_a_conditional_generator_are_found_in_a_class(qtbot):
    from helpers import tiny_conditional_generator

    generator = tiny_conditional_generator()
    with pytest.raises(ValueError):  # it needs a class
        compute_directions(generator, samples=100)
    first = compute_directions(generator, samples=100, class_index=0)
    assert first.vectors.shape == (8, 8)
    assert not np.allclose(compute_directions(generator, samples=100, class_index=2).sigmas,
                           first.sigmas)
    service = DirectionsService(samples=100)
    try:
        with qtbot.waitSignal(service.ready, timeout=20000) as ready:
            service.compute(generator, 1)
        assert ready.args[0].class_index == 1 and ready.args[0].renderer is generator
    finally:
        service.shutdown()


def test_run_class_names_come_from_the_config(tmp_path):
    from gan_studio.workers.explorer.generator_loading import run_class_names

    run = tmp_path / "run"
    run.mkdir()
    TrainConfig(num_classes=2, class_names=["cat", "dog"]).save(str(run / "config.json"))
    assert run_class_names(str(run)) == ("cat", "dog")
    assert run_class_names(str(tmp_path)) == () and run_class_names("") == ()


def test_the_tensorflow_fallback_takes_classes_and_blends():
    import keras
    from helpers import conditional_keras_generator
    from keras import layers

    from gan_studio.workers.explorer.generator_loading import TENSORFLOW, renderer_from_keras

    base = conditional_keras_generator(seed=4)
    x = layers.UpSampling2D(name="up")(base.get_layer("reshape").output)  # numpy cannot run it
    x = layers.Conv2D(1, 3, padding="same", activation="tanh", name="to_image")(x)
    model = keras.Model(base.inputs, x)
    renderer, backend, note = renderer_from_keras(model)
    assert backend == TENSORFLOW and note and renderer.num_classes == 4
    assert renderer.latent_dim == 6 and renderer.output_shape == (4, 4, 1)
    z = np.random.default_rng(5).standard_normal((3, 6)).astype(np.float32)
    classes = np.array([3, 0, 2], np.int32)
    expected = model([z, classes], training=False).numpy()
    np.testing.assert_allclose(renderer(z, classes), expected, atol=1e-5)
    np.testing.assert_allclose(renderer(z, np.eye(4, dtype=np.float32)[classes]), expected,
                               atol=1e-5)  # one-hot weights through the trunk: the classes
    half = renderer(z[:1], np.array([[0.5, 0.5, 0, 0]], np.float32))
    assert not np.allclose(half, renderer(z[:1], [0])) and not np.allclose(half, renderer(z[:1], [1]))
    assert renderer.render_uint8(z, classes).dtype == np.uint8
    assert renderer.features(z, classes).shape == (3, 16)
    with pytest.raises(ValueError):
        renderer(z)  # a conditional generator needs classes


def test_a_conditional_keras_file_loads_for_the_explorer(tmp_path, monkeypatch):
    from helpers import conditional_keras_generator

    from gan_studio.workers.explorer import generator_loading
    from gan_studio.workers.explorer.generator_loading import NUMPY, load_explorer_generator

    # It lowers its caller's priority, for good (a thread cannot raise it again): called here,
    # on the tests' main thread, every thread started after it would run at nice 10.
    monkeypatch.setattr(generator_loading, "lower_thread_priority", lambda *a: False)
    path = str(tmp_path / "conditional.keras")
    conditional_keras_generator().save(path)
    loaded = load_explorer_generator(path)
    assert loaded.backend == NUMPY and loaded.renderer.num_classes == 4
    assert loaded.class_names == () and loaded.grid_latents is None


def test_in_a_drag_faster_than_renders_a_preview_is_not_dropped():
    from types import SimpleNamespace

    from gan_studio.workers.explorer.renderer import _render_preview

    generator = tiny_generator()
    z = np.random.default_rng(5).standard_normal((1, 8)).astype(np.float32)
    always_newer = SimpleNamespace(pending=lambda channel: True)  # a newer request waits
    # Asked 10 ms after the previous request, and renders take 50 ms: a drag. The render
    # runs to its end, newer request or not.
    worker = SimpleNamespace(slots=always_newer, preview_seconds=0.05)
    images = _render_preview(generator, z, None, 1, worker, after=0.01)
    np.testing.assert_array_equal(images, generator.render_uint8(z))
    assert not worker.dropped_last
    # Asked after a pause longer than a render: dropped for the newer one, once in a row.
    assert _render_preview(generator, z, None, 1, worker, after=0.2) is None
    assert worker.dropped_last
    assert _render_preview(generator, z, None, 1, worker, after=0.2) is not None


def test_each_request_knows_how_long_after_the_previous_one_it_came(qtbot, renderer,
                                                                  monkeypatch):
    from types import SimpleNamespace

    from gan_studio.workers.explorer import renderer as renderer_module

    now = [100.0]  # the renderer's clock, moved by the test: the gap is exact, however busy
    monkeypatch.setattr(renderer_module, "time", SimpleNamespace(perf_counter=lambda: now[0]))
    generator = tiny_generator()
    z = np.zeros(8, np.float32)
    seen = []
    original = renderer._thread.submit
    renderer._thread.submit = lambda channel, request: seen.append(request) or original(
        channel, request)
    renderer.request(PREVIEW, generator, z)
    now[0] += 0.25
    renderer.request(PREVIEW, generator, z)
    renderer.request(STRIP, generator, np.zeros((3, 8), np.float32))
    assert seen[0].after == np.inf and seen[2].after == np.inf
    assert seen[1].after == 0.25


class FixedLoad:
    def __init__(self, cores):
        self.value = cores

    def cores(self):
        return self.value


def test_big_renders_use_the_cores_other_processes_leave_free(qtbot, monkeypatch):
    from gan_studio.workers.explorer import renderer as renderer_module

    monkeypatch.setattr(renderer_module, "usable_cores", lambda: 2)
    load = FixedLoad(0.1)
    renderer = renderer_module.ExplorerRenderer(load=load)
    try:
        big, small = (64, 64, 3), (32, 32, 3)
        assert renderer.threads_for(small) == 1
        assert renderer.threads_for(big) == 2  # a quiet machine: both cores
        load.value = 1.0  # a browser holds a core
        assert renderer.threads_for(big) == 1
        load.value = 0.4  # less than half a core: still free
        assert renderer.threads_for(big) == 2
        load.value = 3.0  # more than there are
        assert renderer.threads_for(big) == 1
        load.value = None  # cannot be read here: the spare cores
        assert renderer.threads_for(big) == 2
        renderer.set_training(True)  # training takes the cores in this process
        load.value = 0.0
        assert renderer.threads_for(big) == 1
    finally:
        renderer.shutdown()

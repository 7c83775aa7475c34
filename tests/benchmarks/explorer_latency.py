"""How fast does the latent explorer answer a slider, idle and while training runs?

    python tests/benchmarks/explorer_latency.py [--moves 600] [--rate 120] [--skip-training]
                                                [--busy-core]

Opens the real window (offscreen unless $QT_QPA_PLATFORM says otherwise), shows the explorer
with an MNIST (100 -> 28x28x1), a CIFAR-10 (128 -> 32x32x3) and two image-folder generators
(100 -> 64x64x3 and 128x128x3), each with the Layers tab closed and open, and drags the first
direction slider with a QTimer at `--rate` Hz for `--moves` moves. For every move it measures
the time from the slider's value change to the paint of the preview that shows it (or a newer
image): p50/p95/max. It also reports the preview's sustained repaint rate while dragging and the
GUI thread's longest stall (a 5 ms timer's largest lateness).

With `--busy-core` it drags each generator again while another process spins on one core (a
browser, a second app): the 64 and 128 px ones first with the renderer's load reading off (the
baseline) and then on, each with one render alone timed beside it.

Then it trains the MNIST GAN in the same window (the real TrainingSession and Trainer, on a
tiny mnist.npz of random uint8 digits written to a temporary folder, batch `--batch-size`) and
measures again: MNIST while the explorer follows the live generator (snapshots arrive and the
directions are recomputed during the drag), CIFAR-10 with a fixed generator. Ratios against idle
follow, and the 64 px generator while training. Targets on a 2-core CPU: p95 <= 10 ms idle,
<= 30 ms training; >= 60 fps; stall <= 50 ms; 64 px: p95 <= 16 ms idle, <= 40 ms training;
128 px: p95 <= 33 ms idle (30 fps).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

MODELS = {"mnist": (28, 1, 100), "cifar10": (32, 3, 128), "folder 64 px": (64, 3, 100),
          "folder 128 px": (128, 3, 100)}


def wait(app, condition, timeout: float, what: str) -> None:
    """Runs the event loop (a real one: events are handled as they come) until `condition()`."""
    from PySide6.QtCore import QEventLoop, QTimer

    if condition():
        return
    loop, end = QEventLoop(), time.perf_counter() + timeout
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if condition() or time.perf_counter() > end
                         else None)
    poll.start()
    loop.exec()
    poll.stop()
    if not condition():
        raise TimeoutError(f"timed out waiting for {what}")


class StallMeter:
    """A 5 ms timer on the GUI thread; its lateness is how long the event loop was blocked."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.lateness: list[float] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(5)
        self._timer.timeout.connect(self._tick)
        self._expected = 0.0

    def start(self):
        self.lateness = []
        self._expected = time.perf_counter() + 0.005
        self._timer.start()

    def stop(self) -> float:
        self._timer.stop()
        return max(self.lateness, default=0.0)

    def _tick(self):
        now = time.perf_counter()
        self.lateness.append(max(0.0, now - self._expected))
        self._expected = now + 0.005


def drag(app, explorer, moves: int, rate: float) -> dict:
    """Drags the first direction slider `moves` times at `rate` Hz; returns the statistics."""
    from PySide6.QtCore import Qt, QTimer

    slider = explorer.direction_sliders.sliders[0]
    painted: list[tuple[int, float]] = []
    explorer.preview.painted.connect(lambda tag: painted.append((tag, time.perf_counter())))
    renders: list[float] = []  # the preview renders' own seconds, on the render thread

    def on_rendered(result):
        if result.channel == "preview":
            renders.append(result.seconds)

    explorer.rendering.render_thread.rendered.connect(on_rendered)
    asked: list[tuple[int, float]] = []
    positions = np.round(300 * np.sin(np.linspace(0, 6 * np.pi, moves))).astype(int)
    positions[positions == 0] = 1  # every move changes the value (the start is 0)
    for i in range(1, moves):  # and no two consecutive moves are equal
        if positions[i] == positions[i - 1]:
            positions[i] += 1
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(round(1000 / rate))
    index = [0]

    def move():
        if index[0] >= moves:
            timer.stop()
            return
        t0 = time.perf_counter()
        slider.setValue(int(positions[index[0]]))  # valueChanged -> a render request
        asked.append((explorer.last_request_id, t0))
        index[0] += 1

    stalls = StallMeter()
    stalls.start()
    start = time.perf_counter()
    timer.timeout.connect(move)
    timer.start()
    wait(app, lambda: index[0] >= moves and painted and painted[-1][0] >= asked[-1][0],
         60 + moves / rate * 4, "the drag to finish")
    seconds = time.perf_counter() - start
    stall = stalls.stop()
    explorer.preview.painted.disconnect()
    explorer.rendering.render_thread.rendered.disconnect(on_rendered)
    slider.setValue(0)
    latencies, j = [], 0
    for request_id, t0 in asked:
        while painted[j][0] < request_id:
            j += 1
        latencies.append(painted[j][1] - t0)
    ms = np.array(latencies) * 1e3
    drag_seconds = asked[-1][1] - asked[0][1]
    frames = sum(1 for _tag, t in painted if asked[0][1] <= t <= asked[-1][1])
    return {"p50": float(np.percentile(ms, 50)), "p95": float(np.percentile(ms, 95)),
            "max": float(ms.max()), "fps": frames / drag_seconds, "moves_hz": moves / seconds,
            "stall": stall * 1e3, "n": len(ms),
            "render": float(np.median(renders)) * 1e3 if renders else float("nan")}


def show(app, window, loaded):
    """Puts a generator into the explorer and waits for its image and directions."""
    explorer = window.explorer
    before = explorer.model.state.directions if explorer.model.state is not None else None
    explorer.set_generator(loaded)
    wait(app, lambda: explorer.current_image() is not None and
         explorer.current_image().shape[:2] == loaded.renderer.output_shape[:2], 60, "an image")
    # The new generator's own directions (GANSpace on a thread of its own): the previous
    # generator's, of the same latent size, would let the drag begin while they are computed.
    wait(app, lambda: explorer.model.state.directions is not None and
         explorer.model.state.directions is not before and
         explorer.model.state.directions.vectors.shape[1] == loaded.renderer.latent_dim and
         len(explorer.direction_sliders.sliders) >= 8, 600, "the directions")


def row(name: str, stats: dict, idle: dict | None = None) -> str:
    text = (f"  {name:<34} p50 {stats['p50']:6.2f}  p95 {stats['p95']:6.2f}  max {stats['max']:7.2f}"
            f" ms   {stats['fps']:6.1f} fps   stall {stats['stall']:6.1f} ms"
            f"   ({stats['n']} moves at {stats['moves_hz']:.0f}/s; a render "
            f"{stats['render']:.1f} ms)")
    if idle:
        text += (f"\n  {'':<34} x{stats['p50'] / idle['p50']:.2f} p50, "
                 f"x{stats['p95'] / idle['p95']:.2f} p95, x{stats['fps'] / idle['fps']:.2f} fps, "
                 f"x{stats['stall'] / max(idle['stall'], 1e-3):.2f} stall vs idle")
    return text


def write_random_mnist(folder: str, count: int) -> None:
    rng = np.random.default_rng(0)
    x = rng.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    y = rng.integers(0, 10, count, dtype=np.uint8)
    np.savez(os.path.join(folder, "mnist.npz"), x_train=x, y_train=y, x_test=x[:10], y_test=y[:10])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--moves", type=int, default=600)
    parser.add_argument("--rate", type=float, default=120.0, help="slider moves per second")
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--skip-training", action="store_true")
    parser.add_argument("--render-threads", type=int, default=None,
                        help="the BLAS threads a 64 px or larger render may use (default: the "
                             "renderer's own choice)")
    parser.add_argument("--busy-core", action="store_true",
                        help="also drag each generator while another process spins on one core "
                             "(a browser, a second app), and time one render alone")
    parser.add_argument("--backends", default="numpy",
                        help="comma-separated render backends to drag each generator with: "
                             "numpy, openvino (the optional extra), auto (what the explorer "
                             "chooses by measuring, as when a file is opened)")
    parser.add_argument("--kernel-size", type=int, default=None,
                        help="the generators' transposed-convolution kernels (default: the "
                             "studio preset's, 4; the seed's models: 5)")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gan_studio.ui.main_window import MainWindow
    from gan_studio.ui.settings import AppSettings

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    tmp = tempfile.mkdtemp(prefix="explorer-latency-")
    settings = AppSettings(QSettings(os.path.join(tmp, "settings.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings)  # loads TensorFlow on its niced loader thread
    window.settings_path = os.path.join(tmp, "settings.ini")
    window.resize(1400, 900)
    window.show()
    dock = window._docks["explorer"]
    dock.show()
    dock.raise_()
    wait(app, lambda: window.tf_loader.device is not None, 300, "TensorFlow")

    from gan_studio.ml.networks.models import build_generator
    from gan_studio.ml.runtime.device import versions
    from gan_studio.workers.explorer.generator_loading import LoadedGenerator

    print(f"load average "
          f"{os.getloadavg()[0]:.2f}; {versions()}; numpy {np.__version__}; "
          f"Qt platform {app.platformName()}")
    print(f"Slider -> pixels on screen, {args.moves} moves at {args.rate:g} Hz (ms):")
    from gan_studio.core.presets import PRESETS

    kernel = args.kernel_size or PRESETS["studio"]["kernel_size"]
    print(f"Generators: the default architecture of each size, {kernel}x{kernel} kernels")
    generators = {}
    backends = args.backends.split(",")
    for name, (side, channels, latent) in MODELS.items():
        model = build_generator(side, side, channels, latent, seed=0, kernel_size=kernel)
        for backend in backends:
            label = name if backends == ["numpy"] else f"{name}, {backend}"
            renderer, chosen, note = backend_renderer(model, backend)
            generators[label] = LoadedGenerator(renderer, f"{name} (untrained)",
                                                backend=chosen, note=note)
            if backend == "auto":
                print(f"  {name}: {note}")
    def key(name: str) -> str:  # a generator's label with the first backend (while training)
        return name if backends == ["numpy"] else f"{name}, {backends[0]}"

    explorer = window.explorer
    explorer.generator_choice.set_following(False)
    if args.render_threads:
        explorer.rendering.render_thread.spare_threads = args.render_threads
        print(f"Renders of 64 px and up: {args.render_threads} BLAS thread(s) at most")
    idle = {}
    for name, loaded in generators.items():
        show(app, window, loaded)
        idle[name] = drag(app, explorer, args.moves, args.rate)
        print(row(f"{name}, idle", idle[name]))
        layers = explorer.layers_view
        explorer.tabs.setCurrentWidget(layers)
        layers.layers.setCurrentRow(layers.layers.count() // 2)  # a middle layer's maps
        print(row(f"{name}, idle, Layers open", drag(app, explorer, args.moves, args.rate),
                  idle[name]))
        explorer.tabs.setCurrentWidget(explorer.direction_sliders)
    if args.busy_core:
        busy_core(app, explorer, generators, idle, args)
    if args.skip_training:
        return finish(window)

    data = os.path.join(tmp, "data")
    os.makedirs(data)
    write_random_mnist(data, 40 * args.batch_size)
    panel = window.training_panel
    panel.dataset.set_dataset("mnist")
    panel.data_dir.set_path(data)
    panel.runs_dir.set_path(os.path.join(tmp, "runs"))
    panel.batch_size.setValue(args.batch_size)
    panel.length.set_length(1000, "epochs")
    panel.sample_every_steps.setValue(1)  # a grid, and so a generator snapshot, every 5 s
    explorer.generator_choice.set_following(True)
    steps = []
    window.session.progress.connect(lambda p: steps.append((p.step, time.perf_counter())))
    panel.train_button.click()
    wait(app, lambda: explorer.generator_choice.is_live and len(steps) >= 5, 600, "training")
    show(app, window, explorer.model.generator)
    print(f"\nWhile the MNIST GAN trains in the same process (batch {args.batch_size}; TensorFlow "
          "and the training thread at nice 10):")
    snapshots = []
    explorer.generator_changed.connect(snapshots.append)
    first = steps[-1]
    live = drag(app, explorer, args.moves, args.rate)
    print(row("mnist, live (refreshed + GANSpace)", live, idle[key("mnist")]))
    print(f"  {'':<34} {len(snapshots)} generator refreshes during the drag")
    explorer.generator_choice.set_following(False)
    show(app, window, generators[key("cifar10")])
    busy = drag(app, explorer, args.moves, args.rate)
    print(row("cifar10, fixed generator", busy, idle[key("cifar10")]))
    show(app, window, generators[key("folder 64 px")])
    busy = drag(app, explorer, args.moves, args.rate)
    print(row("folder 64 px, fixed generator", busy, idle[key("folder 64 px")]))
    last = steps[-1]
    rate = (last[0] - first[0]) / (last[1] - first[1])
    print(f"\nTraining went on meanwhile: {rate:.2f} steps/s ({rate * args.batch_size:.0f} "
          f"images/s) during the two drags.")
    window.session.stop()
    wait(app, lambda: not window.session.busy, 300, "training to stop")
    finish(window)


def backend_renderer(model, backend: str):
    """(renderer, backend, note) of a Keras generator for one of `--backends`."""
    from gan_studio.core.cpu_load import usable_cores
    from gan_studio.ml.generators.keras_renderer import KerasRenderer
    from gan_studio.workers.explorer.backends import choose_backend
    from gan_studio.workers.explorer.generator_loading import renderer_from_keras

    numpy_copy, chosen, note = renderer_from_keras(model)
    if backend == "openvino":
        from gan_studio.core.numpy_generator.openvino_renderer import OpenVinoRenderer

        return OpenVinoRenderer(numpy_copy, threads=(1, usable_cores())), "openvino", ""
    if backend == "auto":  # as the explorer's loader does: on a thread of its own, niced
        from concurrent.futures import ThreadPoolExecutor

        from gan_studio.workers.tf_loader import lower_thread_priority

        def choose():
            lower_thread_priority()
            return choose_backend(numpy_copy, lambda device: KerasRenderer(model, device))

        with ThreadPoolExecutor(1) as loader:
            return loader.submit(choose).result()
    return numpy_copy, chosen, note


def render_alone(loaded, threads: int, repeats: int = 20) -> float:
    """The median seconds of one preview render, on this thread with `threads` BLAS threads."""
    from gan_studio.workers.explorer.renderer import draw, limit_blas_threads

    limit_blas_threads(threads)
    z = np.random.default_rng(0).standard_normal((1, loaded.renderer.latent_dim)).astype(
        np.float32)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        draw(loaded.renderer, z, threads=threads)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def busy_core(app, explorer, generators, idle, args) -> None:
    """Drags each generator while a process spins on one core; prints p95s beside the quiet
    ones and one render alone (the bound a drag's p95 can approach)."""
    import subprocess

    from gan_studio.core.cpu_load import OthersLoad
    from gan_studio.workers.explorer.renderer import BIG_SIDE

    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(1.0)  # the load is measured over half a second
        print("\nWith another process spinning on one core:")
        renderer = explorer.rendering.render_thread
        for name, loaded in generators.items():
            show(app, window_of(explorer), loaded)
            if loaded.renderer.output_shape[0] >= BIG_SIDE:  # the baseline: the load unread
                load, renderer._load = renderer._load, OthersLoad(machine=lambda: None)
                stats = drag(app, explorer, args.moves, args.rate)
                renderer._load = load
                print(row(f"{name}, one core busy, load unread", stats, idle[name]))
            stats = drag(app, explorer, args.moves, args.rate)
            print(row(f"{name}, one core busy", stats, idle[name]))
            threads = renderer.threads_for(loaded.renderer.output_shape)
            print(f"  {'':<34} renders asked for {threads} BLAS thread(s); one render alone "
                  f"{render_alone(loaded, threads) * 1000:.1f} ms")
    finally:
        spinner.kill()
        spinner.wait()
    print("\nQuiet again, one render alone (ms):")
    time.sleep(1.0)
    for name, loaded in generators.items():
        threads = explorer.rendering.render_thread.threads_for(loaded.renderer.output_shape)
        print(f"  {name:<34} {render_alone(loaded, threads) * 1000:.1f} on {threads} thread(s); "
              f"idle p95 {idle[name]['p95']:.1f}")


def window_of(explorer):
    return explorer.window()


def finish(window) -> None:
    import shutil

    window.shutdown()
    window.settings.sync()  # nothing left to write at exit, which would make the folder again
    shutil.rmtree(os.path.dirname(window.settings_path), ignore_errors=True)


if __name__ == "__main__":
    main()

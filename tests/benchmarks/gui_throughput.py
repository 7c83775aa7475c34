"""Training in the window vs headless, and how late the GUI thread gets while the window trains.

    python tests/benchmarks/gui_throughput.py --data-dir /tmp/kcache [--rounds 3 --steps 40]

Figure 2: images/s of the same MNIST run (default preset) trained through the real window
(live loss curves and sample grids, explorer idle) ÷ trained headless by the same Trainer, run
alternately in one process, in turn first (headless in odd rounds, the window in even ones).
Figure 3: a 10 ms timer on the GUI thread measures its own lateness while the window trains
(p50, p99, max). Runs offscreen unless DISPLAY is set.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from paired_rounds import arm_order  # noqa: E402


def images_per_second(run_dir: str, warmup: int, steps: int, batch: int) -> float:
    from gan_studio.core.runs.metrics_log import read_metrics

    metrics = read_metrics(run_dir)
    times = dict(zip(metrics["step"].tolist(), metrics["time"].tolist()))
    return steps * batch / (times[warmup + steps] - times[warmup])


def cpu_seconds_by_thread_name() -> dict[str, float]:
    """CPU seconds used so far by this process's threads, summed per thread name (Linux)."""
    totals: dict[str, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return totals
    for tid in tids:
        try:
            with open(f"/proc/self/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue  # the thread ended
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        if tid == str(os.getpid()):
            name = "GUI thread"
        totals[name] = totals.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / tick
    return totals


class CollectorPauses:
    """Records how long each of Python's garbage collections takes (any thread)."""

    def __init__(self):
        import gc

        self.pauses: list[float] = []
        self._started = 0.0
        gc.callbacks.append(self._on_gc)

    def _on_gc(self, phase: str, _info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses.append((time.perf_counter() - self._started) * 1000)

    def close(self) -> None:
        import gc

        gc.callbacks.remove(self._on_gc)


class LatenessProbe:
    """A 10 ms precise timer on the GUI thread that records how late each tick is."""

    def __init__(self):
        from PySide6.QtCore import Qt, QTimer

        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(10)
        self.timer.timeout.connect(self._tick)
        self.late: list[float] = []
        self._last = None

    def _tick(self):
        now = time.perf_counter()
        if self._last is not None:
            self.late.append(max(0.0, now - self._last - 0.010) * 1000)
        self._last = now

    def start(self):
        self.late, self._last = [], None
        self.timer.start()

    def stop(self):
        self.timer.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--rounds", type=int, default=3,
                        help="an even number puts each arm first equally often")
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--hidden", action="store_true",
                        help="never show the window (separates painting from the rest)")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gan_studio.core.config import TrainConfig
    from gan_studio.ui.main_window import MainWindow
    from gan_studio.ui.settings import AppSettings

    _app = QApplication([])  # kept alive for the whole run
    workdir = tempfile.mkdtemp()
    settings = AppSettings(QSettings(os.path.join(workdir, "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings)
    window.resize(1400, 900)
    if not args.hidden:
        window.show()
    wait_for_tensorflow(window)
    warmup = 3
    config = TrainConfig(dataset="mnist", data_dir=args.data_dir,
                         runs_dir=os.path.join(workdir, "runs"),
                         max_steps=warmup + args.steps).resolved()
    try:
        run_rounds(args, window, config, warmup)
    finally:
        window.shutdown()
        window.close()


def wait_for_tensorflow(window) -> None:
    """Lets the window load TensorFlow as it does for a user, before any run.

    The window starts TensorFlow's runtime on a background thread at lower priority, and its
    thread pools inherit that priority. Were the headless run below the first to run an
    operation, it would create them at normal priority from the GUI thread, and the window's
    runs would then compete with its own painting at equal priority: not what a user gets.
    """
    from PySide6.QtWidgets import QApplication

    window.tf_loader.start()  # what showing the window does (also when --hidden)
    while window.tf_loader.device is None:
        QApplication.processEvents()
        time.sleep(0.01)


def run_rounds(args, window, config, warmup: int) -> None:
    from PySide6.QtCore import QEventLoop

    from gan_studio.ml.training.trainer import Trainer

    gui, headless, lateness, run_dirs = [], [], [], []
    cpu: dict[str, float] = {}
    window_seconds = 0.0
    window.session.run_started.connect(lambda run_dir, _config: run_dirs.append(run_dir))

    def train_headless() -> None:
        trainer = Trainer.create(config)
        trainer.run()
        headless.append(images_per_second(trainer.run_dir, warmup, args.steps, config.batch_size))
        # The headless run's graphs are this script's garbage, not the window's: the window
        # collects its own runs' garbage when each run ends.
        del trainer
        gc.collect()

    def train_in_window() -> str:
        """Trains in the window; returns what the GUI thread went through, for the round's line."""
        nonlocal window_seconds
        loop = QEventLoop()
        window.session.finished.connect(loop.quit)
        probe = LatenessProbe()
        collector = CollectorPauses()
        probe.start()
        cpu_before, started = cpu_seconds_by_thread_name(), time.perf_counter()
        window.session.train(config)
        loop.exec()
        probe.stop()
        collector.close()
        window_seconds += time.perf_counter() - started
        for name, seconds in cpu_seconds_by_thread_name().items():
            cpu[name] = cpu.get(name, 0.0) + seconds - cpu_before.get(name, 0.0)
        window.session.finished.disconnect(loop.quit)
        gui.append(images_per_second(run_dirs[-1], warmup, args.steps, config.batch_size))
        lateness.extend(probe.late)
        return (f"; GUI lateness p99 {np.percentile(probe.late, 99):.1f} ms, max "
                f"{max(probe.late):.1f} ms; longest GC pass "
                f"{max(collector.pauses, default=0):.1f} ms")

    arms = {"headless": train_headless, "window": train_in_window}
    for r in range(args.rounds):
        order = arm_order(r, list(arms))
        notes = {arm: arms[arm]() for arm in order}
        print(f"round {r + 1} ({order[0]} first): headless {headless[-1]:.1f} img/s, window "
              f"{gui[-1]:.1f} img/s, ratio {gui[-1] / headless[-1]:.3f}{notes['window']}",
              flush=True)
    late = np.array(lateness)
    busiest = sorted(cpu.items(), key=lambda item: -item[1])[:6]
    print("CPU while the window trains (cores): " + ", ".join(
        f"{name} {seconds / window_seconds:.2f}" for name, seconds in busiest))
    print(f"MNIST batch {config.batch_size}")
    # Each round pairs a headless and a window run taken seconds apart; this VM's speed drifts
    # by 10 % over minutes, so the median of the paired ratios is the steadier figure.
    ratios = [g / h for g, h in zip(gui, headless)]
    print(f"figure 2: window / headless = {statistics.median(ratios):.3f} (median of the rounds' "
          f"ratios; medians {statistics.median(gui):.1f} vs {statistics.median(headless):.1f} "
          f"img/s)")
    print(f"figure 3: GUI-thread lateness while training: p50 {np.percentile(late, 50):.1f} ms, "
          f"p99 {np.percentile(late, 99):.1f} ms, max {late.max():.1f} ms over {len(late)} ticks")


if __name__ == "__main__":
    main()

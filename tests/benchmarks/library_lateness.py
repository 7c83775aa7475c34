"""Does the window stay responsive while the runs library reads 200 run folders?

    python tests/benchmarks/library_lateness.py [--runs 200] [--min-rows 5000]
                                                [--max-rows 20000] [--keep DIR]

Writes `--runs` run folders in the real formats into a temporary folder: config.json
(`TrainConfig.save`, levers varied), metrics.csv (`MetricsLog`, 5,000 to 20,000 rows: 0.3 to
1.3 MB), quality.csv (`append_quality`, an evaluation every 1,000 steps), trained_time.json,
a note on every fifth, a sample grid of 8×8 tiles of 64 px (512×512 RGB PNG, `save_png`),
a sweep folder holding a tenth of them and one damaged folder. The metrics files and grids
are written once per size and copied, so the setup takes seconds.

Then it opens the `RunsLibrary` widget (offscreen unless $QT_QPA_PLATFORM says otherwise),
runs a 5 ms timer on the GUI thread and measures its lateness (how long the event loop was
held up) while the library reads every folder, then while it refreshes with nothing changed
and after one run's note changed. It prints the read time and the lateness p50/p99/max of
each. The files were just written, so they come from the page cache: a cold disk makes the
reads longer, not the GUI thread later (the reading is on the reader's thread). Target on a
2-core CPU: lateness p99 <= 16 ms (a frame), max <= 50 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from explorer_latency import StallMeter  # noqa: E402  (the same 5 ms timer)

TEMPLATES = 4  # metrics files (and grids) of different sizes, copied into the runs
MIN_SECONDS = 1.0  # the shortest measurement: a quick refresh's ticks are too few alone


def write_metrics_template(folder: str, rows: int, seed: int) -> str:
    from gan_studio.core.runs.metrics_log import MetricsLog
    from gan_studio.core.training.progress import StepMetrics

    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    log = MetricsLog(folder)
    g, d = 1.0 + 0.2 * rng.standard_normal(rows), 1.2 + 0.2 * rng.standard_normal(rows)
    real, fake = rng.uniform(0.4, 0.8, rows), rng.uniform(0.2, 0.6, rows)
    step_seconds = 0.05 + 0.02 * seed
    log.append([StepMetrics(i + 1, i // 1875, g[i], d[i], real[i], fake[i],
                            1.7e9 + step_seconds * i) for i in range(rows)])
    log.close()
    return os.path.join(folder, "metrics.csv")


def write_grid_template(path: str, seed: int) -> str:
    from gan_studio.core.grid import tile_grid
    from gan_studio.core.images import save_png

    rng = np.random.default_rng(seed)
    # Smooth random tiles (a blurred noise field each): about what a trained GAN's grid
    # compresses to, unlike white noise.
    coarse = rng.integers(0, 256, (64, 8, 8, 3)).astype(np.float64)
    tiles = np.repeat(np.repeat(coarse, 8, axis=1), 8, axis=2)
    tiles += rng.normal(0, 12, tiles.shape)
    save_png(path, tile_grid(np.clip(tiles, 0, 255).astype(np.uint8), columns=8))
    return path


def make_runs(root: str, runs: int, min_rows: int, max_rows: int) -> int:
    """Writes the run folders; returns the bytes of metrics written."""
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.quality.report import QualityReport, append_quality
    from gan_studio.core.runs.layout import CONFIG_FILE, NOTE_FILE, SAMPLES_DIR, SWEEP_FILE
    from gan_studio.core.runs.trained_time import record_trained_seconds

    templates = os.path.join(root, ".templates")
    sizes = np.linspace(min_rows, max_rows, TEMPLATES).astype(int)
    metrics = [write_metrics_template(os.path.join(templates, str(i)), int(n), i)
               for i, n in enumerate(sizes)]
    grids = [write_grid_template(os.path.join(templates, f"grid-{i}.png"), i)
             for i in range(TEMPLATES)]
    sweep = os.path.join(root, "sweep-mnist-20250101-000000")
    os.makedirs(sweep)
    with open(os.path.join(sweep, SWEEP_FILE), "w") as f:
        f.write("{}\n")
    rates, losses, total = (1e-4, 2e-4, 4e-4), ("bce", "hinge"), 0
    for i in range(runs):
        parent = sweep if i % 10 == 0 else root
        run = os.path.join(parent, f"mnist-2025{i:04d}")
        os.makedirs(os.path.join(run, SAMPLES_DIR))
        TrainConfig(dataset="mnist" if i % 3 else "cifar10", learning_rate=rates[i % 3],
                    loss=losses[i % 2], seed=i).save(os.path.join(run, CONFIG_FILE))
        k = i % TEMPLATES
        shutil.copyfile(metrics[k], os.path.join(run, "metrics.csv"))
        total += os.path.getsize(metrics[k])
        shutil.copyfile(grids[k], os.path.join(run, SAMPLES_DIR, "last.png"))
        for step in range(1000, int(sizes[k]) + 1, 1000):
            append_quality(run, QualityReport(step=step, epoch=0, fd=200.0 / (1 + step / 2000)
                                              + i % 7, kid=0.01, kid_error=0.001,
                                              diversity=0.9, time=1.7e9 + step))
        record_trained_seconds(run, int(sizes[k]) // 2, 600.0)
        if i % 5 == 0:
            with open(os.path.join(run, NOTE_FILE), "w", encoding="utf-8") as f:
                f.write(f"run {i}: learning rate {rates[i % 3]:g}\n")
    damaged = os.path.join(root, "damaged")
    os.makedirs(damaged)
    with open(os.path.join(damaged, CONFIG_FILE), "w") as f:
        f.write("{not json")
    shutil.rmtree(templates)
    return total


def measure(app, library, what: str, start) -> None:
    """Runs `start()` and the event loop until the library's reader is done (and for at least
    `MIN_SECONDS`, so that a quick refresh still gives the timer enough ticks); prints."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop, finished = QEventLoop(), []
    began = time.perf_counter()

    def on_done():
        finished.append(time.perf_counter() - began)

    def check():
        if finished and time.perf_counter() - began >= MIN_SECONDS:
            loop.quit()
        elif time.perf_counter() - began > 120:
            loop.quit()

    library.reader.done.connect(on_done)
    poll = QTimer(interval=20)
    poll.timeout.connect(check)
    meter = StallMeter()
    meter.start()
    start()
    poll.start()
    loop.exec()
    poll.stop()
    meter.stop()
    ms = np.array(meter.lateness) * 1e3
    library.reader.done.disconnect(on_done)
    if not finished:
        raise TimeoutError(f"{what}: the library did not finish reading in 2 minutes")
    print(f"  {what:<28} {finished[0]:6.2f} s  {library.model.rowCount():4d} rows   lateness "
          f"p50 {np.percentile(ms, 50):5.1f}  p99 {np.percentile(ms, 99):5.1f}  "
          f"max {ms.max():5.1f} ms  ({len(ms)} ticks)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--min-rows", type=int, default=5000)
    parser.add_argument("--max-rows", type=int, default=20000)
    parser.add_argument("--keep", help="write the runs here and keep them")
    args = parser.parse_args(argv)
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    from PySide6.QtWidgets import QApplication

    from gan_studio.core.runs.library import write_note
    from gan_studio.ui.runs.library_window import RunsLibrary

    app = QApplication.instance() or QApplication([])
    root = args.keep or tempfile.mkdtemp(prefix="library-lateness-")
    try:
        began = time.perf_counter()
        total = make_runs(root, args.runs, args.min_rows, args.max_rows)
        print(f"{platform.python_implementation()} "
              f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f}; "
              f"Qt platform {app.platformName()}")
        print(f"{args.runs} runs (+1 damaged), {total / 1e6:.0f} MB of metrics.csv "
              f"({args.min_rows:,}-{args.max_rows:,} rows), written in "
              f"{time.perf_counter() - began:.1f} s")
        library = RunsLibrary([root])
        library.resize(1200, 800)
        measure(app, library, "first read (every folder)", library.show)
        measure(app, library, "refresh, nothing changed", library.refresh)
        first = library.model.summary(0).folder
        measure(app, library, "refresh, one note changed",
                lambda: (write_note(first, "changed"), library.refresh()))
        library.shutdown()
        # The baseline: the same reading done on the GUI thread, as a window that read its
        # runs in a slot would: the whole read is one stall.
        from gan_studio.core.runs.library import read_thumbnail, scan_runs
        from gan_studio.core.runs.run_summary import read_summary

        began = time.perf_counter()
        for folder in scan_runs([root]):
            read_thumbnail(read_summary(folder).grid)
        stall = time.perf_counter() - began
        print(f"  baseline: the same read on the GUI thread stalls it {stall * 1000:,.0f} ms "
              "in one piece")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()

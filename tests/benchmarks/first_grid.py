"""Train click -> first sample grid on screen, in the real window, warm and cold.

    python tests/benchmarks/first_grid.py --data-dir /tmp/kcache [--data mnist cifar10]
        [--rounds 2]

Each measurement builds the real `MainWindow`, shows it, picks the data set in the training
panel (cached data), and triggers the panel's Train action, as a click does. It times, from
that click:
- `grid`: the first sample grid (the run's fixed noise through the untrained generator, sent
  before the first step) painted in the sample view;
- `first step`: the first trained step reported, which includes tracing the train step's
  graph;
- `trained grid`: the first grid drawn after training began, painted.

Each click starts a new run (File -> New Run first). `warm`: TensorFlow is already loaded (the window's loader has finished, as a few seconds after
launch), and the data set is in the OS's file cache; the first round of a process is dropped
from the warm figures, since it also pays Python's first imports of the engine. `cold`: a fresh
process whose click comes as soon as the window shows, so TensorFlow loads after it (the
command's own start-up is not counted). Runs offscreen unless DISPLAY is set.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from gui_throughput import wait_for_tensorflow  # noqa: E402  (the window loads it as for a user)

MARKS = ("grid", "first step", "trained grid")


def open_window(workdir: str):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gan_studio.ui.main_window import MainWindow
    from gan_studio.ui.settings import AppSettings

    app = QApplication.instance() or QApplication([])
    settings = AppSettings(QSettings(os.path.join(workdir, "s.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings)
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    return app, window


def time_click(app, window, data: str, data_dir: str, runs_dir: str,
               limit: float = 300.0) -> dict[str, float]:
    """Clicks Train for `data`; returns seconds from the click to each of `MARKS`."""
    panel = window.training_panel
    window.runs.new_run.trigger()  # File -> New Run: the form, not the last run shown
    panel.dataset.set_dataset(data)
    panel.data_dir.set_path(data_dir)
    panel.runs_dir.set_path(runs_dir)
    marks: dict[str, float] = {}
    trained = []
    view = window.sample_view

    def on_grid(grid):
        # The view paints on the next pass of the event loop: time it after that pass.
        app.processEvents()
        view.repaint()
        key = "grid" if grid.step == 0 and "grid" not in marks else "trained grid"
        if key == "grid" or trained:
            marks.setdefault(key, time.perf_counter() - clicked)

    def on_progress(progress):
        if progress.steps and "first step" not in marks:
            marks["first step"] = time.perf_counter() - clicked
            trained.append(True)

    window.session.grid.connect(on_grid)
    window.session.progress.connect(on_progress)
    clicked = time.perf_counter()
    panel.train_action.trigger()
    while len(marks) < len(MARKS) and time.perf_counter() - clicked < limit:
        app.processEvents()
        time.sleep(0.002)
    window.session.stop()
    while window.session.busy:
        app.processEvents()
        time.sleep(0.01)
    window.session.grid.disconnect(on_grid)
    window.session.progress.disconnect(on_progress)
    return marks


def child(args) -> None:
    """One process: a cold click, or warm rounds; prints one JSON line per measurement."""
    workdir = tempfile.mkdtemp()
    app, window = open_window(workdir)
    if args.child == "warm":
        wait_for_tensorflow(window)
    for r in range(args.rounds if args.child == "warm" else 1):
        for data in args.data:
            marks = time_click(app, window, data, args.data_dir, os.path.join(workdir, "runs"))
            print(json.dumps({"mode": args.child, "data": data, "round": r, **marks}),
                  flush=True)
    window.shutdown()
    window.close()


def run_child(args, mode: str, data: list[str]) -> list[dict]:
    command = [sys.executable, os.path.abspath(__file__), "--child", mode, "--data", *data,
               "--data-dir", args.data_dir, "--rounds", str(args.rounds)]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--data", nargs="+", default=["mnist", "cifar10"],
                        choices=["mnist", "cifar10"])
    parser.add_argument("--rounds", type=int, default=3, help="warm rounds per data set")
    parser.add_argument("--child", choices=["warm", "cold"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    rows = run_child(args, "warm", args.data)
    warm = [row for row in rows if row["round"] > 0]
    cold = [row for data in args.data for row in run_child(args, "cold", [data])]
    print("the panel's defaults (studio); seconds from the Train click (median of rounds):")
    for data in args.data:
        for mode, group in (("warm", warm), ("cold", cold)):
            picked = [row for row in group if row["data"] == data]
            figures = ", ".join(
                f"{mark} {statistics.median(row.get(mark, float('nan')) for row in picked):.2f}"
                for mark in MARKS)
            print(f"{data:8s} {mode}: {figures} ({len(picked)} runs)")


if __name__ == "__main__":
    main()

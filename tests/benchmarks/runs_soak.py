"""Run after run in the real window: does each run leave memory, threads or timers behind?

    nice -n 10 python tests/benchmarks/runs_soak.py --data-dir /tmp/kcache [--runs 5]
        [--seconds 60 | --steps N] [--dataset mnist|cifar10] [--runs-dir DIR] [--top 15]

The real `MainWindow` (real engine, real TensorFlow, loaded by the window as for a user) trains
`--runs` new runs one after the other, each as a user starts it: File -> New Run, the data set
and folders set in the training panel, the panel's Train action; after `--seconds` of training
(from the first trained step) or `--steps` steps, the panel's Stop action (the checkpoint is
saved), then it waits until the session is idle, lets the window settle (`--settle` s), runs
a full garbage collection and records: resident memory (VmRSS), glibc malloc's bytes in use and
free in its arenas (mallinfo2), Python's and the OS's thread counts, the window's live
QTimers, and the live Keras models, Keras and tf.Variables, tf.functions and the Python objects
(frozen ones included: the window freezes what survives each run, so counting unfreezes and
refreezes, collecting nothing). It prints a row per run, then memory after the last run minus
after the first, against the issue's limit (150 MB); the first run's own growth (TensorFlow's
first graphs, the data set loaded) is shown apart, from a sample taken before it. `--top` also
lists the object types whose count grew most from run 1 to the last. At the end, as a
diagnostic that changes nothing measured before it, it unfreezes the heap and collects: what
that frees is cyclic garbage the freezes had kept. Runs offscreen unless DISPLAY is set.
Not a CI test.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import os
import sys
import tempfile
import threading
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if not os.environ.get("DISPLAY"):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from first_grid import open_window  # noqa: E402  (the same window and settings file)
from gui_throughput import wait_for_tensorflow  # noqa: E402
from soak import malloc_mb, os_threads, resident_mb  # noqa: E402

LIMIT_MB = 150.0  # the criterion: memory after run N minus after run 1


def pump(app, seconds: float) -> None:
    """Runs the event loop for `seconds`."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)


def count_objects() -> tuple[dict[str, int], collections.Counter]:
    """Counts live objects of interest and every type, frozen objects included.

    `gc.get_objects()` skips the frozen (permanent) generation, where the window's
    `settle_garbage` puts what outlives each run: unfreeze, list, freeze again. Nothing is
    collected, so no garbage the freezes kept is freed here.
    """
    import keras
    import tensorflow as tf
    from tensorflow.python.eager.polymorphic_function.concrete_function import ConcreteFunction
    from tensorflow.python.eager.polymorphic_function.polymorphic_function import Function

    kinds = {"keras models": keras.Model, "variables": (keras.Variable, tf.Variable),
             "tf.functions": Function, "concrete fns": ConcreteFunction}
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    try:
        objects = gc.get_objects()
    finally:
        if frozen:
            gc.freeze()
    by_type: collections.Counter = collections.Counter()
    counts = dict.fromkeys(kinds, 0)
    for obj in objects:
        # type(), not isinstance: never touches a proxy's __class__; the MRO, not issubclass:
        # an ABC's subclass check caches a weak reference per class tried (36,000 of them).
        cls = type(obj)
        by_type[f"{cls.__module__}.{cls.__qualname__}"] += 1
        mro = cls.__mro__
        for name, kind in kinds.items():
            if any(k in mro for k in (kind if isinstance(kind, tuple) else (kind,))):
                counts[name] += 1
    counts["gc objects"] = len(objects)
    del objects
    return counts, by_type


def sample(window, label: str) -> dict:
    """A full collection, then the process's memory, threads, timers and objects."""
    from PySide6.QtCore import QTimer

    gc.collect()
    in_use, kept = malloc_mb()
    row = {"label": label, "rss": resident_mb(), "malloc": in_use, "free": kept,
           "py threads": threading.active_count(), "os threads": os_threads(),
           "qtimers": len(window.findChildren(QTimer))}
    counts, by_type = count_objects()
    row.update(counts)
    row["by type"] = by_type
    return row


COLUMNS = (("label", "{:>8s}"), ("rss", "{:8.1f}"), ("malloc", "{:8.1f}"), ("free", "{:6.1f}"),
           ("py threads", "{:4d}"), ("os threads", "{:4d}"), ("qtimers", "{:4d}"),
           ("keras models", "{:6d}"), ("variables", "{:6d}"), ("tf.functions", "{:5d}"),
           ("concrete fns", "{:5d}"), ("gc objects", "{:8d}"))
HEADER = (f"{'':>8s} {'RSS MB':>8s} {'malloc':>8s} {'free':>6s} {'pyth':>4s} {'osth':>4s} "
          f"{'QTim':>4s} {'models':>6s} {'vars':>6s} {'tf.fn':>5s} {'conc':>5s} "
          f"{'objects':>8s}  run")


def print_row(row: dict, note: str = "") -> None:
    cells = " ".join(fmt.format(row[key]) for key, fmt in COLUMNS)
    print(f"{cells}  {note}", flush=True)


def train_once(app, window, args, runs_dir: str) -> str:
    """One run as a user makes it: New Run, the form, Train; Stop after the budget; idle.

    Returns:
        A note for the table: the run folder, steps and seconds trained, the saved checkpoint.
    """
    from gan_studio.core.runs.layout import list_checkpoints

    panel = window.training_panel
    window.runs.new_run.trigger()  # File -> New Run: the form, not the last run shown
    panel.dataset.set_dataset(args.dataset)
    panel.data_dir.set_path(args.data_dir)
    panel.runs_dir.set_path(runs_dir)
    seen = {"step": 0, "first": None}

    def on_progress(progress):
        if progress.steps:
            seen["step"] = progress.step
            if seen["first"] is None:
                seen["first"] = time.monotonic()

    window.session.progress.connect(on_progress)
    clicked = time.monotonic()
    panel.train_action.trigger()
    while window.session.busy:
        first = seen["first"]
        if args.steps and seen["step"] >= args.steps:
            break
        if not args.steps and first is not None and time.monotonic() - first >= args.seconds:
            break
        if time.monotonic() - clicked > args.limit:
            print(f"  no stop condition after {args.limit:g} s: stopping", flush=True)
            break
        pump(app, 0.05)
    trained = time.monotonic() - (seen["first"] or clicked)
    run_dir = window.session.run_dir or "?"
    stop_at = time.monotonic()
    panel.stop_action.trigger()  # the Stop button: the trainer saves a checkpoint and ends
    while window.session.busy:
        pump(app, 0.05)
    stopped = time.monotonic() - stop_at
    window.session.progress.disconnect(on_progress)
    pump(app, args.settle)  # the finished run's last grid, the explorer's generator...
    saved = list_checkpoints(run_dir) if os.path.isdir(run_dir) else []
    checkpoint = f"checkpoint at step {saved[-1][0]}" if saved else "NO checkpoint"
    return (f"{os.path.basename(run_dir)}: {seen['step']} steps in {trained:.0f} s, stopped in "
            f"{stopped:.1f} s, {checkpoint}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--dataset", default="mnist", choices=["mnist", "cifar10"])
    parser.add_argument("--runs", type=int, default=5)
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=float, default=60.0,
                        help="training seconds per run, from its first step (default 60)")
    budget.add_argument("--steps", type=int, default=0,
                        help="steps per run instead of seconds")
    parser.add_argument("--runs-dir", help="where the runs go (default: a temporary folder)")
    parser.add_argument("--settle", type=float, default=3.0,
                        help="seconds the window runs its event loop after a run ends")
    parser.add_argument("--limit", type=float, default=900.0,
                        help="seconds after Train at which a run is stopped whatever its budget")
    parser.add_argument("--top", type=int, default=15,
                        help="object types whose count grew most from run 1 to the last")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    workdir = tempfile.mkdtemp(prefix="gan-studio-runs-soak-")
    runs_dir = args.runs_dir or os.path.join(workdir, "runs")
    app, window = open_window(workdir)
    wait_for_tensorflow(window)
    pump(app, args.settle)
    budget = f"{args.steps} steps" if args.steps else f"{args.seconds:g} s"
    print(f"{args.runs} runs of {args.dataset}, {budget} each, runs in {runs_dir}", flush=True)
    print(HEADER)
    rows = [sample(window, "before")]
    print_row(rows[0], "TensorFlow loaded, no run yet")
    for number in range(1, args.runs + 1):
        note = train_once(app, window, args, runs_dir)
        rows.append(sample(window, f"run {number}"))
        print_row(rows[-1], note)

    before, first, last = rows[0], rows[1], rows[-1]
    growth = last["rss"] - first["rss"]
    print(f"\n{os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, {args.dataset}, "
          f"{args.runs} runs of {budget}")
    print(f"first run (warm-up): RSS {before['rss']:.1f} -> {first['rss']:.1f} MB "
          f"({first['rss'] - before['rss']:+.1f} MB), malloc in use "
          f"{first['malloc'] - before['malloc']:+.1f} MB")
    if len(rows) > 2:
        steps = [b["rss"] - a["rss"] for a, b in zip(rows[1:], rows[2:])]
        print(f"run {args.runs} - run 1: RSS {growth:+.1f} MB (limit {LIMIT_MB:g} MB: "
              f"{'PASS' if growth <= LIMIT_MB else 'FAIL'}); malloc in use "
              f"{last['malloc'] - first['malloc']:+.1f} MB; per run "
              f"{', '.join(f'{s:+.1f}' for s in steps)} MB")
        print(f"Python threads {first['py threads']} -> {last['py threads']}, OS threads "
              f"{first['os threads']} -> {last['os threads']}, QTimers {first['qtimers']} -> "
              f"{last['qtimers']}, Keras models {first['keras models']} -> "
              f"{last['keras models']}, variables {first['variables']} -> {last['variables']}, "
              f"tf.functions {first['tf.functions']} -> {last['tf.functions']}")
        grew = (last["by type"] - first["by type"]).most_common(args.top)
        if grew:
            print(f"object types that grew most from run 1 to run {args.runs}:")
            for name, count in grew:
                print(f"  {count:+8d}  {name}")
    gc.unfreeze()
    freed = gc.collect()
    collected = resident_mb(), malloc_mb()[0]
    ctypes.CDLL("libc.so.6").malloc_trim(0)
    print(f"diagnostic: unfrozen and collected: {freed} unreachable objects the freezes had "
          f"kept; RSS {collected[0]:.1f} MB, malloc in use {collected[1]:.1f} MB; after "
          f"malloc_trim RSS {resident_mb():.1f} MB")
    window.shutdown()
    window.close()


if __name__ == "__main__":
    main()

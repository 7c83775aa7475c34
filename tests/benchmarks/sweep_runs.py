"""A real sweep, timed: the meter's preparation before the runs, each run's wall time and
training time, and the ranking (is every run measured at its budget's end? is it fair?).

    python tests/benchmarks/sweep_runs.py --data-dir DIR [--data mnist]
        [--vary lr=1e-4,2e-4,4e-4 ...] [--minutes 2 | --steps N | --images N]
        [--runs-dir FOLDER] [--continue SWEEP_DIR]

Trains the sweep with `SweepRunner`, as `gan-studio sweep` does, into `--runs-dir` (default: a
scratch folder). Prints, in seconds since the runner started: when the meter was ready (the
feature network trains once per data set, before any run's budget starts; a second sweep on
the same data loads it), when each run started and ended, each run's last step and trained
minutes, and the ranking as JSON. Fairness holds when every run of a time budget reaches its
minutes and no run spent its budget preparing the meter (each run's `quality_preparing`
events are counted: 0 expected). Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache (mnist, CIFAR-10)")
    parser.add_argument("--data", default="mnist")
    parser.add_argument("--vary", action="append", default=None)
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float)
    budget.add_argument("--steps", type=int)
    budget.add_argument("--images", type=int)
    parser.add_argument("--runs-dir")
    parser.add_argument("--continue", dest="continue_dir")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    from gan_studio.core.sweep.sweep_plan import make_plan
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.core.training.events import EventKind
    from gan_studio.ml.training.sweep_runner import SweepCallbacks, SweepRunner

    start = time.perf_counter()
    log: list[dict] = []
    preparing = {}

    def note(what: str, **data) -> None:
        log.append({"t": round(time.perf_counter() - start, 2), "what": what, **data})
        print(json.dumps(log[-1]), flush=True)

    class RunEvents(TrainingCallbacks):
        def __init__(self, index):
            self.index = index
            preparing[index] = 0

        def on_event(self, event):
            if event.kind == EventKind.QUALITY_PREPARING:
                preparing[self.index] += 1

        def on_quality(self, report):
            note("quality", run=self.index, step=report.step, fd=report.fd)

    class Timings(SweepCallbacks):
        ready = False

        def training_callbacks(self, index, run_dir):
            if not self.ready:
                note("meter ready")
                self.ready = True
            return RunEvents(index)

        def on_run_started(self, index, run_dir, label):
            note("run started", run=index, label=label, run_dir=run_dir)

        def on_run_ended(self, index, run_dir, state, reason):
            note("run ended", run=index, state=state, reason=reason,
                 meter_waits=preparing.get(index, 0))

    if args.continue_dir:
        runner = SweepRunner.open(args.continue_dir, callbacks=Timings())
    else:
        runs_dir = args.runs_dir or tempfile.mkdtemp(prefix="sweep-bench-")
        if args.minutes is None and args.steps is None and args.images is None:
            args.minutes = 2.0
        plan = make_plan(args.data, args.vary or ["lr=1e-4,2e-4,4e-4"], minutes=args.minutes,
                         steps=args.steps, images=args.images, data_dir=args.data_dir,
                         runs_dir=runs_dir)
        runner = SweepRunner.create(plan, callbacks=Timings())
    note("sweep", folder=runner.folder)
    outcome = runner.run()
    note("done", outcome=outcome)
    print(json.dumps({"outcome": outcome, "ranking": [r.to_dict() for r in runner.ranking],
                      "timeline": log}, indent=1))


if __name__ == "__main__":
    main()

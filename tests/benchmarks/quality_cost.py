"""What the live quality meter costs training: images/s with the meter on ÷ off, and FD over time.

    python tests/benchmarks/quality_cost.py --data-dir /tmp/kcache [--minutes 10] [--cold]

Two runs of the default preset on real MNIST train side by side, each pinned to one core
(`taskset -c 0` and `-c 1`), so that the machine's noise hits both alike: one with the meter on
(measuring every `--every` minutes and at epoch ends), one with it off. Each prints its images/s
over the whole run; the meter's run also prints every measurement, so the FD's course over the
run is in the output. `--cold` gives the meter's run a data folder of its own without a cached
feature network, so its preparation is paid within the run too.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def train(data_dir: str, minutes: float, every: float, seed: int) -> None:
    """One run (in a child process): prints JSON lines of measurements, then the throughput."""
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.core.training.control import TrainControl
    from gan_studio.ml.training.trainer import Trainer

    control, steps, start = TrainControl(), [0], time.monotonic()

    class Watch(TrainingCallbacks):
        def on_progress(self, progress):
            steps[0] = progress.step
            if time.monotonic() - start >= minutes * 60:
                control.stop()

        def on_quality(self, report):
            print(json.dumps({"minute": round((time.monotonic() - start) / 60, 2),
                              "step": report.step, "fd": round(report.fd, 3),
                              "kid": round(report.kid, 5), "score": report.score,
                              "diversity": round(report.diversity, 3),
                              "seconds": round(report.seconds, 2)}), flush=True)

        def on_collapse(self, warning):
            print(json.dumps({"collapse": warning.message}), flush=True)

    with tempfile.TemporaryDirectory() as runs_dir:
        config = TrainConfig(dataset="mnist", data_dir=data_dir, runs_dir=runs_dir, epochs=1000,
                             seed=seed, quality_every_minutes=every)
        trainer = Trainer.create(config, callbacks=Watch(), control=control)
        trainer.run()
    elapsed = time.monotonic() - start
    # The batch the run trained at (the preset's, resolved for the data), not a copy of it here.
    batch = trainer.config.batch_size
    print(json.dumps({"steps": steps[0], "batch": batch,
                      "images_per_sec": steps[0] * batch / elapsed}), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache holding mnist.npz")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--every", type=float, default=5.0, help="the meter's interval, minutes")
    parser.add_argument("--cold", action="store_true", help="no cached feature network")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--child", nargs=2, metavar=("DATA_DIR", "EVERY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        train(args.child[0], args.minutes, float(args.child[1]), args.seed)
        return
    scratch = tempfile.mkdtemp(prefix="quality-cost-")
    meter_dir = args.data_dir
    if args.cold:
        meter_dir = os.path.join(scratch, "data")
        os.makedirs(meter_dir)
        shutil.copy(os.path.join(args.data_dir, "mnist.npz"), meter_dir)
    env = dict(os.environ, OMP_NUM_THREADS="1", TF_NUM_INTEROP_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1")
    runs = {}
    for core, (name, data_dir, every) in enumerate((("on", meter_dir, args.every),
                                                    ("off", args.data_dir, 0))):
        command = ["taskset", "-c", str(core), sys.executable, os.path.abspath(__file__),
                   "--data-dir", args.data_dir, "--minutes", str(args.minutes),
                   "--seed", str(args.seed), "--child", data_dir, str(every)]
        runs[name] = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    results = {}
    for name, process in runs.items():
        lines = [json.loads(line) for line in process.stdout if line.startswith("{")]
        process.wait()
        results[name] = lines
        for line in lines[:-1]:
            print(f"meter {name}: {line}")
    shutil.rmtree(scratch, ignore_errors=True)
    on, off = results["on"][-1], results["off"][-1]
    print(f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}, {args.minutes:g} minutes each, "
          f"one core each, batch {on['batch']}, feature network "
          f"{'not ' if args.cold else ''}cached")
    print(f"images/s: meter on {on['images_per_sec']:.1f}, off {off['images_per_sec']:.1f}, "
          f"ratio {on['images_per_sec'] / off['images_per_sec']:.3f} (target >= 0.97)")


if __name__ == "__main__":
    main()

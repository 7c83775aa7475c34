"""What the live quality meter costs training: images/s with the meter on ÷ off, and FD over time.

    python tests/benchmarks/quality_cost.py --data-dir /tmp/kcache [--minutes 10] [--cold]
    python tests/benchmarks/quality_cost.py --data-dir /tmp/kcache --copies [--every 1]

Two runs of the default preset on real MNIST train side by side, each pinned to one core
(`taskset -c 0` and `-c 1`), so that the machine's noise hits both alike: one with the meter on
(measuring every `--every` minutes and at epoch ends), one with it off. Each prints its images/s
over the whole run; the meter's run also prints every measurement, so the FD's course over the
run is in the output. `--cold` gives the meter's run a data folder of its own without a cached
feature network, so its preparation is paid within the run too.

`--copies` compares two runs that both measure, one with the copy rate (every training image's
features, prepared after the meter is ready, and a nearest-image search per measurement) and
one without: the copy rate's own cost. With `--cold` its run computes the training features
within the run too (the meter's network is cached for both).
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


def train(data_dir: str, minutes: float, every: float, seed: int, copies: bool = True,
          precision: str = "auto") -> None:
    """One run (in a child process): prints JSON lines of measurements, then the throughput."""
    import functools

    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.core.training.control import TrainControl
    from gan_studio.ml.training.trainer import Trainer

    if not copies:  # the meter the trainer makes, without the copy rate
        from gan_studio.ml.quality import meter_factory

        meter_factory.QualityMeter = functools.partial(meter_factory.QualityMeter, copies=False)
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
                              "copy_rate": report.copy_rate,
                              "seconds": round(report.seconds, 2)}), flush=True)

        def on_collapse(self, warning):
            print(json.dumps({"collapse": warning.message}), flush=True)

    with tempfile.TemporaryDirectory() as runs_dir:
        config = TrainConfig(dataset="mnist", data_dir=data_dir, runs_dir=runs_dir, epochs=1000,
                             seed=seed, quality_every_minutes=every, precision=precision)
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
    parser.add_argument("--precision", default="auto", help="the runs' precision (auto, "
                        "float32, ...): float32 is what an AVX2-only CPU trains in")
    parser.add_argument("--swap", action="store_true",
                        help="the second run on core 0, the first on core 1")
    parser.add_argument("--copies", action="store_true",
                        help="compare the meter with and without the copy rate")
    parser.add_argument("--child", nargs=3, metavar=("DATA_DIR", "EVERY", "COPIES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        train(args.child[0], args.minutes, float(args.child[1]), args.seed,
              args.child[2] == "1", args.precision)
        return
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    scratch = tempfile.mkdtemp(prefix="quality-cost-")
    meter_dir = args.data_dir
    if args.cold:
        meter_dir = os.path.join(scratch, "data")
        os.makedirs(meter_dir)
        shutil.copy(os.path.join(args.data_dir, "mnist.npz"), meter_dir)
        if args.copies:  # the network cached, the training features not
            features = os.path.join(args.data_dir, "gan-studio-features")
            os.makedirs(os.path.join(meter_dir, "gan-studio-features"))
            for name in os.listdir(features):
                if name.endswith(".keras"):
                    shutil.copy(os.path.join(features, name),
                                os.path.join(meter_dir, "gan-studio-features"))
    plan = ((("on", meter_dir, args.every, 1), ("off", args.data_dir, 0, 1)) if not args.copies
            else (("on", meter_dir, args.every, 1), ("off", args.data_dir, args.every, 0)))
    env = dict(os.environ, OMP_NUM_THREADS="1", TF_NUM_INTEROP_THREADS="1",
               TF_NUM_INTRAOP_THREADS="1")
    runs = {}
    for core, (name, data_dir, every, copies) in enumerate(plan):
        core = 1 - core if args.swap else core
        command = ["taskset", "-c", str(core), sys.executable, os.path.abspath(__file__),
                   "--data-dir", args.data_dir, "--minutes", str(args.minutes),
                   "--seed", str(args.seed), "--precision", args.precision,
                   "--child", data_dir, str(every), str(copies)]
        runs[name] = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    results = {}
    for name, process in runs.items():
        lines = [json.loads(line) for line in process.stdout if line.startswith("{")]
        process.wait()
        results[name] = lines
        for line in lines[:-1]:
            print(f"{'copy rate' if args.copies else 'meter'} {name}: {line}")
    shutil.rmtree(scratch, ignore_errors=True)
    on, off = results["on"][-1], results["off"][-1]
    print(f"{args.minutes:g} minutes each, "
          f"one core each ({'swapped: off on core 0' if args.swap else 'on on core 0'}), "
          f"precision {args.precision}, batch {on['batch']}, feature network "
          f"{'not ' if args.cold else ''}cached")
    what, target = ("copy rate", 0.98) if args.copies else ("meter", 0.97)
    print(f"images/s: {what} on {on['images_per_sec']:.1f}, off {off['images_per_sec']:.1f}, "
          f"ratio {on['images_per_sec'] / off['images_per_sec']:.3f} (target >= {target})")


if __name__ == "__main__":
    main()

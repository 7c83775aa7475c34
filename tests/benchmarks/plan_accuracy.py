"""How close the plan's steps come to those a run then trains, on real data.

    python tests/benchmarks/plan_accuracy.py --data-dir DIR [--data mnist] [--first 2]
        [--minutes 5] [--precision float32]

A first run of `--first` minutes notes this machine's speed (in a cache folder of its own, not
the user's); the plan for a `--minutes` run of the same model is then made as the training
panel makes it, and that run trains: the script prints the plan's steps, the steps trained and
their ratio, with the CPU's flags. Run it pinned (`taskset -c 0`) and with
`ONEDNN_MAX_CPU_ISA=AVX2 ... --precision float32` for an AVX2-only CPU's figure.
"""

from __future__ import annotations

import argparse
import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def train(data_dir: str, data: str, minutes: float, precision: str, runs_dir: str) -> int:
    """Trains a default run of `minutes` and returns the steps it trained."""
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.runs.metrics_log import read_metrics
    from gan_studio.ml.training.trainer import Trainer

    config = TrainConfig(dataset=data, data_dir=data_dir, runs_dir=runs_dir,
                         max_minutes=minutes, precision=precision)
    trainer = Trainer.create(config)
    trainer.run()
    return int(read_metrics(trainer.run_dir)["step"][-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache (mnist, CIFAR-10)")
    parser.add_argument("--data", default="mnist")
    parser.add_argument("--first", type=float, default=2.0, help="minutes of the first run")
    parser.add_argument("--minutes", type=float, default=5.0, help="minutes of the planned run")
    parser.add_argument("--precision", default="auto")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["GAN_STUDIO_CACHE_DIR"] = os.path.join(scratch, "cache")
        from gan_studio.core.config import TrainConfig
        from gan_studio.core.machine import cpu_signature, has_native_bfloat16
        from gan_studio.core.training.plan import make_plan

        print(f"precision {args.precision}", flush=True)
        runs = os.path.join(scratch, "runs")
        first = train(args.data_dir, args.data, args.first, args.precision, runs)
        planned = TrainConfig(dataset=args.data, data_dir=args.data_dir, runs_dir=runs,
                              max_minutes=args.minutes, precision=args.precision).resolved()
        plan = make_plan(planned, cpu_signature(), has_native_bfloat16())
        print(f"first run: {first} steps in {args.first:g} min; plan: {plan.text}", flush=True)
        trained = train(args.data_dir, args.data, args.minutes, args.precision, runs)
        print(f"{args.data}, {args.minutes:g} min: plan {plan.steps} steps, trained {trained}: "
              f"plan / trained {plan.steps / trained:.3f}", flush=True)


if __name__ == "__main__":
    main()

"""Training throughput: GAN Studio's trainer vs the TensorFlow tutorial's loop, same data/model.

    python tests/benchmarks/train_throughput.py --data-dir /tmp/kcache [--rounds 3 --steps 30]

Both train the tutorial's MNIST DCGAN at batch 256 with Adam(1e-4, beta_1 0.9) on real MNIST.
They run alternately, `--rounds` times, each for `--steps` timed steps after a warm-up, so that
load from elsewhere on the machine hits both alike. Prints images/s for each and the ratio.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from tutorial_loop import TutorialLoop  # noqa: E402


def time_tutorial(loop: TutorialLoop, steps: int) -> float:
    loop.run_steps(2)  # warm-up (the first call traces)
    start = time.perf_counter()
    loop.run_steps(steps)
    return steps * loop.batch_size / (time.perf_counter() - start)


def time_trainer(data_dir: str, steps: int, warmup: int, steps_per_call: int) -> float:
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.ml.trainer import Trainer

    marks = {}

    class Report(TrainingCallbacks):
        def on_progress(self, progress):
            for step in progress.steps:
                if step in (warmup, warmup + steps):
                    marks[step] = time.perf_counter()

    with tempfile.TemporaryDirectory() as runs_dir:
        config = TrainConfig(dataset="mnist", preset="tutorial", weight_init="glorot",
                             data_dir=data_dir, runs_dir=runs_dir, max_steps=warmup + steps,
                             epochs=100, steps_per_call=steps_per_call,
                             sample_every_steps=10**9, sample_every_seconds=10**9)
        Trainer.create(config, callbacks=Report()).run()
    return steps * 256 / (marks[warmup + steps] - marks[warmup])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache holding mnist.npz")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--steps-per-call", type=int, default=1)
    args = parser.parse_args()

    from gan_studio.data import load_dataset
    from gan_studio.ml.device import describe_device

    images = load_dataset("mnist", data_dir=args.data_dir).images
    loop = TutorialLoop(images)
    warmup = 2 * args.steps_per_call
    ours, theirs = [], []
    for r in range(args.rounds):
        theirs.append(time_tutorial(loop, args.steps))
        ours.append(time_trainer(args.data_dir, args.steps, warmup, args.steps_per_call))
        print(f"round {r + 1}: tutorial {theirs[-1]:.1f} img/s, GAN Studio {ours[-1]:.1f} img/s, "
              f"ratio {ours[-1] / theirs[-1]:.2f}", flush=True)
    med_ours, med_theirs = statistics.median(ours), statistics.median(theirs)
    print(f"device {describe_device()}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print(f"median: tutorial {med_theirs:.1f} img/s, GAN Studio {med_ours:.1f} img/s, "
          f"ratio {med_ours / med_theirs:.2f}x")


if __name__ == "__main__":
    main()

"""Training throughput: GAN Studio's trainer vs the TensorFlow tutorial's loop, same data/model.

    python tests/benchmarks/train_throughput.py --data-dir /tmp/kcache [--data mnist cifar10]
        [--rounds 3 --steps 30]

On MNIST both train the tutorial's DCGAN, on CIFAR-10 the seed's 32x32x3 one, at batch 256
with Adam(1e-4, beta_1 0.9) on the real data (the `tutorial` preset). They run alternately,
`--rounds` times, each for `--steps` timed steps after a warm-up, so that load from elsewhere
on the machine hits both alike, and in turn first (the tutorial in odd rounds, GAN Studio in
even ones), so that neither always pays a round's warm-up. Prints images/s for each, the ratio
of each round and the median of the ratios; then the default preset (`studio`) at its own
batch size, after the same warm-up, for the same number of images.
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

from paired_rounds import arm_order  # noqa: E402
from tutorial_loop import TutorialLoop  # noqa: E402


def time_tutorial(loop: TutorialLoop, steps: int) -> float:
    loop.run_steps(2)  # warm-up (the first call traces)
    start = time.perf_counter()
    loop.run_steps(steps)
    return steps * loop.batch_size / (time.perf_counter() - start)


def time_trainer(data_dir: str, dataset: str, steps: int, warmup: int, steps_per_call: int,
                 preset: str = "tutorial", **fields) -> tuple[float, int]:
    """Images/s of the trainer over `steps` steps after `warmup`; returns it and the batch
    (`fields`: more `TrainConfig` fields, such as a strategy)."""
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.ml.training.trainer import Trainer

    marks = {}

    class Report(TrainingCallbacks):
        def on_progress(self, progress):
            for step in progress.steps:
                if step in (warmup, warmup + steps):
                    marks[step] = time.perf_counter()

    with tempfile.TemporaryDirectory() as runs_dir:
        config = TrainConfig(dataset=dataset, preset=preset, data_dir=data_dir,
                             runs_dir=runs_dir, max_steps=warmup + steps, epochs=100,
                             steps_per_call=steps_per_call, quality_every_minutes=0,
                             sample_every_steps=10**9, sample_every_seconds=10**9, **fields)
        trainer = Trainer.create(config, callbacks=Report())
        trainer.run()
        batch = trainer.config.batch_size
    return steps * batch / (marks[warmup + steps] - marks[warmup]), batch


def compare(data_dir: str, dataset: str, rounds: int, steps: int, steps_per_call: int) -> None:
    """Rounds of the tutorial's loop and the trainer on one data set, in turn first; then studio."""
    from gan_studio.data import load_dataset

    images = load_dataset(dataset, data_dir=data_dir).images
    loop = TutorialLoop(images)
    warmup = 2 * steps_per_call
    ours, theirs = [], []
    arms = {"tutorial": lambda: theirs.append(time_tutorial(loop, steps)),
            "GAN Studio": lambda: ours.append(
                time_trainer(data_dir, dataset, steps, warmup, steps_per_call)[0])}
    for r in range(rounds):
        order = arm_order(r, list(arms))
        for arm in order:
            arms[arm]()
        print(f"{dataset} round {r + 1} ({order[0]} first): tutorial {theirs[-1]:.1f} img/s, "
              f"GAN Studio {ours[-1]:.1f} img/s, ratio {ours[-1] / theirs[-1]:.2f}", flush=True)
    ratios = [a / b for a, b in zip(ours, theirs)]
    print(f"{dataset} median: tutorial {statistics.median(theirs):.1f} img/s, GAN Studio "
          f"{statistics.median(ours):.1f} img/s, median ratio {statistics.median(ratios):.2f}x")
    studio, batch = time_trainer(data_dir, dataset, steps * 256 // 32, warmup, steps_per_call,
                                 preset="studio")
    print(f"{dataset} default preset (studio, batch {batch}): {studio:.1f} img/s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache (mnist.npz, "
                        "cifar-10-batches-py)")
    parser.add_argument("--data", nargs="+", default=["mnist", "cifar10"],
                        choices=["mnist", "cifar10"])
    parser.add_argument("--rounds", type=int, default=3,
                        help="an even number puts each arm first equally often")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--steps-per-call", type=int, default=1)
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    from gan_studio.ml.runtime.device import choose_precision, describe_device

    print(f"device {describe_device()}, precision {choose_precision('auto')}")
    for dataset in args.data:
        compare(args.data_dir, dataset, args.rounds, args.steps, args.steps_per_call)


if __name__ == "__main__":
    main()

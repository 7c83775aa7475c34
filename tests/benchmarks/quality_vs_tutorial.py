"""Figure 6: sample quality after equal wall-clock time, GAN Studio's default vs the tutorial.

    python tests/benchmarks/quality_vs_tutorial.py --data-dir /tmp/kcache [--minutes 10]

The baseline is a faithful re-implementation of the TensorFlow DCGAN tutorial's loop
(tutorial_loop.py); GAN Studio trains with its default preset through its own Trainer. Both
get the same wall-clock budget on the same machine, one after the other. Quality, through the
app's quality meter: "FD (data-set features)" to the real test set in the 128-d feature space
of a small MNIST classifier trained on the real training set (NOT Inception FID), and that
classifier's score (an Inception-Score analogue, 1 to 10). GAN Studio is scored on the generator
its users see (the weight average, restored from the run as `gan-studio sample` does).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from preset_quality import quality_meter, train_for  # noqa: E402
from tutorial_loop import TutorialLoop  # noqa: E402


def train_tutorial_for(images, minutes: float):
    loop = TutorialLoop(images)
    start, steps = time.monotonic(), 0
    while time.monotonic() - start < minutes * 60:
        loop.run_steps(1)
        steps += 1
    return loop.generator, steps, steps * loop.batch_size / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache holding mnist.npz")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    from gan_studio.core.config import DEFAULT_PRESET
    from gan_studio.data import load_dataset

    print(f"{args.minutes:g} minutes each")
    meter = quality_meter(args.data_dir, args.samples)
    train = load_dataset("mnist", data_dir=args.data_dir)
    results = {}
    generator, steps, ips = train_tutorial_for(train.images, args.minutes)
    results["tutorial"] = meter.evaluate(generator)
    print(f"tutorial loop: {steps} steps, {ips:.0f} img/s -> {results['tutorial'].summary()}",
          flush=True)
    with tempfile.TemporaryDirectory() as runs_dir:
        generator, steps, ips = train_for(DEFAULT_PRESET, args.minutes, args.data_dir, runs_dir,
                                          args.seed)
    results["ours"] = meter.evaluate(generator)
    print(f"GAN Studio ({DEFAULT_PRESET}): {steps} steps, {ips:.0f} img/s -> "
          f"{results['ours'].summary()}")
    print(f"FD ratio GAN Studio / tutorial: {results['ours'].fd / results['tutorial'].fd:.3f} "
          f"(target <= 0.25); score {results['ours'].score:.2f} (target >= 7)")


if __name__ == "__main__":
    main()

"""Figure 6: sample quality after equal wall-clock time, GAN Studio's default vs the tutorial.

    python tests/benchmarks/quality_vs_tutorial.py --data-dir /tmp/kcache [--minutes 10]

The baseline is a faithful re-implementation of the TensorFlow DCGAN tutorial's loop
(tutorial_loop.py); GAN Studio trains with its default preset through its own Trainer. Both
get the same wall-clock budget on the same machine, one after the other. Quality: Fréchet
distance to the real test set in the 128-d feature space of a small MNIST classifier this
script trains on the real training set (NOT Inception FID), and that classifier's score (an
Inception-Score analogue, 1 to 10).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from preset_quality import train_for  # noqa: E402
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

    from gan_studio.core.config import DEFAULT_PRESET
    from gan_studio.data import load_dataset
    from gan_studio.ml.export import generate_images
    from gan_studio.ml.metrics import accuracy, quality, train_classifier

    train = load_dataset("mnist", data_dir=args.data_dir)
    test = load_dataset("mnist", data_dir=args.data_dir, split="test")
    classifier = train_classifier(train.images, train.labels, epochs=2)
    real = quality(classifier, test.images, train.images[: args.samples])
    print(f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}, {args.minutes:g} minutes each")
    print(f"classifier: {accuracy(classifier, test.images, test.labels):.2%} test accuracy; "
          f"real train vs test: distance {real['frechet']:.2f}, score {real['score']:.2f}")
    results = {}
    generator, steps, ips = train_tutorial_for(train.images, args.minutes)
    images = generate_images(generator, args.samples, seed=args.seed + 1)[..., None]
    results["tutorial"] = quality(classifier, test.images, images)
    print(f"tutorial loop: {steps} steps, {ips:.0f} img/s -> distance "
          f"{results['tutorial']['frechet']:.2f}, score {results['tutorial']['score']:.2f}",
          flush=True)
    with tempfile.TemporaryDirectory() as runs_dir:
        generator, steps, ips = train_for(DEFAULT_PRESET, args.minutes, args.data_dir, runs_dir,
                                          args.seed)
    images = generate_images(generator, args.samples, seed=args.seed + 1)[..., None]
    results["ours"] = quality(classifier, test.images, images)
    print(f"GAN Studio ({DEFAULT_PRESET}): {steps} steps, {ips:.0f} img/s -> distance "
          f"{results['ours']['frechet']:.2f}, score {results['ours']['score']:.2f}")
    print(f"distance ratio GAN Studio / tutorial: "
          f"{results['ours']['frechet'] / results['tutorial']['frechet']:.3f} (target <= 0.25); "
          f"score {results['ours']['score']:.2f} (target >= 7)")


if __name__ == "__main__":
    main()

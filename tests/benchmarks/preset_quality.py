"""Which preset draws better MNIST digits after the same wall-clock training time?

    python tests/benchmarks/preset_quality.py --data-dir /tmp/kcache --minutes 5

Trains a small MNIST classifier on the real training set (its 128-d feature layer is the
feature space: this is NOT Inception FID), then trains each preset for the same number of
minutes through the project's trainer, draws 10,000 samples and prints the Fréchet distance to
the real test set and the classifier score (an Inception-Score analogue, 1 to 10). Real data:
`python ../shared/datasets/make_cache.py DIR` lays MNIST out as a Keras cache.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def train_for(preset: str, minutes: float, data_dir: str, runs_dir: str, seed: int,
              batch_size: int | None = None):
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.core.training.control import TrainControl
    from gan_studio.ml.trainer import Trainer

    control = TrainControl()
    state = {"start": None, "step": 0, "ips": []}

    class StopAfterMinutes(TrainingCallbacks):
        def on_progress(self, progress):
            state["step"] = progress.step
            state["ips"].append(progress.images_per_sec)
            if state["start"] is None:
                state["start"] = time.monotonic() - progress.elapsed_seconds
            if time.monotonic() - state["start"] >= minutes * 60:
                control.stop()

    config = TrainConfig(dataset="mnist", preset=preset, epochs=1000, seed=seed, batch_size=batch_size,
                         data_dir=data_dir, runs_dir=runs_dir, sample_every_steps=10**9,
                         sample_every_seconds=10**9)
    trainer = Trainer.create(config, callbacks=StopAfterMinutes(), control=control)
    trainer.run()
    ips = sorted(state["ips"])[len(state["ips"]) // 2] if state["ips"] else 0.0
    return trainer.gan.generator, state["step"], ips


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache holding mnist.npz")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--presets", default="tutorial,paper",
                        help="comma-separated presets; PRESET:BATCH overrides the batch size")
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    from gan_studio.data import load_dataset
    from gan_studio.ml.export import generate_images
    from gan_studio.ml.metrics import accuracy, quality, train_classifier

    train = load_dataset("mnist", data_dir=args.data_dir)
    test = load_dataset("mnist", data_dir=args.data_dir, split="test")
    t0 = time.monotonic()
    classifier = train_classifier(train.images, train.labels, epochs=2)
    acc = accuracy(classifier, test.images, test.labels)
    real = quality(classifier, test.images, train.images[: args.samples])
    print(f"machine: {platform.node()} {os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}")
    print(f"classifier: {acc:.2%} test accuracy, trained in {time.monotonic() - t0:.0f} s")
    print(f"real train vs real test: distance {real['frechet']:.2f}, score {real['score']:.2f}")
    results = {}
    with tempfile.TemporaryDirectory() as runs_dir:
        for preset in args.presets.split(","):
            name, _, batch = preset.partition(":")
            generator, steps, ips = train_for(name, args.minutes, args.data_dir, runs_dir,
                                              args.seed, int(batch) if batch else None)
            images = generate_images(generator, args.samples, seed=args.seed + 1)[..., None]
            results[preset] = quality(classifier, test.images, images)
            print(f"{preset:>9}: {args.minutes:g} min, {steps} steps, {ips:.0f} img/s -> "
                  f"distance {results[preset]['frechet']:.2f}, "
                  f"score {results[preset]['score']:.2f}", flush=True)
    if {"tutorial", "paper"} <= results.keys():
        ratio = results["paper"]["frechet"] / results["tutorial"]["frechet"]
        print(f"paper / tutorial distance ratio: {ratio:.3f} (lower is better)")


if __name__ == "__main__":
    main()

"""Which preset draws better MNIST digits after the same wall-clock training time?

    python tests/benchmarks/preset_quality.py --data-dir /tmp/kcache --minutes 5

Scores through the app's quality meter (`gan_studio.ml.quality.QualityMeter`): a small MNIST
classifier trained on the real training set (cached in the data folder) gives the feature space
(this is "FD (data-set features)", NOT Inception FID). Each preset trains for the same number of
minutes through the project's trainer; the generator users see (the weight average where the
preset keeps one, restored from the run's last checkpoint as `gan-studio sample` does) draws
10,000 samples, scored against the real test set: FD, KID and the classifier score (an
Inception-Score analogue, 1 to 10). Real data: `python ../shared/datasets/make_cache.py DIR`
lays MNIST out as a Keras cache.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def train_for(preset: str, minutes: float, data_dir: str, runs_dir: str, seed: int,
              batch_size: int | None = None):
    """Trains `preset` for `minutes`; returns (the generator users see, steps, median img/s)."""
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.core.training.control import TrainControl
    from gan_studio.ml.training.trainer import Trainer

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
    trainer.run()  # a stop saves a checkpoint
    ips = sorted(state["ips"])[len(state["ips"]) // 2] if state["ips"] else 0.0
    from gan_studio.ml.generators.export import generator_from_run

    return generator_from_run(trainer.run_dir), state["step"], ips


def quality_meter(data_dir: str, samples: int, name: str = "mnist", report: bool = True):
    """The meter for a built-in data set (classifier features, the test split as held-out
    images), prepared; with `report`, prints the classifier's accuracy and the real-vs-real
    floor."""
    from gan_studio.data import load_dataset
    from gan_studio.ml.quality import QualityMeter

    train = load_dataset(name, data_dir=data_dir)
    test = load_dataset(name, data_dir=data_dir, split="test")
    meter = QualityMeter(train.images, train.labels, train.classes, test.images, data_dir,
                         samples, name=name)
    meter.prepare()
    if not report:
        return meter
    _, probabilities = meter.features(test.images)
    accuracy = float((probabilities.argmax(axis=1) == test.labels).mean())
    print(f"classifier: {accuracy:.2%} test accuracy, "
          f"{'loaded from the cache' if meter.from_cache else 'trained'} in "
          f"{meter.feature_seconds:.0f} s")
    print(f"real train vs real test: {meter.floor().summary()}")
    return meter


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache holding mnist.npz")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--presets", default="tutorial,paper",
                        help="comma-separated presets; PRESET:BATCH overrides the batch size")
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    meter = quality_meter(args.data_dir, args.samples)
    results = {}
    with tempfile.TemporaryDirectory() as runs_dir:
        for preset in args.presets.split(","):
            name, _, batch = preset.partition(":")
            generator, steps, ips = train_for(name, args.minutes, args.data_dir, runs_dir,
                                              args.seed, int(batch) if batch else None)
            results[preset] = meter.evaluate(generator)
            print(f"{preset:>9}: {args.minutes:g} min, {steps} steps, {ips:.0f} img/s -> "
                  f"{results[preset].summary()}", flush=True)
    if {"tutorial", "paper"} <= results.keys():
        ratio = results["paper"].fd / results["tutorial"].fd
        print(f"paper / tutorial FD ratio: {ratio:.3f} (lower is better)")


if __name__ == "__main__":
    main()

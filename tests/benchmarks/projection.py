"""How well `Find Image in Latent Space` finds real, held-out images, and how fast.

    python tests/benchmarks/projection.py RUN_DIR --data-dir DIR [--count 100] [--steps 300]

Projects the first `--count` images of the run's data set's test split (never trained on) with
the run's generator (`ml.latent.projection.Projector`, its defaults: 8 starts as one batch), then
prints the mean pixel error (0 to 1 of the pixel range; the same against a random latent for
scale), the steps per second, and, for labelled data, the share of projections that the
quality meter's own classifier puts in the same class as the real image (and in its true
class). Last, Cancel's latency: a search is cancelled after 1 s and the time until it returns
is printed (the issue's bound: 0.5 s). Not a CI test.

With `--while-training N` it then trains a new GAN of the run's data set in this process (the
engine's `Trainer` on a thread, as the window's training worker runs it) and projects the
first N images again while it trains, twice: sharing the CPU as TensorFlow's one thread pool
does (the baseline), and holding training for each search as the window does
(`TrainControl.hold`). It prints each search's seconds against idle, and training's steps per
second before and during the searches (what a search costs training).
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("run")
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--features", choices=("on", "off"), default="on",
                        help="the feature loss from the meter's cached network (as the app)")
    parser.add_argument("--feature-weight", type=float, default=None)
    parser.add_argument("--judge-seed", type=int, default=None,
                        help="also judge the classes with a classifier trained with this seed: "
                             "with the feature loss on, the meter's own classifier is no "
                             "independent judge (it shaped the search)")
    parser.add_argument("--while-training", type=int, default=0, metavar="N",
                        help="also project the first N images while a new run trains")
    parser.add_argument("--training-precision", default=None,
                        help="that run's precision (default: the run's own; float32 trains "
                             "as a CPU without AVX512-BF16 does)")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    from gan_studio.core.config import TrainConfig
    from gan_studio.core.runs.layout import CONFIG_FILE
    from gan_studio.data.builtin import load_builtin
    from gan_studio.ml.generators.export import generate_images, load_generator
    from gan_studio.ml.latent.projection import FEATURE_WEIGHT, Projector
    from gan_studio.ml.latent.projection_features import meter_features
    from gan_studio.ml.quality.features import FeatureBudget
    from gan_studio.ml.quality.meter_factory import meter_for_config

    config = TrainConfig.load(os.path.join(args.run, CONFIG_FILE))
    config.data_dir = args.data_dir
    generator = load_generator(args.run)
    test = load_builtin(config.dataset, args.data_dir, split="test", download=False)
    images = test.images if test.images.ndim == 4 else test.images[..., None]
    images, labels = images[: args.count], np.asarray(test.labels[: args.count])
    network = meter_features(args.run) if args.features == "on" else None
    if args.features == "on" and network is None:
        raise SystemExit("no cached feature network for this run: run the meter once first")
    weight = FEATURE_WEIGHT if args.feature_weight is None else args.feature_weight
    projector = Projector(generator, features=network and network.features,
                          feature_weight=weight)
    found, errors, start = [], [], time.perf_counter()
    for image in images:
        result = projector.project(image, steps=args.steps)
        found.append(result.image)
        errors.append(result.error)
    seconds = time.perf_counter() - start
    found = np.stack(found)
    random = generate_images(generator, len(images), seed=1)
    random = random if random.ndim == 4 else random[..., None]
    random_error = np.abs(random / 255.0 - images / 255.0).mean()
    print(f"{config.dataset}: {len(images)} held-out test images, {args.steps} steps, "
          f"{projector.restarts} starts each, "
          + (f"pixel + feature loss ({network.name}, weight {weight:g})" if network else
             "pixel loss"))
    print(f"mean pixel error {np.mean(errors):.4f} (median {np.median(errors):.4f}; a random "
          f"sample's {random_error:.4f})")
    print(f"{len(images) * args.steps / seconds:.1f} steps/s ({seconds / len(images):.2f} s per "
          "image, the first one's tracing included)")

    judges = [("the meter's classifier", config, None)]
    if args.judge_seed is not None:  # another seed and length: not the cached network
        judges.append((f"a second classifier (seed {args.judge_seed}, 4 epochs)",
                       dataclasses.replace(config, seed=args.judge_seed), FeatureBudget(epochs=4)))
    for judge, judge_config, budget in judges:
        meter = meter_for_config(judge_config, budget=budget)
        meter.prepare()
        if meter.labelled:
            _, real = meter.features(images)
            _, projected = meter.features(found)
            same = np.mean(np.argmax(real, 1) == np.argmax(projected, 1))
            true = np.mean(np.argmax(projected, 1) == labels)
            print(f"{judge}: projection in the real image's class {same:.0%}, "
                  f"in its true class {true:.0%} (the real images: "
                  f"{np.mean(np.argmax(real, 1) == labels):.0%})")

    asked = []

    def should_stop():
        if not asked and time.perf_counter() - began > 1.0:
            asked.append(time.perf_counter())
        return bool(asked)

    began = time.perf_counter()
    projector.project(images[0], steps=100_000, should_stop=should_stop)
    print(f"Cancel: returned {(time.perf_counter() - asked[0]) * 1000:.1f} ms after the flag "
          "was set")
    if args.while_training:
        if args.training_precision:
            config.precision = args.training_precision
        while_training(config, projector, images[: args.while_training], args.steps)


def while_training(config, projector, images, steps: int) -> None:
    """Projects `images` idle, then while a new run of `config`'s data trains: shared, then
    held; prints the seconds of each against idle and training's speed."""
    import tempfile
    import threading

    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.ml.training.trainer import TrainControl, Trainer

    def project_all(hold=None) -> list[float]:
        times = []
        for image in images:
            start = time.perf_counter()
            if hold:
                hold.hold()
            try:
                projector.project(image, steps=steps)
            finally:
                if hold:
                    hold.release()
            times.append(time.perf_counter() - start)
        return times

    idle = project_all()
    progress: list[tuple[int, float]] = []

    class Steps(TrainingCallbacks):
        def on_progress(self, report):
            progress.append((report.step, time.perf_counter()))

    control = TrainControl()
    runs = tempfile.mkdtemp(prefix="projection-training-")
    train = dataclasses.replace(config, runs_dir=runs, epochs=None, max_steps=0, max_minutes=600)
    trainer = Trainer.create(train, callbacks=Steps(), control=control, on_fault="raise")
    thread = threading.Thread(target=trainer.run, name="training")
    thread.start()
    while len(progress) < 2 or progress[-1][0] < 50:  # past tracing and the first steps
        time.sleep(0.5)

    def rate(since: float, until: float) -> float:
        inside = [(s, t) for s, t in progress if since <= t <= until]
        if len(inside) < 2:
            return 0.0
        return (inside[-1][0] - inside[0][0]) / (inside[-1][1] - inside[0][1])

    start = time.perf_counter()
    time.sleep(10)
    before = rate(start, time.perf_counter())
    runs_of = {}
    for name, hold in (("shared", None), ("held", control)):
        start = time.perf_counter()
        runs_of[name] = (project_all(hold), rate(start, time.perf_counter()))
    control.stop()
    thread.join()
    print(f"\nWhile a new {config.dataset} run trains in this process, {config.precision} "
          f"({before:.2f} steps/s before the searches):")
    print(f"  idle:   {' '.join(f'{t:6.1f}' for t in idle)} s")
    for name, (times, speed) in runs_of.items():
        ratios = " ".join(f"{t / i:5.1f}x" for t, i in zip(times, idle))
        print(f"  {name}: {' '.join(f'{t:6.1f}' for t in times)} s ({ratios} idle); training "
              f"{speed:.2f} steps/s meanwhile")


if __name__ == "__main__":
    main()

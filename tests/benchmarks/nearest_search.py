"""Nearest training images and the copy rate on real data: what they cost and what they say.

    python tests/benchmarks/nearest_search.py --data-dir /tmp/kcache [--datasets mnist cifar10]

For each data set (`python ../shared/datasets/make_cache.py DIR` lays MNIST and CIFAR-10 out
as a Keras cache): prepares the quality meter (the feature network from DIR's cache if it is
there), then times the training images' features (once per data set, then cached), the copy
rate's calibration, one image's k = 8 nearest in feature and in pixel space (what the explorer's
panel and `gan-studio nearest` do), and the copy rate's search for one evaluation's samples
(`COPY_SAMPLES` of them).
It prints the copy rate of held-out test images (the floor), of training images given back
(a copier) and of uniform noise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _median_seconds(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measure(name: str, data_dir: str, samples: int) -> None:
    import numpy as np

    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.quality import meter_for_config

    config = TrainConfig(dataset=name, data_dir=data_dir)
    meter = meter_for_config(config, count=samples, download=False)
    start = time.perf_counter()
    meter.prepare(copies=False)
    ready = time.perf_counter() - start
    start = time.perf_counter()
    meter.prepare()
    bank = time.perf_counter() - start
    print(f"{name}: {meter.training_count:,} training images, {meter.heldout_count:,} held out; "
          f"meter ready in {ready:.1f} s (network {'cached' if meter.from_cache else 'trained'})"
          f", training features + calibration {bank:.1f} s "
          f"({'cached' if meter._bank.from_cache else 'computed'})")
    images = meter.training_images
    one = images[12345 % len(images)]
    for space in ("features", "pixels"):
        found = meter.nearest(one, k=8, space=space)
        seconds = _median_seconds(lambda s=space: meter.nearest(one, k=8, space=s), 5)
        print(f"  one image, k=8, {space}: {seconds * 1000:.0f} ms (median of 5); first "
              f"{found.indices[0, 0]} at {found.distances[0, 0]:.3g}, eighth at "
              f"{found.distances[0, 7]:.3g}")
    from gan_studio.ml.quality.meter import COPY_SAMPLES

    rng = np.random.default_rng(0)
    features, _ = meter._extract(images[rng.choice(len(images), COPY_SAMPLES, replace=False)])
    seconds = _median_seconds(lambda: meter._bank.nearest(features, 1), 3)
    print(f"  copy rate search, the {COPY_SAMPLES} samples an evaluation searches: "
          f"{seconds:.2f} s (median of 3)")
    calibration = meter.calibration
    print(f"  calibration: threshold {calibration.threshold:.4g}, floor (held-out check half) "
          f"{calibration.floor:.1%} of {calibration.heldout // 2:,}")
    copies = meter.evaluate_images(images[rng.choice(len(images), samples, replace=False)])
    noise = meter.evaluate_images(rng.integers(0, 256, (samples, *meter.shape), dtype=np.uint8))
    print(f"  copy rate: training images given back {copies.copy_rate:.1%}, uniform noise "
          f"{noise.copy_rate:.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--datasets", nargs="+", default=["mnist", "cifar10"])
    parser.add_argument("--samples", type=int, default=2000)
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    for name in args.datasets:
        measure(name, args.data_dir, args.samples)


if __name__ == "__main__":
    main()

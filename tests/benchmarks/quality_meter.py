"""Does the quality meter tell good samples from collapsed ones, and what does it cost?

    python tests/benchmarks/quality_meter.py --data-dir /tmp/kcache [--cifar]

On real MNIST (`python ../shared/datasets/make_cache.py DIR` lays it out as a Keras cache):
trains the feature networks into a temporary cache (the classifier, and the autoencoder that
unlabelled data gets), prints the real-vs-real floor (training images against the test split:
FD near 0, score near 10), the time of one evaluation of 2000 generated samples, the numbers
of (a) a generator that always draws the same image and (b) real images of a single class,
with the collapse detector's verdict on each, and (c) the message for a CIFAR-shaped
generator. `--cifar` also trains and checks the CIFAR-10 classifier.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def prepare_timed(meter) -> tuple[float, float]:
    """Prepares `meter`; returns (total seconds, the longest single prepare_step)."""
    start, longest = time.perf_counter(), 0.0
    while True:
        step = time.perf_counter()
        ready = meter.prepare_step()
        longest = max(longest, time.perf_counter() - step)
        if ready:
            return time.perf_counter() - start, longest


def constant_generator(image, latent_dim: int = 100):
    """A Keras generator that ignores z and always draws `image` (uint8 H, W, C)."""
    import keras
    import numpy as np

    pixels = image.astype(np.float32).reshape(-1) / 127.5 - 1.0
    return keras.Sequential([
        keras.Input((latent_dim,)),
        keras.layers.Dense(pixels.size, kernel_initializer="zeros",
                           bias_initializer=keras.initializers.Constant(pixels)),
        keras.layers.Reshape(image.shape)])


def classifier_meter(name: str, data_dir: str, cache: str, samples: int):
    """Trains the classifier meter of a built-in data set; prints its time and accuracy."""
    from gan_studio.data import load_dataset
    from gan_studio.ml.quality import QualityMeter

    train = load_dataset(name, data_dir=data_dir)
    test = load_dataset(name, data_dir=data_dir, split="test")
    meter = QualityMeter(train.images, train.labels, train.classes, test.images, cache, samples,
                         name=name)
    seconds, longest = prepare_timed(meter)
    _, probabilities = meter.features(test.images)
    accuracy = float((probabilities.argmax(axis=1) == test.labels).mean())
    print(f"{name} classifier: trained in {seconds:.1f} s (longest prepare_step {longest:.2f} s),"
          f" {accuracy:.2%} test accuracy")
    return meter, train, test


def verdict(report) -> str:
    from gan_studio.core.quality.collapse import collapse_warning

    # judged as a trained generator's: a lone evaluation is otherwise the untrained start
    warning = collapse_warning([report], trained=True)
    return f"collapse warning: {warning.message}" if warning else "no collapse warning"


def show(label: str, report) -> None:
    print(f"{label}: {report.summary()} ({report.samples} samples, {report.seconds:.1f} s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache holding mnist.npz")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--cifar", action="store_true", help="also the CIFAR-10 classifier")
    args = parser.parse_args()
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on

    from gan_studio.core.catalog import latent_dim_for
    from gan_studio.ml.networks.models import build_generator
    from gan_studio.ml.quality import QualityMeter
    from gan_studio.ml.runtime.device import import_tensorflow

    import_tensorflow()
    with tempfile.TemporaryDirectory() as cache:
        meter, train, test = classifier_meter("mnist", args.data_dir, cache, args.samples)
        again = QualityMeter(train.images, train.labels, train.classes, test.images, cache,
                             args.samples, name="mnist")
        seconds, _ = prepare_timed(again)
        print(f"mnist classifier: loaded from the cache in {seconds:.1f} s "
              f"(from_cache={again.from_cache})")
        show("real train vs real test (floor)", meter.floor())

        latent = latent_dim_for("mnist")
        show("an untrained DCGAN generator", meter.evaluate(build_generator(28, 28, 1, latent)))
        same = constant_generator(test.images[0], latent)
        constant = meter.evaluate(same)
        show("(a) constant generator", constant)
        print(f"    {verdict(constant)}")
        threes = test.images[test.labels == 3][:args.samples]
        one_class = meter.evaluate_images(threes)
        show("(b) real test images of class 3 only", one_class)
        print(f"    {verdict(one_class)}")
        try:
            meter.evaluate(build_generator(32, 32, 3, latent))
            print("(c) a CIFAR-shaped generator was NOT refused")
        except ValueError as exc:
            print(f"(c) CIFAR-shaped generator refused: {exc}")

        unlabelled = QualityMeter(train.images, heldout=test.images, cache_dir=cache,
                                  samples=args.samples, name="mnist without labels")
        seconds, longest = prepare_timed(unlabelled)
        print(f"autoencoder: trained in {seconds:.1f} s (longest prepare_step {longest:.2f} s)")
        show("  floor", unlabelled.floor())
        show("  (a) constant", unlabelled.evaluate(same))
        show("  (b) class 3 only", unlabelled.evaluate_images(threes))

        if args.cifar:
            cifar, _, _ = classifier_meter("cifar10", args.data_dir, cache, args.samples)
            show("  floor", cifar.floor())


if __name__ == "__main__":
    main()

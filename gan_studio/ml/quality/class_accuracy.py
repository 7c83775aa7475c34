"""How well a conditional generator draws the class it is asked for."""

from __future__ import annotations

import numpy as np

from gan_studio.core.quality import statistics

DEFAULT_PER_CLASS = 100


def class_accuracy(meter, generator, per_class: int = DEFAULT_PER_CLASS,
                   seed: int | None = None) -> np.ndarray:
    """The share of a conditional generator's samples the meter's classifier puts in their class.

    For each class the generator draws `per_class` images asked to be of that class; the
    data set's classifier (the feature network of a labelled `QualityMeter`) then names the
    class it sees in each. A generator that ignores its class input scores about
    1 / classes everywhere; the real images would score the classifier's own accuracy.

    Args:
        meter: a `QualityMeter` of a labelled data set (prepared first, if needed).
        generator: a conditional Keras generator with the meter's number of classes.
        per_class: images drawn per class.
        seed: seeds the latents (default: the meter's seed).

    Returns:
        float64 (classes,): the fraction of each class's images classified as that class.

    Raises:
        ValueError: if the meter has no classifier, or the generator is unconditional or has
            another number of classes.
    """
    from gan_studio.ml.generators.export import generate_images, num_classes_of

    classes = num_classes_of(generator)
    if classes == 0:
        raise ValueError("class accuracy needs a conditional generator")
    if not meter.labelled:
        raise ValueError(f"{meter.name} has no labels: there is no classifier to ask")
    if classes != meter.classes:
        raise ValueError(f"the generator draws {classes} classes; {meter.name} has "
                         f"{meter.classes}")
    meter.check(generator)
    per_class = max(1, int(per_class))
    labels = np.repeat(np.arange(classes), per_class)
    images = generate_images(generator, len(labels), seed=meter.seed if seed is None else seed,
                             classes=labels)
    _, probabilities = meter.features(images)
    return statistics.class_accuracy(probabilities, labels, classes)

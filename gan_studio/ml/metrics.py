"""Sample quality for MNIST-like data: a small classifier's feature space (not Inception)."""

from __future__ import annotations

import numpy as np

from gan_studio.core.quality.statistics import classifier_score, feature_stats, frechet_distance
from gan_studio.ml.device import import_tensorflow


def build_classifier(height: int = 28, width: int = 28, channels: int = 1, classes: int = 10):
    """A small CNN whose 128-unit `features` layer serves as the feature space."""
    import_tensorflow()
    import keras
    from keras import layers

    image = keras.Input((height, width, channels), name="image")
    x = layers.Rescaling(1 / 127.5, offset=-1.0)(image)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    x = layers.MaxPooling2D()(x)
    x = layers.Flatten()(x)
    features = layers.Dense(128, activation="relu", name="features")(x)
    logits = layers.Dense(classes, name="logits")(layers.Dropout(0.3)(features))
    return keras.Model(image, [features, logits], name="classifier")


def train_classifier(images: np.ndarray, labels: np.ndarray, epochs: int = 2, seed: int = 0):
    """Trains the classifier on uint8 images (N, H, W, C); returns the model."""
    import_tensorflow()
    import keras

    keras.utils.set_random_seed(seed)
    model = build_classifier(*images.shape[1:], classes=int(labels.max()) + 1)
    trainable = keras.Model(model.input, model.outputs[1])
    trainable.compile(optimizer="adam",
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                      metrics=["accuracy"])
    trainable.fit(images, labels.astype("int64"), batch_size=128, epochs=epochs, verbose=0)
    return model


def classifier_outputs(model, images: np.ndarray, batch_size: int = 500):
    """Returns (features, softmax probabilities) for uint8 images."""
    tf = import_tensorflow()
    feats, probs = [], []
    for start in range(0, len(images), batch_size):
        f, logits = model(images[start:start + batch_size], training=False)
        feats.append(np.asarray(f))
        probs.append(np.asarray(tf.nn.softmax(logits)))
    return np.concatenate(feats), np.concatenate(probs)


def accuracy(model, images: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy of the classifier."""
    _, probs = classifier_outputs(model, images)
    return float((probs.argmax(axis=1) == labels).mean())


def quality(model, reference: np.ndarray, generated: np.ndarray) -> dict[str, float]:
    """Fréchet distance (classifier features) to `reference` and the classifier score.

    Args:
        model: a classifier from `train_classifier`.
        reference: real uint8 images (N, H, W, C).
        generated: generated uint8 images of the same shape.

    Returns:
        {"frechet": ..., "score": ...}
    """
    ref_feats, _ = classifier_outputs(model, reference)
    gen_feats, gen_probs = classifier_outputs(model, generated)
    distance = frechet_distance(*feature_stats(ref_feats), *feature_stats(gen_feats))
    return {"frechet": distance, "score": classifier_score(gen_probs)}

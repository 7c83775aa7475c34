"""The feature networks the quality meter measures in, built for any side the app trains.

Labelled data gets a small CNN classifier: its penultimate `features` layer is the feature
space and its softmax the class predictions. Unlabelled data gets a small convolutional
autoencoder whose 128-d bottleneck is the feature space. An autoencoder rather than a
self-supervised (contrastive) network: it needs no labels and no augmentations (whose choice
would depend on the data: flips are wrong for digits, crops for centred faces), trains in
seconds on a CPU with a plain reconstruction loss, and to reconstruct an image its bottleneck
must encode what is in the image: strokes, shapes, colours and layout, the very things a
generator must reproduce.
"""

from __future__ import annotations

import itertools

from gan_studio.ml.runtime.device import import_tensorflow

FEATURES = 128  # width of the feature layer of both networks
_STAGE_FILTERS = (32, 64, 128, 128)
_SMALLEST_SIDE = 8  # downsampling stops once the maps are this small


def _stages(side: int) -> int:
    """How many stride-2 stages bring `side` down to at most `_SMALLEST_SIDE` (2 at least)."""
    stages = 2
    while -(-side // 2 ** stages) > _SMALLEST_SIDE and stages < len(_STAGE_FILTERS):
        stages += 1
    return stages


def _seeded(seed: int | None):
    """Returns a factory of Glorot initialisers, each with the next seed after `seed`.

    Seeds are given per layer rather than set globally (`keras.utils.set_random_seed`): the
    network may train between a GAN's steps, whose random state must not be reset.
    """
    import keras

    seeds = itertools.count(seed) if seed is not None else None
    return lambda: keras.initializers.GlorotUniform(None if seeds is None else next(seeds))


def _encoder(image, side: int, init):
    from keras import layers

    x = layers.Rescaling(1 / 127.5, offset=-1.0, name="scale")(image)
    for i in range(_stages(side)):
        x = layers.Conv2D(_STAGE_FILTERS[i], 3, strides=2, padding="same", activation="relu",
                          kernel_initializer=init(), name=f"conv{i}")(x)
    return x


def build_classifier(height: int, width: int, channels: int, classes: int,
                     seed: int | None = None):
    """A small CNN classifier: stride-2 convolutions, a 128-unit `features` layer, the logits.

    Args:
        height: image height (28, 32, 64 or 128 in this app; any side works).
        width: image width.
        channels: 1 or 3.
        classes: the number of classes.
        seed: seeds the weights and the dropout.

    Returns:
        A `keras.Model` from uint8-valued images to `[features, logits]`.
    """
    import_tensorflow()
    import keras
    from keras import layers

    init = _seeded(seed)
    image = keras.Input((height, width, channels), name="image")
    x = layers.Flatten()(_encoder(image, max(height, width), init))
    features = layers.Dense(FEATURES, activation="relu", kernel_initializer=init(),
                            name="features")(x)
    dropped = layers.Dropout(0.3, seed=seed)(features)
    logits = layers.Dense(classes, kernel_initializer=init(), name="logits")(dropped)
    return keras.Model(image, [features, logits], name="classifier")


def build_autoencoder(height: int, width: int, channels: int, seed: int | None = None):
    """A small convolutional autoencoder with a 128-d linear bottleneck named `features`.

    Args:
        height: image height; the decoder mirrors the encoder's stride-2 stages and crops
            back to it.
        width: image width.
        channels: 1 or 3.
        seed: seeds the weights.

    Returns:
        A `keras.Model` from uint8-valued images to `[features, reconstruction]`, the
        reconstruction in [-1, 1].
    """
    import_tensorflow()
    import keras
    from keras import layers

    init = _seeded(seed)
    image = keras.Input((height, width, channels), name="image")
    encoded = _encoder(image, max(height, width), init)
    small_h, small_w, depth = encoded.shape[1:]
    features = layers.Dense(FEATURES, kernel_initializer=init(),
                            name="features")(layers.Flatten()(encoded))
    x = layers.Dense(small_h * small_w * depth, activation="relu",
                     kernel_initializer=init())(features)
    x = layers.Reshape((small_h, small_w, depth))(x)
    for i in reversed(range(1, _stages(max(height, width)))):
        x = layers.Conv2DTranspose(_STAGE_FILTERS[i - 1], 3, strides=2, padding="same",
                                   activation="relu", kernel_initializer=init())(x)
    x = layers.Conv2DTranspose(channels, 3, strides=2, padding="same", activation="tanh",
                               kernel_initializer=init())(x)
    # Odd sides (7 -> 14 -> 28 is exact, but e.g. 100 -> 13 -> 104 is not) are cropped back.
    x = layers.Cropping2D(((0, x.shape[1] - height), (0, x.shape[2] - width)))(x)
    return keras.Model(image, [features, x], name="autoencoder")


def feature_extractor(network, labelled: bool, scale: float = 1.0):
    """The part of a trained network the meter keeps: images to features (and probabilities).

    Args:
        network: a model from `build_classifier` or `build_autoencoder`.
        labelled: whether it is the classifier (its logits become softmax probabilities).
        scale: multiplies the features (see `NetworkTrainer.extractor`).

    Returns:
        A `keras.Model` from images to `[features, probabilities]` (classifier) or to
        `features` (autoencoder).
    """
    import keras
    from keras import layers

    features, head = network.outputs
    features = layers.Rescaling(scale, name="feature_scale")(features)
    if labelled:
        return keras.Model(network.input, [features, layers.Softmax(name="probabilities")(head)],
                           name="feature_classifier")
    return keras.Model(network.input, features, name="feature_encoder")

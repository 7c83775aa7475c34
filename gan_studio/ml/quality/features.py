"""A data set's feature network, trained once in small steps and cached beside the data.

The cache file is `<cache_dir>/gan-studio-features/<kind>-<digest16>.keras`, where the digest
is a SHA-256 over the network's version, its training budget, the image shape and the uint8
bytes of the images (and labels) it trains on: a changed data file gets another digest, so it
is never scored against features learnt from the old one.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

import numpy as np

from gan_studio.core.atomic import atomic_path
from gan_studio.ml.generators.model_file import check_unpacked_sizes
from gan_studio.ml.runtime.custom_gradients import call_releasing
from gan_studio.ml.runtime.device import import_tensorflow

NETWORK_VERSION = "gan-studio-features-1"  # bump whenever networks.py or the training changes
CACHE_FOLDER = "gan-studio-features"
CLASSIFIER, AUTOENCODER = "classifier", "autoencoder"
_HASH_CHUNK = 32 << 20  # bytes hashed per step: a unit small enough to fit a slice between steps
_EXTRACT_BATCH = 500
_CALIBRATION = 1000  # training images whose features set the features' scale


@dataclass(frozen=True)
class FeatureBudget:
    """How long a feature network trains: `epochs` passes, capped at `max_batches` batches.

    `DEFAULT_BUDGETS` holds the ones the meter uses; each trains in well under a minute of
    CPU on MNIST or CIFAR-10 (README, "Quality", has the times).
    """

    epochs: int = 3
    max_batches: int = 1200
    batch_size: int = 128
    learning_rate: float = 1e-3

    def batch_for(self, shape: tuple[int, ...]) -> int:
        """The batch size for images of (H, W, C): `batch_size` up to 32×32, smaller above.

        Larger images get proportionally smaller batches (16 at the least), so that a batch
        costs about the same at every side and 64- or 128-pixel data trains in under a minute.
        """
        pixels = int(shape[0]) * int(shape[1])
        return max(min(16, self.batch_size), min(self.batch_size,
                                                 self.batch_size * 1024 // pixels))

    def batches(self, count: int, shape: tuple[int, ...]) -> int:
        """The number of training batches for `count` images of `shape` (1 at least)."""
        return max(1, min(self.max_batches, self.epochs * -(-count // self.batch_for(shape))))


# The classifier's softmax gets confident enough for a real-vs-real score of about 9.5 of 10
# on MNIST with 3 epochs (2: 9.0). An autoencoder's batch costs twice as much (it decodes
# too) and its features separate real from collapsed samples after 2 epochs already.
DEFAULT_BUDGETS = {CLASSIFIER: FeatureBudget(),
                   AUTOENCODER: FeatureBudget(epochs=2, max_batches=600)}


class DataDigest:
    """A SHA-256 over a network's version, budget and training data, fed in small chunks.

    Args:
        kind: `classifier` or `autoencoder`.
        budget: the training budget (part of what the network is).
        images: uint8 (N, H, W, C) images the network trains on.
        labels: their labels, or None.
        tag: anything else the training depends on (which images are held out).
    """

    def __init__(self, kind: str, budget: FeatureBudget, images: np.ndarray,
                 labels: np.ndarray | None, tag: str = ""):
        self._hash = hashlib.sha256(
            f"{NETWORK_VERSION}|{kind}|{budget}|{images.shape}|{images.dtype}|{tag}".encode())
        self._images = images.reshape(len(images), -1)
        self._labels = labels
        self._rows = max(1, _HASH_CHUNK // max(1, self._images.shape[1]))
        self._next = 0
        self.steps = -(-len(images) // self._rows) + 1

    def step(self) -> str | None:
        """Hashes the next chunk; returns the hex digest once everything is hashed."""
        if self._next < len(self._images):
            chunk = self._images[self._next:self._next + self._rows]
            self._hash.update(memoryview(np.ascontiguousarray(chunk)))
            self._next += self._rows
            return None
        if self._labels is not None:
            self._hash.update(b"labels" + np.ascontiguousarray(self._labels, np.int64).tobytes())
        return self._hash.hexdigest()


def cache_path(cache_dir: str, kind: str, digest: str) -> str:
    """The cache file of a feature network."""
    return os.path.join(cache_dir, CACHE_FOLDER, f"{kind}-{digest[:16]}.keras")


def load_cached(path: str, shape: tuple[int, ...], classes: int):
    """Loads a cached feature extractor, or returns None if it is missing, corrupt, stale or
    would unpack to more than `model_file.MAX_UNPACKED_BYTES`.

    Args:
        path: the cache file.
        shape: (H, W, C) of the images it must take.
        classes: the number of classes its probabilities must have (0: an autoencoder).
    """
    if not os.path.isfile(path):
        return None
    try:
        check_unpacked_sizes(path, ValueError)
    except ValueError:  # a zip bomb or a foreign file: train again, and the save replaces it
        return None
    import_tensorflow()
    import keras

    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception:  # a truncated or foreign file: Keras raises many types; retrain instead
        return None
    outputs = model.outputs
    if tuple(model.inputs[0].shape[1:]) != tuple(shape) or len(outputs) != (2 if classes else 1):
        return None
    if classes and outputs[1].shape[-1] != classes:
        return None
    return model


def save_cached(model, path: str) -> bool:
    """Writes a feature extractor to the cache atomically; False if the folder is not writable."""
    try:
        with atomic_path(path, suffix=".keras") as tmp:
            model.save(tmp)
    except OSError:
        return False  # a read-only data folder: the meter works, it just trains again next time
    return True


class NetworkTrainer:
    """Trains a feature network one batch per `step()` (so training can share a thread).

    Args:
        images: uint8 (N, H, W, C) images.
        labels: int labels (a classifier is trained) or None (an autoencoder).
        classes: the number of classes (with labels).
        budget: how long to train.
        seed: seeds the weights and the batch order.
        index: the rows of `images` (and `labels`) to train on (None: all of them).
    """

    def __init__(self, images: np.ndarray, labels: np.ndarray | None, classes: int,
                 budget: FeatureBudget, seed: int = 0, index: np.ndarray | None = None):
        from gan_studio.ml.quality.networks import build_autoencoder, build_classifier

        tf = import_tensorflow()
        import keras

        self.labelled = labels is not None
        self.network = (build_classifier(*images.shape[1:], classes, seed=seed) if self.labelled
                        else build_autoencoder(*images.shape[1:], seed=seed))
        self._images, self._labels, self._budget = images, labels, budget
        self._index = np.arange(len(images)) if index is None else np.asarray(index)
        self._optimizer = keras.optimizers.Adam(budget.learning_rate)
        self._optimizer.build(self.network.trainable_variables)
        self._rng = np.random.default_rng(seed)
        self._order = np.zeros(0, np.int64)
        self._batch = budget.batch_for(images.shape[1:])
        self.total = budget.batches(len(self._index), images.shape[1:])
        self.done = 0
        self._train = tf.function(self._train_step, autograph=False)

    def _train_step(self, images, targets):
        tf = import_tensorflow()
        with tf.GradientTape() as tape:
            features, head = self.network(images, training=True)
            if self.labelled:
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
                    labels=targets, logits=head))
            else:
                real = tf.cast(images, tf.float32) / 127.5 - 1.0
                loss = tf.reduce_mean(tf.square(head - real))
        variables = self.network.trainable_variables
        self._optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    def step(self) -> bool:
        """Trains on one batch; returns whether training is over."""
        if self.done < self.total:
            size = min(self._batch, len(self._index))
            if len(self._order) < size:  # a new epoch, in a new order
                self._order = self._rng.permutation(self._index)
            batch, self._order = np.sort(self._order[:size]), self._order[size:]
            targets = (self._labels[batch].astype(np.int32) if self.labelled
                       else np.zeros(len(batch), np.int32))
            call_releasing(self._train, self._images[batch], targets)  # (its graph goes with it)
            self.done += 1
        return self.done >= self.total

    def extractor(self):
        """The trained network's feature extractor (see `networks.feature_extractor`).

        Its features are scaled so that those of the training images have a root mean square
        of 1: the kernel distance's cubic kernel (x·y / d + 1)³ assumes features of order 1
        (as Inception's are), and the autoencoder's linear bottleneck has no natural scale.
        A single factor keeps the geometry: the Fréchet distance only scales by its square.
        """
        from gan_studio.ml.quality.networks import feature_extractor

        sample = np.sort(self._rng.choice(self._index, min(_CALIBRATION, len(self._index)),
                                          replace=False))
        raw, _ = FeatureExtractor(feature_extractor(self.network, self.labelled))(
            self._images[sample])
        rms = float(np.sqrt(np.mean(np.square(raw, dtype=np.float64))))
        return feature_extractor(self.network, self.labelled, 1.0 / rms if rms > 0 else 1.0)


class FeatureExtractor:
    """Computes features (and class probabilities) of uint8 images in batches.

    Args:
        model: a feature extractor (from `NetworkTrainer.extractor` or the cache).
    """

    def __init__(self, model):
        tf = import_tensorflow()
        self.model = model
        self.labelled = len(model.outputs) == 2
        shape = [None, *model.inputs[0].shape[1:]]
        self._run = tf.function(lambda x: model(x, training=False), autograph=False,
                                input_signature=[tf.TensorSpec(shape, tf.uint8)])

    def __call__(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Returns (features (N, 128) float32, probabilities (N, classes) or None)."""
        feats, probs = [], []
        for start in range(0, len(images), _EXTRACT_BATCH):
            out = self._run(np.ascontiguousarray(images[start:start + _EXTRACT_BATCH]))
            if self.labelled:
                feats.append(out[0].numpy())
                probs.append(out[1].numpy())
            else:
                feats.append(out.numpy())
        features = np.concatenate(feats) if feats else np.zeros((0, 0), np.float32)
        return features, (np.concatenate(probs) if self.labelled and probs else None)

"""The training images' features, for nearest-image searches and the copy rate.

Computed a chunk at a time after the quality meter is ready (the meter's first number never
waits for them) and cached beside the feature network as
`<kind>-<digest16>-training.npy`: float32 (N, 128), one row per training image in the data's
order. The cache is read only when the network itself came from the cache (a network trained
again gives other features), and a file of the wrong shape, type or with non-finite values is
computed again.
"""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.atomic import atomic_path
from gan_studio.core.quality import copy_rate, nearest

BANK_CHUNK = 1000  # training images featurised per step (well under a second on a laptop)
# Images whose nearest other image calibrates a data set without a test split: a 300-image
# folder's 10 % held out were 30 distances, a floor measured on 15 (0 % in a real run).
LEAVE_ONE_OUT = 2000


def bank_path(network_path: str) -> str:
    """The cache file of the training features that go with a cached feature network."""
    return os.path.splitext(network_path)[0] + "-training.npy"


def _load(path: str, count: int) -> np.ndarray | None:
    try:
        features = np.load(path, allow_pickle=False, mmap_mode=None)
    except (OSError, ValueError, EOFError):
        return None
    if (features.dtype != np.float32 or features.ndim != 2 or len(features) != count
            or not np.all(np.isfinite(features))):
        return None
    return features


def _save(path: str, features: np.ndarray) -> None:
    try:
        with atomic_path(path, suffix=".npy") as tmp, open(tmp, "wb") as f:
            np.save(f, features, allow_pickle=False)
    except OSError:
        pass  # a read-only data folder: the features are computed again next time


class TrainingBank:
    """Every training image's features, built in steps, with the search over them.

    Args:
        images: uint8 (N, H, W, C): every image the GAN trains on.
        extract: the meter's `FeatureExtractor` (images → (features, probabilities)).
        cache_file: where the features are cached (`bank_path`), or None.
        cached: whether a cached file may be read (the network came from the cache).
    """

    def __init__(self, images: np.ndarray, extract, cache_file: str | None, cached: bool):
        self._images, self._extract, self._cache_file = images, extract, cache_file
        self._chunks: list[np.ndarray] = []
        self.features: np.ndarray | None = None
        self.from_cache = False
        if cache_file and cached and os.path.isfile(cache_file):
            self.features = _load(cache_file, len(images))
            self.from_cache = self.features is not None

    @property
    def ready(self) -> bool:
        """Whether every training image's features are at hand."""
        return self.features is not None

    @property
    def steps_left(self) -> int:
        """How many `step` calls are left."""
        if self.ready:
            return 0
        return -(-(len(self._images) - len(self._chunks) * BANK_CHUNK) // BANK_CHUNK) or 1

    def step(self) -> bool:
        """Featurises one chunk of training images (saving the whole once done); returns
        `ready`."""
        if self.ready:
            return True
        done = len(self._chunks) * BANK_CHUNK
        if done < len(self._images):
            features, _ = self._extract(self._images[done:done + BANK_CHUNK])
            self._chunks.append(features.astype(np.float32))
        if len(self._chunks) * BANK_CHUNK >= len(self._images):
            self.features = np.concatenate(self._chunks)
            self._chunks = []
            if self._cache_file:
                _save(self._cache_file, self.features)
        return self.ready

    def nearest(self, features: np.ndarray, k: int, rows: np.ndarray | None = None
                ) -> nearest.Neighbours:
        """The `k` training images nearest to each row of `features` (see `nearest.nearest`)."""
        return nearest.nearest(features, self.features, k, rows=rows)

    def calibrate(self, heldout_features: np.ndarray, seed: int) -> copy_rate.CopyCalibration:
        """The copy rate's calibration from images the GAN never trains on (a test split):
        their distances to the nearest training image (`copy_rate.calibrate`).

        Args:
            heldout_features: the held-out images' features.
            seed: seeds the split into calibration and check halves.
        """
        distances = self.nearest(heldout_features, 1).distances[:, 0]
        return copy_rate.calibrate(distances, seed)

    def calibrate_leave_one_out(self, seed: int,
                                count: int = LEAVE_ONE_OUT) -> copy_rate.CopyCalibration:
        """The copy rate's calibration when the GAN trains on every image there is (a folder):
        a seeded sample of the training images, each against all the others (its nearest
        other image; an exact duplicate in the data counts at 0, as it should: real data
        has it too).

        Args:
            seed: seeds the sample and the split into calibration and check halves.
            count: how many images are sampled (all of them, when fewer).
        """
        total = len(self.features)
        pick = np.sort(np.random.default_rng(seed).choice(total, min(count, total),
                                                          replace=False))
        found = self.nearest(self.features[pick], 2)
        itself = found.indices[:, 0] == pick  # the other is the second (or a tie's first)
        distances = np.where(itself, found.distances[:, 1], found.distances[:, 0])
        return copy_rate.calibrate(distances, seed)

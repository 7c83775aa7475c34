"""Images of a run's own data set, picked at random, for Find Data-Set Image in Latent Space."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from gan_studio.core.catalog import builtin_name
from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.runs.layout import CONFIG_FILE


class DatasetImagesError(Exception):
    """The run's data set cannot be read (the message is one line for the user)."""


@dataclass(frozen=True)
class DatasetImages:
    """Some images of a run's data set.

    Attributes:
        images: uint8 (N, H, W, C), converted like the training data.
        labels: their classes (N,), or None when the data set has none.
        indices: where each one lies in `split`.
        split: `test` for a built-in data set (images the generator never trained on), else
            `train` (an image folder has no test split).
        name: the data set's name.
        classes: class names indexed by label (empty when unknown).
    """

    images: np.ndarray
    labels: np.ndarray | None
    indices: np.ndarray
    split: str
    name: str
    classes: tuple[str, ...] = ()

    def caption(self, i: int) -> str:
        """A short label for image `i`: its class (its index where there are no labels)."""
        if self.labels is None:
            return f"#{int(self.indices[i]):,}"
        label = int(self.labels[i])
        return self.classes[label] if label < len(self.classes) else str(label)

    def describe(self, i: int) -> str:
        """"mnist test image 1,204 (7)": what image `i` is, for titles."""
        text = f"{self.name} {self.split} image {int(self.indices[i]):,}"
        return text if self.labels is None else f"{text} ({self.caption(i)})"


class DatasetImageSource:
    """Loads a run's data set once (per run) and draws random images from it.

    Meant for a worker thread: the first call reads the whole data set (MNIST or CIFAR-10's
    test split: about a second).
    """

    def __init__(self):
        self._key: str | None = None
        self._data = None
        self._split = "train"

    @staticmethod
    def config_of(run_dir: str) -> TrainConfig:
        """The run's resolved config; raises DatasetImagesError naming config.json if bad."""
        path = os.path.join(run_dir, CONFIG_FILE)
        try:
            return TrainConfig.load(path).resolved()
        except (ConfigError, OSError) as exc:
            raise DatasetImagesError(f"{path}: {exc}") from None

    def sample(self, run_dir: str, count: int, seed: int) -> DatasetImages:
        """Draws `count` distinct images (fewer if the data set is smaller) with `seed`.

        Raises:
            DatasetImagesError: if the run's config or its data set cannot be read.
        """
        from gan_studio.data import DatasetError, load_dataset

        if self._key != run_dir:
            config = self.config_of(run_dir)
            split = "test" if builtin_name(config.dataset) is not None else "train"
            try:
                self._data = load_dataset(config.dataset, data_dir=config.data_dir,
                                          image_size=config.image_size, channels=config.channels,
                                          split=split, download=False)
            except DatasetError as exc:
                raise DatasetImagesError(str(exc)) from None
            self._key, self._split = run_dir, split
        data = self._data
        rng = np.random.default_rng(seed)
        indices = np.sort(rng.choice(len(data.images), min(count, len(data.images)),
                                     replace=False))
        labels = None if data.labels is None else data.labels[indices].copy()
        return DatasetImages(data.images[indices].copy(), labels, indices, self._split,
                             data.name, tuple(data.classes))

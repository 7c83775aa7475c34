"""A `QualityMeter` for a run's data set, loaded the way the trainer loads it."""

from __future__ import annotations

from gan_studio.core.catalog import builtin_name
from gan_studio.core.config import TrainConfig
from gan_studio.ml.quality.features import FeatureBudget
from gan_studio.ml.quality.meter import QualityMeter


def meter_for_config(config: TrainConfig, count: int | None = None,
                     budget: FeatureBudget | None = None, progress=None,
                     download: bool = True) -> QualityMeter:
    """Loads a config's data set and returns an (unprepared) meter for it.

    Built-in data sets are scored against their test split, which the feature network never
    sees; other data hold out a seeded 10 % of their images (see `QualityMeter`).

    Args:
        config: the run's config: its `dataset`, `data_dir`, `image_size`, `channels`,
            `quality_samples` and `seed` are used. The features are cached in its data
            folder (`data_dir`, else `gan_studio.data.default_data_dir()`).
        count: generated images per evaluation (default: `config.quality_samples`).
        budget: how long the feature network trains (default: the one
            `features.DEFAULT_BUDGETS` holds for its kind).
        progress: passed to `load_dataset` (download bytes, decoded images).
        download: whether a built-in data set missing from the cache may be downloaded
            (without it, a missing test split means 10 % of the training images are held out,
            as `meter_for_data`'s `download_heldout` says).

    Raises:
        DatasetError: if the data set cannot be loaded.
    """
    from gan_studio.data import load_dataset

    data = load_dataset(config.dataset, data_dir=config.data_dir, image_size=config.image_size,
                        channels=config.channels, progress=progress, download=download)
    return meter_for_data(config, data, count, budget, download_heldout=download)


def meter_for_data(config: TrainConfig, data, count: int | None = None,
                   budget: FeatureBudget | None = None,
                   download_heldout: bool = True) -> QualityMeter:
    """Returns an (unprepared) meter for training images already loaded (`meter_for_config`).

    Args:
        config: as for `meter_for_config`.
        data: the config's training `Dataset`.
        count: as for `meter_for_config`.
        budget: as for `meter_for_config`.
        download_heldout: whether a built-in's missing test split may be downloaded. Without
            it (the trainer, which must not wait on the network), an uncached test split
            means a seeded 10 % of `data` is held out instead.

    Raises:
        DatasetError: if the test split cannot be loaded and `download_heldout` is True.
    """
    from gan_studio.data import DatasetError, default_data_dir, load_dataset

    heldout = None
    if builtin_name(config.dataset) is not None:
        try:
            heldout = load_dataset(config.dataset, data_dir=config.data_dir, split="test",
                                   image_size=config.image_size, channels=config.channels,
                                   download=download_heldout).images
        except DatasetError:
            if download_heldout:
                raise
    return QualityMeter(data.images, data.labels, data.classes, heldout,
                        cache_dir=config.data_dir or default_data_dir(),
                        samples=count or config.quality_samples, seed=config.seed,
                        name=data.name, budget=budget)

"""The projection's feature loss: the quality meter's own network, where a run has one cached."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from gan_studio.core.runs.layout import CONFIG_FILE, is_run_dir


@dataclass(frozen=True)
class FeatureNetwork:
    """A differentiable image → features function for `Projector(features=...)`.

    Attributes:
        features: images in [-1, 1] (N, H, W, C) to features (N, 128), root mean square ≈ 1
            on the training images (the meter's scaling).
        name: what it is, for the user: "the quality meter's MNIST classifier".
    """

    features: Callable
    name: str


def meter_features(source: str) -> FeatureNetwork | None:
    """The meter's feature network of the run at `source`, if one is cached; else None.

    A `.keras` file names no data set, and a run whose meter never ran has no network yet:
    training one takes minutes, too long to wait for before a search, so those search with
    the pixel loss alone. A data set that cannot be read is treated the same way.
    """
    from gan_studio.core.config import ConfigError, TrainConfig
    from gan_studio.data import DatasetError
    from gan_studio.ml.quality.meter_factory import meter_for_config

    if not (os.path.isdir(source) and is_run_dir(source)):
        return None
    try:
        config = TrainConfig.load(os.path.join(source, CONFIG_FILE)).resolved()
        meter = meter_for_config(config, download=False)  # never wait on a network
    except (ConfigError, DatasetError, OSError):
        return None
    model = meter.cached_network()
    if model is None:
        return None
    labelled = len(model.outputs) == 2

    def features(images):
        out = model((images + 1.0) * 127.5, training=False)  # the meter's uint8 scale
        return out[0] if labelled else out

    kind = "classifier" if labelled else "autoencoder"
    name = os.path.basename(os.path.normpath(config.dataset))
    return FeatureNetwork(features, f"the quality meter's {name} {kind}")


def compared(network: FeatureNetwork | None) -> str:
    """What a search with `network` compares, for the user: "pixels and ...'s features"."""
    return "pixels" if network is None else f"pixels and {network.name}'s features"

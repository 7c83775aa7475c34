"""The catalog of built-in data sets is the one source the rest of the app reads."""

import pytest

from gan_studio.core import catalog
from gan_studio.core.config import ConfigError, TrainConfig


def test_builtins_are_described_once_with_what_the_app_needs():
    assert catalog.BUILTIN_DATASETS == ("mnist", "fashion_mnist", "cifar10")
    for name in catalog.BUILTIN_DATASETS:
        source = catalog.builtin_source(name)
        assert source.name == name and source.title
        side, width, channels = source.shape
        assert side == width and side in catalog.IMAGE_SIZES and channels in (1, 3)
        assert len(source.classes) == 10
        assert source.layout in (catalog.NPZ, catalog.IDX, catalog.CIFAR)
        assert source.files and all(len(f.sha256) == 64 and f.size > 0 for f in source.files)
        assert {s for f in source.files for s in f.splits} == set(catalog.SPLITS)


def test_spellings_and_latent_sizes():
    assert catalog.builtin_name("Fashion-MNIST") == "fashion_mnist"
    assert catalog.builtin_name("CIFAR-10") == "cifar10"
    assert catalog.builtin_name("./mnist") is None and catalog.builtin_source("svhn") is None
    assert catalog.latent_dim_for("mnist") == 100 and catalog.latent_dim_for("cifar10") == 128
    assert catalog.latent_dim_for("/data/faces") == catalog.DEFAULT_LATENT_DIM


def test_the_config_takes_latent_and_image_sizes_from_the_catalog():
    for name in catalog.BUILTIN_DATASETS:
        assert TrainConfig(dataset=name).resolved().latent_dim == catalog.latent_dim_for(name)
    assert TrainConfig().image_size is None  # automatic: the images' own, up to the default
    TrainConfig(dataset="faces").resolved()
    for size in catalog.IMAGE_SIZES:
        TrainConfig(dataset="faces", image_size=size).resolved()
    with pytest.raises(ConfigError, match="image_size"):
        TrainConfig(dataset="faces", image_size=48).resolved()


@pytest.mark.parametrize("side,size", [(None, 64), (16, 28), (28, 28), (30, 28), (32, 32),
                                       (63, 32), (64, 64), (100, 64), (4000, 64)])
def test_the_automatic_image_size_is_the_images_own_up_to_the_default(side, size):
    assert catalog.automatic_image_size(side) == size
    assert size in catalog.IMAGE_SIZES and size <= catalog.DEFAULT_IMAGE_SIZE

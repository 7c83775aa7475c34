"""Where the built-in data sets (described in `gan_studio.core.catalog`) are cached.

The cache layout is the one `keras.utils.get_file` leaves behind, so a data set a user already
downloaded with Keras is found offline.
"""

from __future__ import annotations

import os

from gan_studio.core.catalog import BUILTIN_DATASETS, DatasetSource, builtin_source
from gan_studio.data.errors import DatasetError


def dataset_source(name: str) -> DatasetSource:
    """Returns the origins, cache names and digests of a built-in data set.

    Args:
        name: `"mnist"`, `"fashion_mnist"` or `"cifar10"` (see `builtin_name` for spellings).

    Returns:
        Its `DatasetSource`.

    Raises:
        DatasetError: if `name` is not a built-in data set.
    """
    source = builtin_source(name)
    if source is None:
        raise DatasetError(
            f"Unknown data set {name!r}; the built-in ones are {', '.join(BUILTIN_DATASETS)}.")
    return source


def default_data_dir() -> str:
    """Returns the folder where built-in data sets are cached.

    That is `$GAN_STUDIO_DATA_DIR` if set, else `$KERAS_HOME/datasets`, else
    `~/.keras/datasets`: the folder Keras itself caches data sets in.

    Returns:
        An absolute path (which may not exist yet).
    """
    own = os.environ.get("GAN_STUDIO_DATA_DIR")
    if own:
        return os.path.abspath(os.path.expanduser(own))
    keras_home = os.environ.get("KERAS_HOME") or os.path.join("~", ".keras")
    return os.path.abspath(os.path.join(os.path.expanduser(keras_home), "datasets"))


def cache_path(data_dir: str, filename: str) -> str:
    """Returns the absolute path of a cached file named with `/` separators."""
    return os.path.abspath(os.path.join(data_dir, *filename.split("/")))

"""Reader for `.npz` archives in the layout of Keras' `mnist.npz`."""

from __future__ import annotations

import os
import zipfile
import zlib

import numpy as np

from gan_studio.data.errors import DatasetError

_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}


def load_npz_split(path: str, split: str = "train") -> tuple[np.ndarray, np.ndarray | None]:
    """Loads one split of an `.npz` holding `x_train`, `y_train`, `x_test`, `y_test`.

    Pickled (object) arrays are refused: only plain numeric arrays are read.

    Args:
        path: the `.npz` file, e.g. Keras' cached `mnist.npz`.
        split: `"train"` or `"test"`.

    Returns:
        `(images, labels)`: uint8 `(N, H, W, C)` and int64 `(N,)`, or None when the archive
        has no labels for that split.

    Raises:
        DatasetError: if the file is truncated, corrupt, or lacks uint8 images for `split`.
    """
    name = os.path.basename(path)
    x_key, y_key = _KEYS[split]
    try:
        with np.load(path, allow_pickle=False) as archive:
            if x_key not in archive.files:
                raise DatasetError(f"{name} has no {x_key!r} array, so it is not a data set "
                                   "in the layout of Keras' mnist.npz.")
            images = archive[x_key]
            labels = archive[y_key] if y_key in archive.files else None
    except DatasetError:
        raise
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as err:
        raise DatasetError(f"{name} is truncated or corrupt ({err}); delete it and load the "
                           "data set again.") from err
    return _check_images(images, name), _check_labels(labels, len(images), name)


def _check_images(images: np.ndarray, name: str) -> np.ndarray:
    if images.dtype != np.uint8:
        raise DatasetError(f"{name} holds {images.dtype} images; 8-bit (uint8) ones are needed.")
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise DatasetError(f"{name} holds arrays of shape {images.shape}, not images.")
    return images


def _check_labels(labels: np.ndarray | None, count: int, name: str) -> np.ndarray | None:
    if labels is None:
        return None
    labels = labels.reshape(-1) if labels.ndim == 2 and labels.shape[1] == 1 else labels
    if labels.ndim != 1 or labels.dtype.kind not in "iu" or len(labels) != count:
        raise DatasetError(f"{name} has labels that do not match its {count} images.")
    return labels.astype(np.int64)

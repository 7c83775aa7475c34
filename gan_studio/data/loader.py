"""`load_dataset`: one entry point for built-in data sets and the user's own files."""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable

from gan_studio.core.catalog import BUILTIN_DATASETS, SPLITS, automatic_image_size, builtin_name
from gan_studio.data import cifar, idx
from gan_studio.data.builtin import load_builtin
from gan_studio.data.dataset import Dataset, match_channels
from gan_studio.data.errors import DatasetCancelledError, DatasetError
from gan_studio.data.image_folders import load_image_folder, load_image_zip
from gan_studio.data.image_sizes import folder_image_size, zip_image_size
from gan_studio.data.npz import load_npz_split


def load_dataset(source: str | os.PathLike, data_dir: str | None = None,
                 image_size: int | None = 64,
                 channels: int | None = None, split: str = "train", download: bool = True,
                 progress: Callable[[int, int], None] | None = None,
                 cancel: threading.Event | None = None) -> Dataset:
    """Loads a data set of images into memory.

    Built-in data sets keep their own size (28x28 or 32x32); the images of a folder or a
    `.zip` are scaled so their shorter side is `image_size`, then centre-cropped to a square.
    A bare built-in name always means the built-in data set: write `./mnist` for a folder
    of that name.

    Args:
        source: `"mnist"`, `"fashion_mnist"` or `"cifar10"`; or the path of a folder of
            images (class subfolders give labels), a `.zip` of images, an idx file (raw or
            gzip) or a folder of idx files, a `.npz` in the layout of Keras' `mnist.npz`, or
            an extracted `cifar-10-batches-py` folder.
        data_dir: cache folder of the built-in data sets; `default_data_dir()` if None.
        image_size: side of the square images made from a folder or a `.zip`; None: the
            images' own (`automatic_image_size` of `typical_image_size`'s shorter side).
        channels: 1 for grayscale, 3 for RGB, or None to keep the source's (for folders:
            grayscale if every image is, else RGB).
        split: `"train"` or `"test"`; folders and `.zip` files only have `"train"`.
        download: whether a built-in data set missing from the cache may be downloaded.
        progress: called as `progress(done, total)`: bytes while downloading, images while
            decoding a folder or `.zip`.
        cancel: when set, a download or the decoding of images stops early.

    Returns:
        The `Dataset`: uint8 images `(N, H, W, C)`, labels if the source has them, and the
        image files left out (`skipped_files`: which, and why).

    Raises:
        DataUnavailableError: if a built-in data set is not cached and cannot be downloaded;
            it names the URL and the exact path where the file may be placed by hand.
        DatasetCancelledError: if `cancel` was set.
        DatasetError: for anything else: unknown source, corrupt files, no images, bad
            arguments.
    """
    source = os.fspath(source)
    if split not in SPLITS:
        raise DatasetError(f"The split must be 'train' or 'test', not {split!r}.")
    if channels not in (None, 1, 3):
        raise DatasetError(f"Images can have 1 or 3 channels, not {channels}.")
    if cancel is not None and cancel.is_set():
        raise DatasetCancelledError("loading cancelled")
    if not source.strip():
        raise DatasetError("No data set was given: name a built-in one "
                           f"({', '.join(BUILTIN_DATASETS)}) or a file or folder.")
    if is_builtin_source(source):
        dataset = load_builtin(builtin_name(source), data_dir, split, download, progress,
                               cancel)
    else:
        dataset = _load_path(os.path.abspath(os.path.expanduser(source)), image_size,
                             channels, split, progress, cancel)
    dataset.images = match_channels(dataset.images, channels)
    return dataset


def is_builtin_source(source: str | os.PathLike) -> bool:
    """Returns whether `load_dataset(source)` loads a built-in data set rather than a path.

    It tells what `load_dataset`'s `progress` counts: bytes downloaded for a built-in data
    set, images decoded for a folder or a `.zip`.

    Args:
        source: what `load_dataset` would be given.

    Returns:
        True for a built-in name (any spelling `builtin_name` accepts) not written as a path.
    """
    source = os.fspath(source)
    return builtin_name(source) is not None and not _looks_like_path(source)


def _looks_like_path(source: str) -> bool:
    return source.startswith((".", "~")) or "/" in source or os.sep in source


def _load_path(path: str, image_size: int, channels: int | None, split: str,
               progress, cancel) -> Dataset:
    if not os.path.exists(path):
        raise DatasetError(f"{path} is neither a built-in data set "
                           f"({', '.join(BUILTIN_DATASETS)}) nor an existing file or folder.")
    name = _display_name(path)
    if not os.path.isdir(path) and not os.path.isfile(path):
        raise DatasetError(f"{path} is neither a folder nor a regular file (a FIFO, a device?), "
                           "so it was not read.")
    if os.path.isdir(path):
        if cifar.is_batch_folder(path):
            return Dataset(name, *cifar.load_batch_folder(path, split))
        if idx.folder_has_idx(path):
            return Dataset(name, *idx.load_idx_source(path, split))
        _check_image_split(split, path)
        found = load_image_folder(path, _checked_size(image_size, path), channels, progress,
                                  cancel)
        return Dataset(name, found.images, found.labels, found.skipped_files, found.classes)
    lower = path.lower()
    if lower.endswith(".npz"):
        return Dataset(name, *load_npz_split(path, split))
    if lower.endswith(".zip") or zipfile.is_zipfile(path):
        _check_image_split(split, path)
        found = load_image_zip(path, _checked_size(image_size, path), channels, progress,
                               cancel)
        return Dataset(name, found.images, found.labels, found.skipped_files, found.classes)
    if idx.looks_like_idx(path):
        return Dataset(name, *idx.load_idx_source(path, split))
    raise DatasetError(f"{os.path.basename(path)} is not a data set this app can read (use a "
                       "folder or .zip of images, an idx file, or a .npz like Keras' mnist.npz).")


def _display_name(path: str) -> str:
    base = os.path.basename(path.rstrip(os.sep)) or path
    for suffix in (".gz", ".zip", ".npz"):
        if base.lower().endswith(suffix):
            base = base[: -len(suffix)]
    return base


def _check_image_split(split: str, path: str) -> None:
    if split != "train":
        raise DatasetError(f"{os.path.basename(path)} has only a 'train' split: a folder or "
                           ".zip of images is used whole for training.")


def typical_image_size(source: str | os.PathLike) -> tuple[int, int] | None:
    """The `(width, height)` typical of a folder's or a `.zip`'s images, from their headers.

    It is the median image by shorter side among a sample of them (`data/image_sizes.py`),
    known before any image is decoded.

    Args:
        source: what `load_dataset` would be given.

    Returns:
        The size, or None for other sources (built-in, idx, npz, CIFAR batches), paths that
        do not exist and images none of whose headers read.
    """
    source = os.fspath(source)
    if not source.strip() or is_builtin_source(source):
        return None
    path = os.path.abspath(os.path.expanduser(source))
    if os.path.isdir(path):
        if cifar.is_batch_folder(path) or idx.folder_has_idx(path):
            return None
        return folder_image_size(path)
    if os.path.isfile(path) and not path.lower().endswith(".npz") and (
            path.lower().endswith(".zip") or zipfile.is_zipfile(path)):
        return zip_image_size(path)
    return None


def _checked_size(image_size: int | None, path: str) -> int:
    if image_size is None:
        typical = typical_image_size(path)
        return automatic_image_size(min(typical) if typical else None)
    if not isinstance(image_size, int) or image_size < 1:
        raise DatasetError(f"The image size must be a positive number of pixels, not "
                           f"{image_size!r}.")
    return image_size

"""The built-in data sets: found in a Keras-layout cache, or downloaded into it."""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable

from gan_studio.core.catalog import (
    BUILTIN_DATASETS,
    CIFAR,
    IDX,
    NPZ,
    DatasetSource,
    RemoteFile,
    builtin_source,
)
from gan_studio.data import cifar
from gan_studio.data.cache_location import cache_path, dataset_source, default_data_dir
from gan_studio.data.dataset import Dataset
from gan_studio.data.download import download_file
from gan_studio.data.errors import DatasetError, DataUnavailableError
from gan_studio.data.idx import read_idx_images, read_idx_labels
from gan_studio.data.npz import load_npz_split

Progress = Callable[[int, int], None]

# Where each Keras version leaves CIFAR-10: tf.keras and Keras < 3.6 unpack next to
# `cifar-10-batches-py.tar.gz`; Keras 3.6+ unpacks into `<fname>/` beside `<fname>_archive`.
_CIFAR_FOLDERS = ("cifar-10-batches-py", "cifar-10-batches-py/cifar-10-batches-py",
                  "cifar-10-batches-py-target/cifar-10-batches-py")
_CIFAR_ARCHIVES = ("cifar-10-python.tar.gz", "cifar-10-batches-py.tar.gz",
                   "cifar-10-batches-py_archive", "cifar-10-batches-py-target_archive")


def cached_status(data_dir: str | None = None) -> dict[str, bool]:
    """Tells which built-in data sets can be loaded without a network.

    Args:
        data_dir: the cache folder; `default_data_dir()` if None.

    Returns:
        `{name: available}` for each of `BUILTIN_DATASETS`, both splits included.
    """
    data_dir = data_dir or default_data_dir()
    return {name: _is_cached(builtin_source(name), data_dir) for name in BUILTIN_DATASETS}


def _is_cached(source: DatasetSource, data_dir: str) -> bool:
    if source.layout == CIFAR:
        return bool(_find(data_dir, _CIFAR_FOLDERS, cifar.is_batch_folder)
                    or _find(data_dir, _CIFAR_ARCHIVES, os.path.isfile))
    return all(_cached_copy(data_dir, f) for f in source.files)


def load_builtin(name: str, data_dir: str | None = None, split: str = "train",
                 download: bool = True, progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> Dataset:
    """Loads a built-in data set at its own size, downloading it first if it is not cached.

    Cached files are parsed by this package's own checked readers but not re-hashed (a user
    may hold a re-packed copy); fresh downloads must match the official SHA-256.

    Args:
        name: one of `BUILTIN_DATASETS`.
        data_dir: the cache folder; `default_data_dir()` if None.
        split: `"train"` or `"test"`.
        download: whether a missing file may be downloaded.
        progress: called as `progress(bytes_done, bytes_total)` while downloading.
        cancel: when set, a download stops at its next chunk.

    Returns:
        The `Dataset`, with labels and class names.

    Raises:
        DataUnavailableError: if a file is missing and cannot be downloaded.
        DatasetError: if a file is corrupt or the download is cancelled or fails its check.
    """
    source = dataset_source(name)
    data_dir = os.path.abspath(data_dir or default_data_dir())
    loaders = {NPZ: _load_npz, IDX: _load_idx, CIFAR: _load_cifar}
    fetch = _Fetcher(data_dir, download, progress, cancel)
    images, labels = loaders[source.layout](source, data_dir, split, fetch)
    return Dataset(source.name, images, labels, classes=source.classes)


class _Fetcher:
    """Downloads missing files of one data set, reporting progress over all of them."""

    def __init__(self, data_dir: str, download: bool, progress: Progress | None,
                 cancel: threading.Event | None):
        self.data_dir, self.download = data_dir, download
        self.progress, self.cancel = progress, cancel

    def __call__(self, files: list[RemoteFile]) -> None:
        done_before = 0
        for i, remote in enumerate(files):
            dest = cache_path(self.data_dir, remote.filename)
            if not self.download:
                raise DataUnavailableError(remote.url, dest, "downloading is turned off")
            later = sum(f.size for f in files[i + 1:])
            download_file(remote.url, dest, remote.sha256,
                          self._reporter(done_before, later, remote.size), self.cancel)
            done_before += os.path.getsize(dest)

    def _reporter(self, before: int, later: int, expected: int) -> Progress | None:
        if self.progress is None:
            return None
        report = self.progress

        def reporter(done: int, total: int) -> None:
            report(before + done, before + max(total or expected, done) + later)
        return reporter


def _load_npz(source: DatasetSource, data_dir: str, split: str, fetch: _Fetcher):
    remote = source.files[0]
    path = cache_path(data_dir, remote.filename)
    if not os.path.isfile(path):
        _check_not_in_the_way(path)
        fetch([remote])
    return load_npz_split(path, split)


def _load_idx(source: DatasetSource, data_dir: str, split: str, fetch: _Fetcher):
    needed = source.files_for(split)
    missing = [f for f in needed if _cached_copy(data_dir, f) is None]
    for remote in missing:
        _check_not_in_the_way(cache_path(data_dir, remote.filename))
    fetch(missing)
    by_kind = {("labels" if "labels" in f.filename else "images"): _cached_copy(data_dir, f)
               for f in needed}
    images = read_idx_images(by_kind["images"])
    return images, read_idx_labels(by_kind["labels"], len(images))


def _load_cifar(source: DatasetSource, data_dir: str, split: str, fetch: _Fetcher):
    folder = _find(data_dir, _CIFAR_FOLDERS, cifar.is_batch_folder)
    if folder is not None:
        return cifar.load_batch_folder(folder, split)
    archive = _find(data_dir, _CIFAR_ARCHIVES, os.path.isfile)
    if archive is None:
        archive = cache_path(data_dir, source.files[0].filename)
        _check_not_in_the_way(archive)
        fetch(list(source.files))
    try:
        folder = cifar.extract_archive(archive, data_dir)
    except PermissionError:
        # A read-only cache (a shared Keras folder, say) still works: unpack elsewhere.
        with tempfile.TemporaryDirectory(prefix="gan-studio-cifar-") as scratch:
            return cifar.load_batch_folder(cifar.extract_archive(archive, scratch), split)
    return cifar.load_batch_folder(folder, split)


def _check_not_in_the_way(path: str) -> None:
    """Refuses to download onto a folder (or a device, a broken link) at a cached file's path."""
    if os.path.lexists(path):
        raise DatasetError(f"{path} is not a file (a folder or a broken link?), so the data set "
                           "cannot be read or downloaded there: move it away and try again.")


def _cached_copy(data_dir: str, remote: RemoteFile) -> str | None:
    """Returns the cached file for `remote`, accepting a gunzipped copy of a `.gz`."""
    path = cache_path(data_dir, remote.filename)
    candidates = (path, path[:-3]) if path.endswith(".gz") else (path,)
    return next((p for p in candidates if os.path.isfile(p)), None)


def _find(data_dir: str, names: tuple[str, ...], test: Callable[[str], bool]) -> str | None:
    return next((p for p in (cache_path(data_dir, n) for n in names) if test(p)), None)

"""Safe readers for CIFAR-10's python batches and its `.tar.gz` archive.

The batches are pickles, and unpickling can run arbitrary code, so they are read only through
`RestrictedUnpickler`, which can rebuild numpy arrays and nothing else.
"""

from __future__ import annotations

import codecs
import os
import pickle
import posixpath
import shutil
import tarfile
import tempfile
import zlib

import numpy as np

from gan_studio.data.errors import DatasetError

BATCH_FOLDER = "cifar-10-batches-py"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCHES = ("test_batch",)
_ROW = 3 * 32 * 32


def _numpy_reconstruct():
    try:
        from numpy._core.multiarray import _reconstruct
    except ImportError:  # numpy < 2 without the numpy._core alias
        from numpy.core.multiarray import _reconstruct
    return _reconstruct


# The official files name numpy.core (they predate numpy 2); files written by numpy 2 name
# numpy._core. Both resolve to the same function, looked up directly so that the deprecated
# numpy.core module is never imported. _codecs.encode is how Python 3 pickles bytes.
_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy._core.multiarray", "_reconstruct"): _numpy_reconstruct,
    ("numpy", "ndarray"): lambda: np.ndarray,
    ("numpy", "dtype"): lambda: np.dtype,
    ("_codecs", "encode"): lambda: codecs.encode,
}


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that can rebuild numpy arrays and refuses every other global.

    Anything else a pickle asks for (`os.system`, `builtins.eval`, ...) raises
    `DatasetError` before it is looked up, so it is never called.
    """

    def find_class(self, module: str, name: str):
        """Returns an allowed global.

        Args:
            module: module the pickle names.
            name: attribute of `module` the pickle names.

        Returns:
            The numpy or codecs callable that `module.name` denotes.

        Raises:
            DatasetError: for any global outside the allowed set.
        """
        resolve = _ALLOWED.get((module, name))
        if resolve is None:
            raise DatasetError(
                f"Refused to load a CIFAR-10 batch that asks to run {module}.{name}: the file is "
                "not a genuine CIFAR-10 batch and may be malicious.")
        return resolve()


def load_batch(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Reads one CIFAR-10 python batch.

    Args:
        path: a `data_batch_*` or `test_batch` file.

    Returns:
        `(images, labels)`: uint8 `(N, 32, 32, 3)` (a strided view of the file's rows) and
        int64 `(N,)`.

    Raises:
        DatasetError: if the file is missing, corrupt, malicious or not a CIFAR batch.
    """
    name = os.path.basename(path)
    try:
        with open(path, "rb") as f:
            batch = RestrictedUnpickler(f, encoding="bytes").load()
    except DatasetError:
        raise
    except FileNotFoundError as err:
        raise DatasetError(f"The CIFAR-10 batch {path} is missing; delete its folder and load "
                           "the data set again.") from err
    except Exception as err:  # unpickling malformed bytes can raise nearly anything
        raise DatasetError(f"The CIFAR-10 batch {name} is corrupt or truncated ({err}).") from err
    data, labels = _field(batch, "data"), _field(batch, "labels")
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != _ROW:
        raise DatasetError(f"The CIFAR-10 batch {name} does not hold rows of 3072 bytes.")
    try:
        labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    except (TypeError, ValueError) as err:
        raise DatasetError(f"The CIFAR-10 batch {name} has unreadable labels.") from err
    if len(labels) != len(data):
        raise DatasetError(f"The CIFAR-10 batch {name} has {len(labels)} labels for "
                           f"{len(data)} images.")
    return _as_images(data), labels


def _as_images(rows: np.ndarray) -> np.ndarray:
    """Returns the (N, 32, 32, 3) view of CIFAR rows (not contiguous)."""
    # Each row is the red plane, then green, then blue, each 32x32 in row-major order.
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def _field(batch, key: str):
    if not isinstance(batch, dict):
        raise DatasetError("A CIFAR-10 batch does not hold a dictionary.")
    for candidate in (key.encode(), key):
        if candidate in batch:
            return batch[candidate]
    raise DatasetError(f"A CIFAR-10 batch has no {key!r} entry.")


def is_batch_folder(folder: str) -> bool:
    """Returns whether `folder` holds every batch of CIFAR-10's python version."""
    return all(os.path.isfile(os.path.join(folder, b)) for b in _TRAIN_BATCHES + _TEST_BATCHES)


def load_batch_folder(folder: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Reads the batches of one split from an extracted `cifar-10-batches-py` folder.

    Args:
        folder: the folder holding `data_batch_1`..`5` and `test_batch`.
        split: `"train"` (the five data batches) or `"test"`.

    Returns:
        `(images, labels)`: uint8 `(N, 32, 32, 3)` and int64 `(N,)`.

    Raises:
        DatasetError: if a batch is missing or invalid.
    """
    names = _TEST_BATCHES if split == "test" else _TRAIN_BATCHES
    parts = [load_batch(os.path.join(folder, name)) for name in names]
    images = np.empty((sum(len(p[0]) for p in parts), 32, 32, 3), dtype=np.uint8)
    start = 0
    for batch, _ in parts:
        images[start:start + len(batch)] = batch
        start += len(batch)
    return images, np.concatenate([p[1] for p in parts])


def extract_archive(archive: str, data_dir: str) -> str:
    """Unpacks `cifar-10-python.tar.gz` into `data_dir/cifar-10-batches-py`.

    Entries that are links, devices, absolute or climb out with `..` are refused outright
    (and Python's `data` extraction filter is applied where available). The folder appears
    only once complete.

    Args:
        archive: the `.tar.gz` file.
        data_dir: the folder to unpack into.

    Returns:
        The path of the unpacked `cifar-10-batches-py` folder.

    Raises:
        DatasetError: if the archive is corrupt, incomplete or holds an unsafe entry.
    """
    target = os.path.join(data_dir, BATCH_FOLDER)
    os.makedirs(data_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".cifar-10-extract-", dir=data_dir)
    try:
        _extract_members(archive, staging)
        unpacked = os.path.join(staging, BATCH_FOLDER)
        if not is_batch_folder(unpacked):
            raise DatasetError(f"{os.path.basename(archive)} does not hold the CIFAR-10 "
                               f"batches in a {BATCH_FOLDER} folder.")
        if os.path.exists(target):
            os.replace(target, os.path.join(staging, "previous"))
        os.replace(unpacked, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _extract_members(archive: str, dest: str) -> None:
    name = os.path.basename(archive)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = [m for m in tar.getmembers() if _checked(m, name)]
            if hasattr(tarfile, "data_filter"):
                tar.extractall(dest, members=members, filter="data")
            else:  # Python without extraction filters: _checked() is the only guard
                tar.extractall(dest, members=members)
    except DatasetError:
        raise
    except tarfile.TarError as err:  # FilterError included
        raise DatasetError(f"{name} is corrupt or unsafe ({err}).") from err
    except (OSError, EOFError, zlib.error) as err:
        raise DatasetError(f"{name} is truncated or corrupt ({err}); delete it and load the "
                           "data set again.") from err


def _checked(member: tarfile.TarInfo, archive_name: str) -> bool:
    """Raises for unsafe entries; returns whether a safe entry belongs to the batch folder."""
    path = member.name.replace("\\", "/")
    parts = posixpath.normpath(path).split("/")
    unsafe = (path.startswith("/") or (len(path) > 1 and path[1] == ":") or ".." in
              path.split("/") or not (member.isfile() or member.isdir()))
    if unsafe:
        raise DatasetError(f"{archive_name} holds an unsafe entry {member.name!r} (an absolute "
                           "path, a '..' or a link), so it was not unpacked.")
    return parts[0] == BATCH_FOLDER

"""Safe readers for CIFAR-10's python batches and its `.tar.gz` archive.

The batches are pickles, and unpickling can run arbitrary code, so they are read only through
`safe_pickle.RestrictedUnpickler`, which can rebuild numeric numpy arrays and nothing else;
the arrays are then checked against the format (uint8 rows of 3072 bytes, at most 10,000 of
them, one label from 0 to 9 each).
"""

from __future__ import annotations

import os
import posixpath
import shutil
import stat
import tarfile
import tempfile
import zlib

import numpy as np

from gan_studio.data.errors import DatasetError
from gan_studio.data.safe_pickle import PickleRefused, RestrictedUnpickler, unpickled_array

BATCH_FOLDER = "cifar-10-batches-py"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))
_TEST_BATCHES = ("test_batch",)
# Every file of the official archive; nothing else in it is unpacked.
_MEMBERS = frozenset(_TRAIN_BATCHES + _TEST_BATCHES + ("batches.meta", "readme.html"))
_ROW = 3 * 32 * 32
_MAX_ROWS = 10_000
_CLASSES = 10
# A batch is 31 MB (more if pickled with protocol 0, which escapes bytes): a file or an
# archive member larger than this is not CIFAR-10, and is refused before it is read.
MAX_BATCH_BYTES = 256 << 20
# The official archive unpacks to 178 MB, in 8 entries.
_MAX_ARCHIVE_BYTES = 1 << 30
_MAX_ENTRIES = 64


def load_batch(path: str) -> tuple[np.ndarray, np.ndarray]:
    """Reads one CIFAR-10 python batch.

    Args:
        path: a `data_batch_*` or `test_batch` file.

    Returns:
        `(images, labels)`: read-only uint8 `(N, 32, 32, 3)` (a strided view of the file's
        rows) and int64 `(N,)`, N at most 10,000.

    Raises:
        DatasetError: if the file is missing, corrupt, malicious or not a CIFAR batch.
    """
    name = os.path.basename(path)
    batch = _unpickle(path, name)
    try:
        data, labels = (unpickled_array(_field(batch, key, name)) for key in ("data", "labels"))
    except PickleRefused as err:
        raise _refused(name, err) from err
    if not isinstance(data, np.ndarray) or data.dtype != np.uint8 or data.ndim != 2 \
            or data.shape[1] != _ROW or not 1 <= len(data) <= _MAX_ROWS:
        shape = data.shape if isinstance(data, np.ndarray) else type(data).__name__
        raise DatasetError(f"The CIFAR-10 batch {name} does not hold 1 to {_MAX_ROWS} uint8 "
                           f"rows of 3072 bytes (it holds {shape}).")
    return _as_images(data), _checked_labels(labels, len(data), name)


def _unpickle(path: str, name: str):
    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BATCH_BYTES:
                raise DatasetError(f"The CIFAR-10 batch {name} is not a file of at most "
                                   f"{MAX_BATCH_BYTES >> 20} MB, so it is not a CIFAR-10 batch.")
            return RestrictedUnpickler(f, encoding="bytes").load()
    except PickleRefused as err:
        raise _refused(name, err) from err
    except DatasetError:
        raise
    except FileNotFoundError as err:
        raise DatasetError(f"The CIFAR-10 batch {path} is missing; delete its folder and load "
                           "the data set again.") from err
    except IsADirectoryError as err:
        raise DatasetError(f"The CIFAR-10 batch {path} is a folder, not a file.") from err
    except Exception as err:  # unpickling malformed bytes can raise nearly anything
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise DatasetError(f"The CIFAR-10 batch {name} is corrupt or truncated "
                           f"({reason}).") from err


def _refused(name: str, err: PickleRefused) -> DatasetError:
    return DatasetError(f"Refused to load the CIFAR-10 batch {name}: it {err}, so it is not a "
                        "genuine CIFAR-10 batch and may be malicious.")


def _checked_labels(labels, count: int, name: str) -> np.ndarray:
    is_array = isinstance(labels, np.ndarray) and labels.dtype.kind in "iu" and labels.ndim == 1
    if not is_array and not (isinstance(labels, list) and all(type(v) is int for v in labels)):
        raise DatasetError(f"The CIFAR-10 batch {name} has unreadable labels (not a list of "
                           "integers).")
    if len(labels) != count:
        raise DatasetError(f"The CIFAR-10 batch {name} has {len(labels)} labels for "
                           f"{count} images.")
    in_range = ((labels >= 0) & (labels < _CLASSES)).all() if is_array \
        else all(0 <= v < _CLASSES for v in labels)
    if not in_range:
        raise DatasetError(f"The CIFAR-10 batch {name} has labels outside 0 to "
                           f"{_CLASSES - 1}.")
    return np.array(labels, dtype=np.int64)  # a copy: a pickled array is read-only


def _as_images(rows: np.ndarray) -> np.ndarray:
    """Returns the (N, 32, 32, 3) view of CIFAR rows (not contiguous)."""
    # Each row is the red plane, then green, then blue, each 32x32 in row-major order.
    return rows.reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)


def _field(batch, key: str, name: str):
    if not isinstance(batch, dict):
        raise DatasetError(f"The CIFAR-10 batch {name} does not hold a dictionary.")
    for candidate in (key.encode(), key):
        if candidate in batch:
            return batch[candidate]
    raise DatasetError(f"The CIFAR-10 batch {name} has no {key!r} entry.")


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

    Only the official archive's files are unpacked (the six batches, `batches.meta`,
    `readme.html`), each at most `MAX_BATCH_BYTES`; other entries are skipped. Entries that
    are links, devices, absolute or climb out with `..` are refused outright (and Python's
    `data` extraction filter is applied where available). The folder appears only once
    complete. An existing `cifar-10-batches-py` is never replaced: it may hold the user's own
    files, so it is left untouched and the user is asked to move it.

    Args:
        archive: the `.tar.gz` file.
        data_dir: the folder to unpack into.

    Returns:
        The path of the unpacked `cifar-10-batches-py` folder.

    Raises:
        DatasetError: if the archive is corrupt, incomplete, oversized or holds an unsafe
            entry, or if `cifar-10-batches-py` already exists.
    """
    target = os.path.join(data_dir, BATCH_FOLDER)
    if os.path.lexists(target):
        missing = [b for b in _TRAIN_BATCHES + _TEST_BATCHES
                   if not os.path.isfile(os.path.join(target, b))]
        lacks = f"it lacks {', '.join(missing)}" if missing else "it is in the way"
        raise DatasetError(f"{target} exists but is not a complete CIFAR-10 batch folder ("
                           f"{lacks}); it was left as it is: move or delete it, then load "
                           "CIFAR-10 again to unpack the archive.")
    os.makedirs(data_dir, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".cifar-10-extract-", dir=data_dir)
    try:
        _extract_members(archive, staging)
        unpacked = os.path.join(staging, BATCH_FOLDER)
        if not is_batch_folder(unpacked):
            raise DatasetError(f"{os.path.basename(archive)} does not hold the CIFAR-10 "
                               f"batches in a {BATCH_FOLDER} folder.")
        try:  # fails rather than replace a folder with files made there meanwhile
            os.rename(unpacked, target)
        except OSError as err:
            raise DatasetError(f"Could not move the unpacked CIFAR-10 into {target} "
                               f"({err.strerror or err}).") from err
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def _extract_members(archive: str, dest: str) -> None:
    name = os.path.basename(archive)
    try:
        with tarfile.open(archive, "r:*") as tar:
            members = _known_members(tar, name)
            if not hasattr(tarfile, "data_filter"):  # Pythons before 3.10.12 / 3.11.4
                raise DatasetError(f"This Python cannot unpack {name} safely (its tarfile has "
                                   "no extraction filters); use Python 3.10.12 or later.")
            tar.extractall(dest, members=members, filter="data")
    except DatasetError:
        raise
    except tarfile.TarError as err:  # FilterError included
        raise DatasetError(f"{name} is not a readable CIFAR-10 archive (corrupt, truncated or "
                           f"unsafe: {_first_line(err)}).") from err
    except (OSError, EOFError, zlib.error) as err:
        if isinstance(err, OSError) and err.errno is not None:  # writing failed: disk full...
            raise DatasetError(f"Could not unpack {name} into {dest} "
                               f"({err.strerror or err}).") from err
        raise DatasetError(f"{name} is truncated or corrupt ({_first_line(err)}); delete it "
                           "and load the data set again.") from err


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0].rstrip(":") if text else type(err).__name__


def _known_members(tar: tarfile.TarFile, name: str) -> list[tarfile.TarInfo]:
    """Reads the entries one by one, refusing the archive as soon as one is unsafe or big."""
    members = []
    for count, member in enumerate(tar, 1):
        if _checked(member, name) and member.isfile():
            members.append(member)
        if count > _MAX_ENTRIES:
            raise DatasetError(f"{name} holds more than {_MAX_ENTRIES} entries, far more than "
                               "the CIFAR-10 archive, so it was not unpacked.")
        if member.size > MAX_BATCH_BYTES or member.offset_data + member.size > _MAX_ARCHIVE_BYTES:
            raise DatasetError(f"{name} holds an entry {member.name!r} of {member.size} bytes, "
                               "far larger than any file of CIFAR-10, so it was not unpacked.")
    return members


def _checked(member: tarfile.TarInfo, archive_name: str) -> bool:
    """Raises for unsafe entries; returns whether a safe entry is one of the known files."""
    path = member.name.replace("\\", "/")
    parts = posixpath.normpath(path).split("/")
    unsafe = (path.startswith("/") or (len(path) > 1 and path[1] == ":") or ".." in
              path.split("/") or not (member.isfile() or member.isdir()))
    if unsafe:
        raise DatasetError(f"{archive_name} holds an unsafe entry {member.name!r} (an absolute "
                           "path, a '..', a link or a device), so it was not unpacked.")
    return len(parts) == 2 and parts[0] == BATCH_FOLDER and parts[1] in _MEMBERS

"""Reader for `.npz` archives in the layout of Keras' `mnist.npz`.

The archive is read member by member with `zipfile` rather than `numpy.load`, so that each
array's header is checked against the sizes the zip declares, and those against the file's
own size, before anything is allocated: a header claiming hundreds of GB, a zip bomb or an
object (pickled) array is refused with a message, not a MemoryError or a traceback.
"""

from __future__ import annotations

import math
import os
import stat
import zipfile
import zlib

import numpy as np

from gan_studio.data.errors import DatasetError
from gan_studio.data.limits import MAX_DEFLATE_RATIO, check_fits_in_memory

_KEYS = {"train": ("x_train", "y_train"), "test": ("x_test", "y_test")}
_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK"
_CHUNK = 1 << 24


def load_npz_split(path: str, split: str = "train") -> tuple[np.ndarray, np.ndarray | None]:
    """Loads one split of an `.npz` holding `x_train`, `y_train`, `x_test`, `y_test`.

    Only plain numeric arrays are read: pickled (object), structured and text arrays are
    refused, and so is any array whose header disagrees with the bytes the archive holds.

    Args:
        path: the `.npz` file, e.g. Keras' cached `mnist.npz`.
        split: `"train"` or `"test"`.

    Returns:
        `(images, labels)`: uint8 `(N, H, W, C)` and int64 `(N,)`, or None when the archive
        has no labels for that split.

    Raises:
        DatasetError: if the file is truncated, corrupt, too large, not an `.npz`, or lacks
            uint8 images for `split`.
    """
    name = os.path.basename(path)
    x_key, y_key = _KEYS[split]
    size = _check_is_zip(path, name)
    try:
        with zipfile.ZipFile(path) as archive:
            members = {info.filename[:-4]: info for info in archive.infolist()
                       if info.filename.endswith(".npy")}
            if x_key not in members:
                raise DatasetError(f"{name} has no {x_key!r} array, so it is not a data set "
                                   "in the layout of Keras' mnist.npz.")
            images = _read_array(archive, members[x_key], size, name)
            labels = _read_array(archive, members[y_key], size, name) \
                if y_key in members else None
    except DatasetError:
        raise
    except MemoryError as err:
        raise DatasetError(f"{name} is too large to load into this computer's memory.") from err
    except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zipfile.LargeZipFile,
            zlib.error, NotImplementedError, RuntimeError) as err:  # RuntimeError: encrypted
        raise DatasetError(f"{name} is truncated or corrupt ({_first_line(err)}); delete it "
                           "and load the data set again.") from err
    return _check_images(images, name), _check_labels(labels, len(images), name)


def _check_is_zip(path: str, name: str) -> int:
    """Returns the file's size; refuses folders, devices and files that are not zips."""
    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())
            head = f.read(6) if stat.S_ISREG(info.st_mode) else b""
    except IsADirectoryError as err:
        raise DatasetError(f"{path} is a folder, not an .npz file: move it away.") from err
    except OSError as err:
        raise DatasetError(f"Could not read {path} ({err.strerror or err}).") from err
    if not stat.S_ISREG(info.st_mode):
        raise DatasetError(f"{path} is not a regular file, so it is not an .npz archive.")
    if head == _NPY_MAGIC:
        raise DatasetError(f"{name} is a single .npy array, not an .npz archive of x_train, "
                           "y_train, x_test and y_test arrays (save those with numpy.savez).")
    if not head.startswith(_ZIP_MAGIC):
        raise DatasetError(f"{name} is truncated or corrupt (it is not a zip archive); "
                           "delete it and load the data set again.")
    return info.st_size


def _read_array(archive: zipfile.ZipFile, info: zipfile.ZipInfo, size: int,
                name: str) -> np.ndarray:
    """Reads one `.npy` member after checking its header against the member's sizes."""
    member = f"{name}'s {info.filename}"
    if info.compress_size > size or info.file_size > MAX_DEFLATE_RATIO * info.compress_size \
            + (1 << 20):
        raise DatasetError(f"{member} claims to unpack to {info.file_size} bytes, more than "
                           f"the {size}-byte archive can hold: the file is corrupt.")
    with archive.open(info) as f:
        shape, fortran, dtype = _read_header(f, member)
        nbytes = math.prod(shape) * dtype.itemsize
        if f.tell() + nbytes != info.file_size:
            raise DatasetError(f"{member} does not match its header: an array of {shape} "
                               f"{dtype} takes {nbytes} bytes, the member holds "
                               f"{info.file_size - f.tell()}.")
        check_fits_in_memory(nbytes, name)
        data = np.empty(nbytes, dtype=np.uint8)
        view, done = memoryview(data), 0
        while done < nbytes:
            chunk = f.read(min(_CHUNK, nbytes - done))
            if not chunk:
                raise DatasetError(f"{member} is truncated; delete {name} and load it again.")
            view[done:done + len(chunk)] = chunk
            done += len(chunk)
        f.read(1)  # reaching the end checks the member's CRC
    array = data.view(dtype)
    return array.reshape(shape[::-1]).transpose() if fortran else array.reshape(shape)


def _read_header(f, member: str) -> tuple[tuple[int, ...], bool, np.dtype]:
    readers = {(1, 0): np.lib.format.read_array_header_1_0,
               (2, 0): np.lib.format.read_array_header_2_0}
    version = np.lib.format.read_magic(f)
    if version not in readers:
        raise DatasetError(f"{member} is an .npy of version {version}, which this app does "
                           "not read.")
    shape, fortran, dtype = readers[version](f)
    if dtype.hasobject or dtype.kind not in "biuf" or dtype.fields or dtype.subdtype:
        raise DatasetError(f"{member} holds {dtype} values, not plain numbers (pickled and "
                           "structured arrays are refused).")
    return shape, fortran, dtype


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


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

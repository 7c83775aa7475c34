"""Reader for the idx format of MNIST and Fashion-MNIST (raw or gzip-compressed)."""

from __future__ import annotations

import gzip
import math
import os
import zlib

import numpy as np

from gan_studio.data.errors import DatasetError
from gan_studio.data.limits import MAX_DEFLATE_RATIO, check_fits_in_memory

# Type codes of the third magic byte; all multi-byte values are big-endian.
_DTYPES = {0x08: np.dtype("u1"), 0x09: np.dtype("i1"), 0x0B: np.dtype(">i2"),
           0x0C: np.dtype(">i4"), 0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
_MAX_RANK = 4
_GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str) -> bool:
    """Returns whether `path` starts with the gzip magic bytes."""
    with open(path, "rb") as f:
        return f.read(2) == _GZIP_MAGIC


def looks_like_idx(path: str) -> bool:
    """Returns whether `path` starts with a valid idx magic number (gzip or raw).

    Args:
        path: the file to sniff; unreadable files are not idx files.

    Returns:
        True if the first four (decompressed) bytes are `0, 0, type code, rank`.
    """
    try:
        with _open(path) as f:
            magic = f.read(4)
    except (OSError, EOFError, zlib.error):
        return False
    return len(magic) == 4 and _parse_magic(magic) is not None


def read_idx(path: str) -> np.ndarray:
    """Reads one idx file into a native-endian array.

    The header is checked against the data: magic number, rank, and that the dimensions
    account for exactly the bytes in the file.

    Args:
        path: an idx file, raw or gzip-compressed (detected from its content).

    Returns:
        An array of the file's shape and type (uint8 for images and labels).

    Raises:
        DatasetError: if the file is missing, is not an idx file, or its size does not match
            its header.
    """
    name = os.path.basename(path)
    if not os.path.isfile(path):
        raise DatasetError(f"The idx file {path} does not exist.")
    try:
        compressed = is_gzip(path)
        with _open(path) as f:
            dtype, shape = _read_header(f, name)
            expected = math.prod(shape) * dtype.itemsize
            header_size = 4 + 4 * len(shape)
            _check_claimed_size(path, name, compressed, header_size, expected)
            data = np.empty(expected, dtype=np.uint8)
            got = f.readinto(memoryview(data))
            if got != expected:
                raise DatasetError(
                    f"{name} is truncated: its header promises {expected} bytes of data but "
                    f"it holds {got}.")
            if f.read(1):
                raise DatasetError(f"{name} holds more data than its idx header describes.")
    except (OSError, EOFError, zlib.error) as err:
        raise DatasetError(f"{name} is not a readable idx file (corrupt or truncated: "
                           f"{err}).") from err
    return data.view(dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def _open(path: str):
    return gzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def _parse_magic(magic: bytes) -> tuple[np.dtype, int] | None:
    zero1, zero2, code, rank = magic
    if zero1 or zero2 or code not in _DTYPES or not 1 <= rank <= _MAX_RANK:
        return None
    return _DTYPES[code], rank


def _read_header(f, name: str) -> tuple[np.dtype, tuple[int, ...]]:
    magic = f.read(4)
    parsed = _parse_magic(magic) if len(magic) == 4 else None
    if parsed is None:
        raise DatasetError(f"{name} is not an idx file (bad magic number {magic.hex()}).")
    dtype, rank = parsed
    dims = f.read(4 * rank)
    if len(dims) != 4 * rank:
        raise DatasetError(f"{name} is truncated inside its idx header.")
    return dtype, tuple(int(d) for d in np.frombuffer(dims, dtype=">u4"))


def _check_claimed_size(path: str, name: str, compressed: bool, header_size: int,
                        expected: int) -> None:
    size = os.path.getsize(path)
    if not compressed and size != header_size + expected:
        raise DatasetError(
            f"{name} does not match its idx header: it should be {header_size + expected} "
            f"bytes long but is {size}.")
    if compressed and expected > MAX_DEFLATE_RATIO * size + (1 << 20):
        raise DatasetError(f"{name} is corrupt: its idx header claims {expected} bytes, far "
                           "more than the compressed file could hold.")
    check_fits_in_memory(expected, name)


def read_idx_images(path: str) -> np.ndarray:
    """Reads an idx file of images as uint8 `(N, H, W, C)`.

    Args:
        path: idx file of rank 3 `(N, H, W)` or rank 4 `(N, H, W, C)` with C of 1 or 3.

    Returns:
        The images, with a channel axis.

    Raises:
        DatasetError: if the file is unreadable or does not hold uint8 images.
    """
    images = read_idx(path)
    name = os.path.basename(path)
    if images.dtype != np.uint8:
        raise DatasetError(f"{name} holds {images.dtype} values, not 8-bit images.")
    if images.ndim == 3:
        images = images[..., np.newaxis]
    if images.ndim != 4 or images.shape[-1] not in (1, 3):
        raise DatasetError(f"{name} holds data of shape {images.shape}, not images.")
    return images


def read_idx_labels(path: str, count: int) -> np.ndarray:
    """Reads an idx file of integer labels and checks it matches `count` images.

    Args:
        path: idx file of rank 1.
        count: number of images the labels belong to.

    Returns:
        int64 labels of shape `(count,)`.

    Raises:
        DatasetError: if the file is unreadable, not integer, or of the wrong length.
    """
    labels = read_idx(path)
    name = os.path.basename(path)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise DatasetError(f"{name} does not hold a list of integer labels.")
    if len(labels) != count:
        raise DatasetError(
            f"{name} holds {len(labels)} labels but its images file holds {count} images.")
    return labels.astype(np.int64)


def folder_has_idx(folder: str) -> bool:
    """Returns whether `folder` directly holds an idx file (named like `*idx*` or `*ubyte*`)."""
    return any(looks_like_idx(path) for path in _idx_candidates(folder))


def load_idx_source(path: str, split: str = "train") -> tuple[np.ndarray, np.ndarray | None]:
    """Loads images, and their labels where present, from an idx file or a folder of them.

    In a folder, the images file of `split` is the idx file whose name contains `images`
    (or `idx3`) and starts with `train` (or, for `"test"`, with `t10k`/`test`); a lone images
    file with neither prefix counts as `"train"`. Labels are the sibling file named with
    `labels`/`idx1` in place of `images`/`idx3`, if it exists.

    Args:
        path: an idx images file, or a folder holding idx files.
        split: `"train"` or `"test"`; used only for folders.

    Returns:
        `(images, labels)`: uint8 `(N, H, W, C)` and int64 `(N,)` or None.

    Raises:
        DatasetError: if no images file is found or a file is invalid.
    """
    images_file = _pick_images_file(path, split) if os.path.isdir(path) else path
    images = read_idx_images(images_file)
    labels_file = _labels_file_for(images_file)
    labels = read_idx_labels(labels_file, len(images)) if labels_file else None
    return images, labels


def _idx_candidates(folder: str) -> list[str]:
    names = sorted(n for n in os.listdir(folder)
                   if not n.startswith(".") and ("idx" in n.lower() or "ubyte" in n.lower()))
    return [p for p in (os.path.join(folder, n) for n in names) if os.path.isfile(p)]


def _is_test_name(name: str) -> bool:
    return name.startswith(("t10k", "test")) or "-test" in name or "_test" in name


def _pick_images_file(folder: str, split: str) -> str:
    images = [p for p in _idx_candidates(folder)
              if ("images" in os.path.basename(p).lower() or "idx3" in os.path.basename(p))
              and looks_like_idx(p)]
    names = {p: os.path.basename(p).lower() for p in images}
    if split == "test":
        chosen = [p for p in images if _is_test_name(names[p])]
    else:
        chosen = [p for p in images if "train" in names[p]]
        chosen = chosen or [p for p in images if not _is_test_name(names[p])]
    if not chosen:
        raise DatasetError(f"No idx images file for the {split} split was found in {folder}.")
    return chosen[0]


def _labels_file_for(images_file: str) -> str | None:
    folder, name = os.path.split(images_file)
    stem = name[:-3] if name.endswith(".gz") else name
    labels_stem = stem.replace("images", "labels").replace("idx3", "idx1")
    if labels_stem == stem:
        return None
    for candidate in (labels_stem, labels_stem + ".gz"):
        path = os.path.join(folder, candidate)
        if os.path.isfile(path) and looks_like_idx(path):
            return path
    return None

"""Loading a folder or a `.zip` of ordinary image files (PNG, JPEG, BMP, WebP, GIF)."""

from __future__ import annotations

import io
import os
import stat
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from gan_studio.data import skipped as skips
from gan_studio.data.errors import DatasetCancelledError, DatasetError
from gan_studio.data.limits import MAX_ZIPPED_IMAGE_BYTES
from gan_studio.data.skipped import SkippedFile

# Pillow warns of a possible decompression bomb from 89 megapixels, before its header is read;
# MAX_IMAGE_PIXELS (lower) already skips such an image by name, so its warning would only be
# noise on the terminal, printed once and naming no file.
warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif")
_GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "I;16N", "F"})
# Integer modes holding up to 16 bits (a 16-bit PNG opens as I;16, or as I in older Pillow).
_DEEP_MODES = frozenset({"I", "I;16", "I;16L", "I;16B", "I;16N"})
_PROGRESS_STEPS = 200


@dataclass
class ImageSet:
    """Images decoded from a folder or an archive.

    Args:
        images: uint8 `(N, S, S, C)`.
        labels: int64 `(N,)` class indices, or None without class folders.
        classes: class folder names, indexed by label.
        skipped_files: the image files left out, and why.
    """

    images: np.ndarray
    labels: np.ndarray | None
    classes: tuple[str, ...]
    skipped_files: tuple[SkippedFile, ...]


def load_image_folder(folder: str, image_size: int, channels: int | None = None,
                      progress: Callable[[int, int], None] | None = None,
                      cancel: threading.Event | None = None) -> ImageSet:
    """Loads every image under `folder`, square-cropped to `image_size`.

    When every image sits in a subfolder (below any single wrapping folder), the subfolders
    are classes, numbered in alphabetical order. Hidden files and folders are ignored.

    Args:
        folder: the folder to search recursively.
        image_size: side of the square output images.
        channels: 1 (grayscale), 3 (RGB), or None: grayscale if every image is, else RGB.
        progress: called as `progress(images_done, images_total)`.
        cancel: when set, loading stops at the next image.

    Returns:
        The decoded `ImageSet`; files that fail to decode are listed in `skipped_files`.

    Raises:
        DatasetError: if no image can be read.
        DatasetCancelledError: if `cancel` was set.
    """
    return _load_entries(folder_entries(folder), open_regular_file, folder, image_size, channels,
                         progress, cancel)


def folder_entries(folder: str) -> list[tuple[tuple[str, ...], str]]:
    """The image files under `folder` as `(path parts below it, path)`, in sorted order."""
    entries = []
    for root, dirs, files in os.walk(folder):  # symlinked folders are not followed: no loops
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = os.path.relpath(root, folder)
        prefix = () if rel == "." else tuple(rel.split(os.sep))
        entries += [(prefix + (f,), os.path.join(root, f)) for f in sorted(files)
                    if _is_image_name(f)]
    return entries


def open_regular_file(path: str):
    """Opens `path` for reading if it is a regular file (or a link to one).

    A FIFO would block `open()` until something writes to it, and a device may never end,
    so neither is opened for real: the check is made before opening and, in case the path
    changed in between, again on the opened file, which non-blocking mode keeps from hanging.
    """
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise ValueError("not a regular file")
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def load_image_zip(path: str, image_size: int, channels: int | None = None,
                   progress: Callable[[int, int], None] | None = None,
                   cancel: threading.Event | None = None) -> ImageSet:
    """Loads the images in a `.zip`, like `load_image_folder`, without unpacking it to disk.

    Entries with absolute names or `..` components, macOS `__MACOSX` metadata and hidden
    files are ignored.

    Args:
        path: the `.zip` file.
        image_size: side of the square output images.
        channels: 1 (grayscale), 3 (RGB), or None: grayscale if every image is, else RGB.
        progress: called as `progress(images_done, images_total)`.
        cancel: when set, loading stops at the next image.

    Returns:
        The decoded `ImageSet`.

    Raises:
        DatasetError: if the archive is unreadable or no image in it can be read.
        DatasetCancelledError: if `cancel` was set.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return _load_entries(zip_entries(archive), zip_member_reader(archive), path,
                                 image_size, channels, progress, cancel)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as err:
        raise DatasetError(f"{path} is not a readable zip file ({err}).") from err


def zip_entries(archive: zipfile.ZipFile) -> list[tuple[tuple[str, ...], zipfile.ZipInfo]]:
    """The image members of `archive` that are safe to read, as `(path parts, info)`, sorted."""
    return sorted(((parts, info) for info in archive.infolist()
                   if (parts := _safe_zip_parts(info)) is not None), key=lambda entry: entry[0])


def zip_member_reader(archive: zipfile.ZipFile) -> Callable[[zipfile.ZipInfo], io.BytesIO]:
    """Returns a function that reads one member of `archive` whole, within the image cap."""

    def read_member(info: zipfile.ZipInfo) -> io.BytesIO:
        if info.file_size > MAX_ZIPPED_IMAGE_BYTES:  # checked before reading a byte
            raise skips.TooLargeError(f"it would unpack to {info.file_size:,} bytes, over "
                                      f"the {MAX_ZIPPED_IMAGE_BYTES >> 20} MiB an image may take")
        return io.BytesIO(archive.read(info))

    return read_member


def _is_image_name(name: str) -> bool:
    return not name.startswith(".") and name.lower().endswith(IMAGE_EXTENSIONS)


def _safe_zip_parts(info: zipfile.ZipInfo) -> tuple[str, ...] | None:
    name = info.filename.replace("\\", "/")
    if info.is_dir() or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if not parts or ".." in parts or "__MACOSX" in parts:
        return None
    if any(p.startswith(".") for p in parts) or not _is_image_name(parts[-1]):
        return None
    return parts


def _class_labels(paths: list[tuple[str, ...]]) -> tuple[list[int] | None, tuple[str, ...]]:
    """Infers labels from class subfolders, below any single wrapping folder."""
    while paths and all(len(p) > 1 for p in paths) and len({p[0] for p in paths}) == 1:
        paths = [p[1:] for p in paths]
    if not paths or not all(len(p) > 1 for p in paths):
        return None, ()
    folders = sorted({p[0] for p in paths})
    index = {name: i for i, name in enumerate(folders)}
    return [index[p[0]] for p in paths], tuple(shown_name(f) for f in folders)


def shown_name(name: str) -> str:
    """Returns a file name that can be printed and written as UTF-8.

    A name that is not valid UTF-8 reaches Python with lone surrogates in it, which cannot
    be printed or saved; those bytes become U+FFFD.
    """
    return os.fsencode(name).decode("utf-8", "replace") if os.name != "nt" else name


def _load_entries(entries: list, opener: Callable, where: str, image_size: int,
                  channels: int | None, progress, cancel) -> ImageSet:
    if not entries:
        raise DatasetError(f"No images were found in {where} (looked for "
                           f"{', '.join(IMAGE_EXTENSIONS)} files).")
    labels, classes = _class_labels([parts for parts, _ in entries])
    decoded, kept, skipped = [], [], []
    step = max(1, len(entries) // _PROGRESS_STEPS)
    for i, (parts, handle) in enumerate(entries):
        if cancel is not None and cancel.is_set():
            raise DatasetCancelledError("loading cancelled")
        image = _decode(opener, handle, skips.printable_path(shown_name("/".join(parts))),
                        image_size, channels)
        if isinstance(image, np.ndarray):
            decoded.append(image)
            kept.append(i)
        else:
            skipped.append(image)
        done = i + 1
        if progress is not None and (done % step == 0 or done == len(entries)):
            progress(done, len(entries))
    if not decoded:
        raise DatasetError(f"None of the {len(entries)} image files in {shown_name(where)} "
                           f"could be read ({skipped[0].path}: {skipped[0].message}).")
    kept_labels = None if labels is None else np.asarray([labels[i] for i in kept], np.int64)
    return ImageSet(_stack(decoded), kept_labels, classes, tuple(skipped))


def _decode(opener: Callable, handle, name: str, image_size: int,
            channels: int | None) -> np.ndarray | SkippedFile:
    """Returns the decoded image, or the record of why `name` could not be decoded."""
    try:
        f = opener(handle)
    except Exception as err:  # a file that cannot be opened is one unusable image
        return skips.opening_failure(name, err)
    try:
        with f:
            if f.seek(0, os.SEEK_END) == 0:
                return skips.empty_file(name)
            f.seek(0)
            with Image.open(f) as img:  # reads the header only: the size is known unread
                return (skips.too_many_pixels(name, *img.size)
                        or _square(img, image_size, channels))
    # Pillow's decoders raise many exception types on malformed files; any of them means
    # this one image is unusable, not that the data set is.
    except Exception as err:
        return skips.decoding_failure(name, err)


def _square(img: Image.Image, size: int, channels: int | None) -> np.ndarray:
    """Returns the image scaled so its shorter side is `size`, centre-cropped to a square."""
    gray = img.mode in _GRAY_MODES
    mode = "L" if channels == 1 or (channels is None and gray) else "RGB"
    img.draft("L" if mode == "L" else None, (size, size))  # JPEG only: decode at reduced scale
    img = ImageOps.exif_transpose(img)
    img = ImageOps.fit(_flatten(img, mode), (size, size), Image.Resampling.LANCZOS)
    return np.asarray(img, dtype=np.uint8)


def _flatten(img: Image.Image, mode: str) -> Image.Image:
    """Converts to `mode`, compositing any transparency onto white rather than black."""
    if img.mode in _DEEP_MODES or img.mode == "F":
        img = _eight_bit(img)
    if img.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return img.convert(mode)


def _eight_bit(img: Image.Image) -> Image.Image:
    """Scales a 16-bit or float grayscale image to 8 bits (Pillow's convert() clamps them).

    Integers are taken as 16-bit (0 to 65535), floats as 0 to 1 (or 0 to 255 if any value
    is above 1); what lies outside is clipped, NaN is black. A transparent colour becomes
    white, as in `_flatten`.
    """
    values = np.asarray(img)
    if img.mode == "F":
        values = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=255.0, neginf=0.0)
        scale = 255.0 if values.max(initial=0.0) <= 1.0 else 1.0
        gray = np.clip(np.rint(values * scale), 0, 255)
    else:
        gray = (np.clip(values.astype(np.int64), 0, 65535) * 255 + 32767) // 65535
        transparent = img.info.get("transparency")
        if isinstance(transparent, int):
            gray[values == transparent] = 255
    return Image.fromarray(gray.astype(np.uint8))  # 2-D uint8: mode L


def _stack(images: Iterable[np.ndarray]) -> np.ndarray:
    images = list(images)
    if all(im.ndim == 2 for im in images):
        return np.stack(images)[..., np.newaxis]
    return np.stack([np.repeat(im[..., np.newaxis], 3, axis=-1) if im.ndim == 2 else im
                     for im in images])


def load_image_file(path: str, image_size: int, channels: int) -> np.ndarray:
    """Reads one image file as the training data is read: scaled so its shorter side is
    `image_size`, centre-cropped to a square, converted to `channels` (1 or 3).

    Returns:
        uint8 (image_size, image_size, channels).

    Raises:
        DatasetError: one line naming the file and the problem (not a file, not an image,
            unreadable), never a traceback.
    """
    decoded = _decode(open_regular_file, path, path, image_size, channels)
    if isinstance(decoded, SkippedFile):
        raise DatasetError(f"cannot read {path}: {decoded.message}")
    return decoded if decoded.ndim == 3 else decoded[..., None]


def load_exact_image_file(path: str, height: int, width: int, channels: int) -> np.ndarray:
    """Reads one image file that already has a generator's size and channels: nothing is
    scaled, cropped or turned from grey into colour (or back), so what is compared with the
    training images is the picture itself.

    Transparency is composited onto white and 16-bit or float grey is scaled to 8 bits, as
    the training data is read; a colour file whose pixels are all grey counts as grey.

    Args:
        path: the image file.
        height: the size it must have, in pixels.
        width: the size it must have, in pixels.
        channels: 1 (grey) or 3 (colour).

    Returns:
        uint8 (height, width, channels).

    Raises:
        DatasetError: one line naming the file: it cannot be read, or its size or channels
            are not the ones asked for (both named).
    """
    def refuse(message: str) -> DatasetError:
        return DatasetError(f"cannot use {path}: {message}")

    try:
        handle = open_regular_file(path)
    except Exception as err:  # a missing file, a folder, a FIFO: one line, the file named
        raise refuse(skips.opening_failure(path, err).message) from None
    try:
        with handle, Image.open(handle) as img:
            too_big = skips.too_many_pixels(path, *img.size)
            if too_big is not None:
                raise refuse(too_big.message)
            upright = ImageOps.exif_transpose(img)
            if upright.size != (width, height):
                raise refuse(f"it is {upright.size[0]}×{upright.size[1]} pixels; the "
                             f"generator's images are {width}×{height} (nothing is scaled: "
                             "resize it first)")
            gray_mode = img.mode in _GRAY_MODES
            pixels = np.asarray(_flatten(upright, "RGB"), dtype=np.uint8)
    except DatasetError:
        raise
    except Exception as err:  # Pillow's decoders raise many types on malformed files
        raise refuse(skips.decoding_failure(path, err).message) from None
    grey = gray_mode or bool(np.all(pixels[..., :1] == pixels[..., 1:]))
    if channels == 3:
        if gray_mode:
            raise refuse("it is a grey image; the generator's images are in colour")
        return pixels
    if not grey:
        raise refuse("it is a colour image; the generator's images are grey")
    return pixels[..., :1].copy()

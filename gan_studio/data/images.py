"""Loading a folder or a `.zip` of ordinary image files (PNG, JPEG, BMP, WebP, GIF)."""

from __future__ import annotations

import io
import os
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps

from gan_studio.data.errors import DatasetCancelledError, DatasetError

IMAGE_EXTENSIONS = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif")
_GRAY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16L", "I;16B", "F"})
_MAX_MEMBER_BYTES = 256 << 20
_PROGRESS_STEPS = 200


@dataclass
class ImageSet:
    """Images decoded from a folder or an archive.

    Args:
        images: uint8 `(N, S, S, C)`.
        labels: int64 `(N,)` class indices, or None without class folders.
        classes: class folder names, indexed by label.
        skipped: image files that could not be decoded.
    """

    images: np.ndarray
    labels: np.ndarray | None
    classes: tuple[str, ...]
    skipped: int


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
        The decoded `ImageSet`; files that fail to decode are counted in `skipped`.

    Raises:
        DatasetError: if no image can be read.
        DatasetCancelledError: if `cancel` was set.
    """
    entries = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel = os.path.relpath(root, folder)
        prefix = () if rel == "." else tuple(rel.split(os.sep))
        entries += [(prefix + (f,), os.path.join(root, f)) for f in sorted(files)
                    if _is_image_name(f)]
    return _load_entries(entries, lambda path: path, folder, image_size, channels, progress,
                         cancel)


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
            entries = sorted(((parts, info) for info in archive.infolist()
                              if (parts := _safe_zip_parts(info)) is not None),
                             key=lambda entry: entry[0])

            def read_member(info: zipfile.ZipInfo) -> io.BytesIO:
                if info.file_size > _MAX_MEMBER_BYTES:
                    raise ValueError("member too large for an image")
                return io.BytesIO(archive.read(info))

            return _load_entries(entries, read_member, path, image_size, channels, progress,
                                 cancel)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as err:
        raise DatasetError(f"{path} is not a readable zip file ({err}).") from err


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
    classes = tuple(sorted({p[0] for p in paths}))
    index = {name: i for i, name in enumerate(classes)}
    return [index[p[0]] for p in paths], classes


def _load_entries(entries: list, opener: Callable, where: str, image_size: int,
                  channels: int | None, progress, cancel) -> ImageSet:
    if not entries:
        raise DatasetError(f"No images were found in {where} (looked for "
                           f"{', '.join(IMAGE_EXTENSIONS)} files).")
    labels, classes = _class_labels([parts for parts, _ in entries])
    decoded, kept = [], []
    step = max(1, len(entries) // _PROGRESS_STEPS)
    for i, (_, handle) in enumerate(entries):
        if cancel is not None and cancel.is_set():
            raise DatasetCancelledError("loading cancelled")
        image = _decode_or_none(opener, handle, image_size, channels)
        if image is not None:
            decoded.append(image)
            kept.append(i)
        done = i + 1
        if progress is not None and (done % step == 0 or done == len(entries)):
            progress(done, len(entries))
    if not decoded:
        raise DatasetError(f"None of the {len(entries)} image files in {where} could be read.")
    kept_labels = None if labels is None else np.asarray([labels[i] for i in kept], np.int64)
    return ImageSet(_stack(decoded), kept_labels, classes, len(entries) - len(decoded))


def _decode_or_none(opener: Callable, handle, image_size: int,
                    channels: int | None) -> np.ndarray | None:
    try:
        with Image.open(opener(handle)) as img:
            return _square(img, image_size, channels)
    # Pillow's decoders raise many exception types on malformed files; any of them means
    # this one image is unusable, not that the data set is.
    except Exception:
        return None


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
    if img.mode in ("RGBA", "LA", "La", "RGBa", "PA") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba)
    return img.convert(mode)


def _stack(images: Iterable[np.ndarray]) -> np.ndarray:
    images = list(images)
    if all(im.ndim == 2 for im in images):
        return np.stack(images)[..., np.newaxis]
    return np.stack([np.repeat(im[..., np.newaxis], 3, axis=-1) if im.ndim == 2 else im
                     for im in images])

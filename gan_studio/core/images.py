"""Every image file the app reads or writes, through Pillow: still images here, animations in
`core.animation`. Writes are atomic; pixels are uint8 arrays exactly as shown."""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.atomic import atomic_path
from gan_studio.core.grid import drop_channel_axis, upscale_nearest


def to_pil(image: np.ndarray, scale: int = 1):
    """Wraps uint8 pixels for Pillow, nearest-neighbour upscaled by `scale`.

    Args:
        image: uint8 (H, W), (H, W, 1), (H, W, 3) or (H, W, 4).
        scale: integer scale factor (>= 1).

    Returns:
        A `PIL.Image.Image` (mode L for one channel).

    Raises:
        ValueError: for other dtypes or shapes, or a scale below 1.
    """
    from PIL import Image

    image = drop_channel_axis(image)
    if image.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {image.dtype}")
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
        raise ValueError(f"cannot save an image of shape {image.shape}")
    if scale != 1:
        image = upscale_nearest(image, scale)
    return Image.fromarray(np.ascontiguousarray(image))


def save_image(path: str | os.PathLike, image: np.ndarray, format: str | None = None,
               scale: int = 1, **options) -> None:
    """Saves a uint8 (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) array atomically.

    Args:
        path: destination; its extension picks the format unless `format` is given.
        image: the pixels.
        format: a Pillow format name (`PNG`, `JPEG`...).
        scale: integer nearest-neighbour scale factor.
        **options: passed to `PIL.Image.save` (e.g. `quality`).

    Raises:
        ValueError: for pixels that are not uint8 images, or a scale below 1.
        OSError: if the file cannot be written.
    """
    pil = to_pil(image, scale)
    ext = os.path.splitext(os.fspath(path))[1]
    fmt = format or {".jpg": "JPEG", ".jpeg": "JPEG"}.get(ext.lower(), None) or "PNG"
    if fmt == "JPEG" and pil.mode == "RGBA":
        pil = pil.convert("RGB")
    with atomic_path(path, suffix=ext) as tmp:
        pil.save(tmp, format=fmt, **options)


def save_png(path: str | os.PathLike, image: np.ndarray, scale: int = 1) -> None:
    """Saves uint8 pixels as a PNG, nearest-neighbour upscaled by `scale`, atomically."""
    save_image(path, image, format="PNG", scale=scale)


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Loads an image file as uint8 (H, W) for gray or (H, W, 3) for colour."""
    from PIL import Image

    with Image.open(path) as img:
        img = img.convert("L" if img.mode in ("L", "1", "I;16", "I") else "RGB")
        return np.asarray(img, dtype=np.uint8)

"""Reading and writing images with Pillow (atomic writes, uint8 arrays)."""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.atomic import atomic_path


def _to_pil(image: np.ndarray):
    from PIL import Image

    image = np.asarray(image)
    if image.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels, got {image.dtype}")
    if image.ndim == 3 and image.shape[-1] == 1:
        image = image[..., 0]
    if image.ndim not in (2, 3) or (image.ndim == 3 and image.shape[-1] not in (3, 4)):
        raise ValueError(f"cannot save an image of shape {image.shape}")
    return Image.fromarray(image)


def save_image(path: str | os.PathLike, image: np.ndarray, format: str | None = None,
               **options) -> None:
    """Saves a uint8 (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) array atomically.

    Args:
        path: destination; its extension picks the format unless `format` is given.
        image: the pixels.
        format: a Pillow format name (`PNG`, `JPEG`...).
        **options: passed to `PIL.Image.save` (e.g. `quality`).
    """
    pil = _to_pil(image)
    ext = os.path.splitext(os.fspath(path))[1]
    fmt = format or {".jpg": "JPEG", ".jpeg": "JPEG"}.get(ext.lower(), None) or "PNG"
    if fmt == "JPEG" and pil.mode == "RGBA":
        pil = pil.convert("RGB")
    with atomic_path(path, suffix=ext) as tmp:
        pil.save(tmp, format=fmt, **options)


def save_png(path: str | os.PathLike, image: np.ndarray) -> None:
    """Saves uint8 pixels as a PNG, atomically."""
    save_image(path, image, format="PNG")


def load_image(path: str | os.PathLike) -> np.ndarray:
    """Loads an image file as uint8 (H, W) for gray or (H, W, 3) for colour."""
    from PIL import Image

    with Image.open(path) as img:
        img = img.convert("L" if img.mode in ("L", "1", "I;16", "I") else "RGB")
        return np.asarray(img, dtype=np.uint8)

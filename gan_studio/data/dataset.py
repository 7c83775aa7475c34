"""The in-memory data set that every loader returns."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_studio.data.errors import DatasetError
from gan_studio.data.skipped import SkippedFile

# ITU-R 601-2 luma weights in thousandths, the ones Pillow's convert("L") uses.
_LUMA = np.array([299, 587, 114], dtype=np.uint32)
_CHUNK = 4096


@dataclass
class Dataset:
    """Images ready for training, with their labels where the source has them.

    Args:
        name: what the images are, for titles and logs (e.g. `"mnist"`, a folder name).
        images: uint8 array `(N, H, W, C)` with C of 1 (grayscale) or 3 (RGB).
        labels: int64 class indices `(N,)`, or None when the source has no labels.
        skipped_files: the image files of a folder or a `.zip` left out, and why.
        classes: class names indexed by label (empty when unknown).
    """

    name: str
    images: np.ndarray
    labels: np.ndarray | None
    skipped_files: tuple[SkippedFile, ...] = ()
    classes: tuple[str, ...] = ()

    def __len__(self) -> int:
        return len(self.images)

    @property
    def skipped(self) -> int:
        """How many image files were left out."""
        return len(self.skipped_files)

    @property
    def image_shape(self) -> tuple[int, int, int]:
        """`(height, width, channels)` of one image."""
        return tuple(self.images.shape[1:])


def match_channels(images: np.ndarray, channels: int | None) -> np.ndarray:
    """Converts uint8 `(N, H, W, C)` images to the requested number of channels.

    Args:
        images: grayscale (C=1) or RGB (C=3) images.
        channels: 1, 3, or None to keep them as they are.

    Returns:
        The images with `channels` channels: grayscale is repeated into RGB, RGB is reduced
        to its luma as Pillow does.

    Raises:
        DatasetError: if `channels` is not 1, 3 or None.
    """
    if channels not in (None, 1, 3):
        raise DatasetError(f"Images can have 1 or 3 channels, not {channels}.")
    if channels is None or images.shape[-1] == channels:
        return images
    if channels == 3:
        return np.repeat(images, 3, axis=-1)
    gray = np.empty(images.shape[:-1] + (1,), dtype=np.uint8)
    for start in range(0, len(images), _CHUNK):
        block = images[start:start + _CHUNK].astype(np.uint32) @ _LUMA
        gray[start:start + _CHUNK, ..., 0] = (block + 500) // 1000
    return gray

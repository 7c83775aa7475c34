"""Saving what the sample view shows: PNGs at an integer scale and timelapse GIFs (Pillow)."""

from __future__ import annotations

import os

import numpy as np
from PIL import Image
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QWidget,
)

from gan_studio.core.atomic import atomic_path
from gan_studio.core.grid import upscale_nearest

MAX_GIF_FRAMES = 300
GIF_FRAME_MS = 120
GIF_LAST_FRAME_MS = 2000


def to_pil(image: np.ndarray, scale: int = 1) -> Image.Image:
    """Nearest-neighbour upscales a uint8 (H, W[, 1 or 3]) image and wraps it for Pillow."""
    image = np.asarray(image, dtype=np.uint8)
    if image.ndim == 3 and image.shape[2] == 1:
        image = image[:, :, 0]
    return Image.fromarray(np.ascontiguousarray(upscale_nearest(image, scale)))


def save_png(path: str, image: np.ndarray, scale: int = 1) -> None:
    """Writes `image` upscaled by `scale` (nearest neighbour) as a PNG, atomically.

    Args:
        path: the destination file.
        image: uint8 (H, W) or (H, W, C) pixels, exactly as shown.
        scale: integer scale factor (>= 1).

    Raises:
        OSError: if the file cannot be written.
        ValueError: if `scale` < 1.
    """
    picture = to_pil(image, scale)
    with atomic_path(path, suffix=".png") as tmp:
        picture.save(tmp, format="PNG")


def evenly_spaced(items: list, limit: int) -> list:
    """Returns at most `limit` items, evenly spread, always including the first and last."""
    if len(items) <= limit:
        return list(items)
    indices = np.unique(np.linspace(0, len(items) - 1, limit).round().astype(int))
    return [items[i] for i in indices]


def save_gif(path: str, images: list[np.ndarray], scale: int = 1,
             frame_ms: int = GIF_FRAME_MS) -> int:
    """Writes the images as a looping animated GIF, atomically; the last frame lingers.

    Args:
        path: the destination file.
        images: uint8 frames of one shape, oldest first (at most `MAX_GIF_FRAMES` are used).
        scale: integer scale factor.
        frame_ms: display time of each frame.

    Returns:
        The number of frames written.

    Raises:
        ValueError: if `images` is empty.
        OSError: if the file cannot be written.
    """
    if not images:
        raise ValueError("there are no sample grids to put in a timelapse yet")
    frames = [to_pil(image, scale) for image in evenly_spaced(images, MAX_GIF_FRAMES)]
    durations = [frame_ms] * (len(frames) - 1) + [GIF_LAST_FRAME_MS]
    with atomic_path(path, suffix=".gif") as tmp:
        frames[0].save(tmp, format="GIF", save_all=True, append_images=frames[1:],
                       duration=durations, loop=0)
    return len(frames)


def ask_save_path(parent: QWidget | None, title: str, start_dir: str, default_name: str,
                  name_filter: str, suffix: str) -> str | None:
    """Asks where to save; adds `suffix` if it is missing.

    The file dialog confirms overwriting the name typed; when the suffix is added here, an
    existing file of the completed name is confirmed here.
    """
    path, _ = QFileDialog.getSaveFileName(parent, title, os.path.join(start_dir, default_name),
                                          name_filter)
    if not path:
        return None
    if path.lower().endswith(suffix):
        return path
    path += suffix
    if os.path.exists(path):
        answer = QMessageBox.question(
            parent, title, f"{os.path.basename(path)} already exists. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return path


class ScaleDialog(QDialog):
    """Asks for an integer scale factor and shows the resulting size in pixels.

    Args:
        size: (width, height) of the image at scale 1.
        scale: the initial factor.
        title: the window title.
        parent: the parent widget.
    """

    def __init__(self, size: tuple[int, int], scale: int = 4, title: str = "Save Image",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._size = size
        self.spin = QSpinBox()
        self.spin.setRange(1, 32)
        self.spin.setSuffix(" ×")
        self.spin.setValue(scale)
        self._result = QLabel()
        self.spin.valueChanged.connect(self._show_size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("Scale (nearest neighbour)", self.spin)
        layout.addRow("Size", self._result)
        layout.addRow(buttons)
        self._show_size()

    def _show_size(self) -> None:
        w, h = self._size
        s = self.spin.value()
        self._result.setText(f"{w * s} × {h * s} pixels")

    @classmethod
    def ask(cls, parent: QWidget | None, size: tuple[int, int], scale: int = 4,
            title: str = "Save Image") -> int | None:
        """Shows the dialog; returns the chosen factor, or None if cancelled."""
        dialog = cls(size, scale, title, parent)
        return dialog.spin.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

"""File → Find Data-Set Image in Latent Space…: pick one of the run's own images to search for."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.grid import drop_channel_axis, upscale_nearest
from gan_studio.ui.explorer.preview import qimage_view
from gan_studio.ui.widgets.image_list import icon_grid

COUNT = 48  # images offered at a time
ICON_SIDE = 64  # on screen; small images are upscaled by a whole factor, pixel-exact


def _icon(image: np.ndarray) -> QIcon:
    pixels = np.ascontiguousarray(drop_channel_axis(image))
    factor = max(1, ICON_SIDE // max(pixels.shape[:2]))
    pixels = np.ascontiguousarray(upscale_nearest(pixels, factor))
    return QIcon(QPixmap.fromImage(qimage_view(pixels).copy()))


class DatasetImageDialog(QDialog):
    """Offers random images of a run's data set; the one picked is searched for.

    The images come from the caller (`show_images`), read on a worker thread: the dialog asks
    for them with `more_requested(seed)` and never loads anything itself.

    Signals:
        more_requested(int): other images are wanted, drawn with this seed.
        picked(int): the index (into the images shown) of the one to search for.

    Args:
        parent: the main window.
    """

    more_requested = Signal(int)
    picked = Signal(int)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Find a Data-Set Image in Latent Space")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._seed = 0
        self.note = QLabel("Reading the data set…")
        self.note.setWordWrap(True)
        self.list = icon_grid(ICON_SIDE)
        self.list.setMinimumSize(8 * (ICON_SIDE + 12), 4 * (ICON_SIDE + 12))
        self.list.itemSelectionChanged.connect(self._update_buttons)
        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.find_button = buttons.addButton("Find in Latent Space",
                                             QDialogButtonBox.ButtonRole.AcceptRole)
        self.more_button = QPushButton("Other Images")
        self.more_button.setToolTip("Draw other images of the data set at random")
        buttons.addButton(self.more_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.more_button.clicked.connect(self.ask_more)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.note)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self._update_buttons()

    def ask_more(self) -> None:
        """Asks for another draw of images (a new seed)."""
        self._seed += 1
        self.more_button.setEnabled(False)
        self.more_requested.emit(self._seed)

    def show_images(self, images: np.ndarray, captions: list[str], names: list[str],
                    note: str) -> None:
        """Replaces the images offered (uint8 (N, H, W, C)), each with a caption (its class)
        and a tooltip (what it is)."""
        self.list.clear()
        for image, caption, name in zip(images, captions, names):
            item = QListWidgetItem(_icon(image), caption)
            item.setToolTip(name)
            self.list.addItem(item)
        self.note.setText(note)
        self.more_button.setEnabled(True)
        self._update_buttons()

    def show_failure(self, message: str) -> None:
        """Says why there are no images."""
        self.list.clear()
        self.note.setText(message)
        self.more_button.setEnabled(True)
        self._update_buttons()

    def accept(self) -> None:  # noqa: D102 - QDialog's
        row = self.list.currentRow()
        if row < 0 or not self.list.selectedItems():
            return
        self.picked.emit(row)
        super().accept()

    def _update_buttons(self) -> None:
        self.find_button.setEnabled(bool(self.list.selectedItems()))

"""Named latents the user keeps: shown as thumbnails, reordered by dragging, walked through."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.grid import upscale_nearest
from gan_studio.ui.explorer.preview import qimage_view

ICON = 48
LATENT_ROLE = Qt.ItemDataRole.UserRole


def _icon(image: np.ndarray) -> QIcon:
    scale = max(1, ICON // image.shape[0])
    pixels = np.ascontiguousarray(upscale_nearest(image, scale))
    return QIcon(QPixmap.fromImage(qimage_view(pixels)))  # the pixmap holds its own copy


class BookmarkList(QWidget):
    """A reorderable list of named latents with thumbnails.

    Signals:
        show_requested(object): the latent (D,) of a bookmark to show (double-click or Show).
        use_as(str, object): `A` or `B` and a bookmark's latent.
        changed(): bookmarks were added, removed, renamed or reordered.

    Args:
        parent: the parent widget.
    """

    show_requested = Signal(object)
    use_as = Signal(str, object)
    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._latent_dim = 0
        self._store: dict[int, np.ndarray] = {}  # item key -> latent (Qt keeps only the key)
        self._keys = itertools.count(1)
        self.list = QListWidget()
        self.list.setIconSize(QSize(ICON, ICON))
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed |
                                  QAbstractItemView.EditTrigger.SelectedClicked)
        self.list.setToolTip("Double-click to show; F2 or click the selected name to rename; "
                             "drag to reorder")
        self.list.itemDoubleClicked.connect(lambda item: self._show(item))
        self.list.itemChanged.connect(lambda _item: self.changed.emit())
        self.list.model().rowsMoved.connect(lambda *_: self.changed.emit())
        self.list.currentRowChanged.connect(self._update_buttons)
        self.add_button = QPushButton("Bookmark Current")
        self.add_button.setToolTip("Keep the latent shown, with a name")
        self.buttons = {}
        for key, text, slot in (("show", "Show", lambda: self._show(self.list.currentItem())),
                                ("A", "Use as A", lambda: self._use("A")),
                                ("B", "Use as B", lambda: self._use("B")),
                                ("remove", "Remove", self.remove_current),
                                ("import", "Import…", None), ("export", "Export…", None)):
            button = QPushButton(text)
            if slot is not None:  # import and export are the explorer's file actions
                button.clicked.connect(slot)
            self.buttons[key] = button
        self.buttons["import"].setToolTip("Bookmark the latents of a .npy file")
        self.buttons["export"].setToolTip("Save every bookmark's latent in one .npy file")
        grid = QGridLayout()
        grid.addWidget(self.add_button, 0, 0, 1, 2)
        grid.addWidget(self.buttons["show"], 0, 2)
        grid.addWidget(self.buttons["remove"], 0, 3)
        grid.addWidget(self.buttons["import"], 1, 0)
        grid.addWidget(self.buttons["export"], 1, 1)
        grid.addWidget(self.buttons["A"], 1, 2)
        grid.addWidget(self.buttons["B"], 1, 3)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list, 1)
        layout.addLayout(grid)
        self._update_buttons()

    @property
    def count(self) -> int:
        """How many bookmarks there are."""
        return self.list.count()

    def set_latent_dim(self, dim: int) -> None:
        """Greys out bookmarks of another latent size (they cannot be shown with this generator)."""
        self._latent_dim = dim
        for i in range(self.list.count()):
            item = self.list.item(i)
            usable = len(self._latent_of(item)) == dim
            flags = item.flags()
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if usable
                          else flags & ~Qt.ItemFlag.ItemIsEnabled)
        self._update_buttons()

    def add(self, name: str, latent: np.ndarray, image: np.ndarray | None = None) -> int:
        """Appends a bookmark; returns its row."""
        item = QListWidgetItem(name)
        key = next(self._keys)
        self._store[key] = np.asarray(latent, np.float32).copy()
        item.setData(LATENT_ROLE, key)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDragEnabled)
        if image is not None:
            item.setIcon(_icon(image))
        self.list.blockSignals(True)  # itemChanged fires while the item is set up
        self.list.addItem(item)
        self.list.blockSignals(False)
        self.list.setCurrentItem(item)
        self.set_latent_dim(self._latent_dim)
        self.changed.emit()
        return self.list.row(item)

    def next_name(self) -> str:
        """A default name for a new bookmark."""
        names = set(self.names())
        n = self.list.count() + 1
        while f"Bookmark {n}" in names:
            n += 1
        return f"Bookmark {n}"

    def names(self) -> list[str]:
        """Every bookmark's name, in list order."""
        return [self.list.item(i).text() for i in range(self.list.count())]

    def latents(self, usable_only: bool = True) -> np.ndarray:
        """The bookmarks' latents in list order (K, D); by default only those of the current size."""
        rows = [self._latent_of(self.list.item(i)) for i in range(self.list.count())]
        if usable_only:
            rows = [r for r in rows if len(r) == self._latent_dim]
        if not rows:
            return np.zeros((0, self._latent_dim), np.float32)
        return np.array(rows, np.float32)

    def set_thumbnails(self, images) -> None:
        """Icons for the usable bookmarks, in the order of `latents()`."""
        usable = [self.list.item(i) for i in range(self.list.count())
                  if len(self._latent_of(self.list.item(i))) == self._latent_dim]
        self.list.blockSignals(True)
        for item, image in zip(usable, images):
            item.setIcon(_icon(image))
        self.list.blockSignals(False)

    def remove_current(self) -> None:
        """Deletes the selected bookmark."""
        row = self.list.currentRow()
        if row >= 0:
            item = self.list.takeItem(row)
            self._store.pop(item.data(LATENT_ROLE), None)
            self.changed.emit()

    def _latent_of(self, item: QListWidgetItem) -> np.ndarray:
        return self._store[item.data(LATENT_ROLE)]

    def _selected_latent(self) -> np.ndarray | None:
        item = self.list.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return self._latent_of(item)

    def _show(self, item) -> None:
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            self.show_requested.emit(self._latent_of(item).copy())

    def _use(self, name: str) -> None:
        latent = self._selected_latent()
        if latent is not None:
            self.use_as.emit(name, latent.copy())

    def _update_buttons(self, *_args) -> None:
        usable = self._selected_latent() is not None
        for key in ("show", "A", "B"):
            self.buttons[key].setEnabled(usable)
        self.buttons["remove"].setEnabled(self.list.currentRow() >= 0)

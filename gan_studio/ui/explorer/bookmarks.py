"""Named latents the user keeps: shown as thumbnails, reordered by dragging, walked through."""

from __future__ import annotations

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
from gan_studio.core.latent.bookmarks import Bookmark
from gan_studio.core.latent.explorer_model import BOOKMARKS, GENERATOR
from gan_studio.ui.explorer.preview import qimage_view

ICON = 48
KEY_ROLE = Qt.ItemDataRole.UserRole  # the item's bookmark key in the model


def _icon(image: np.ndarray) -> QIcon:
    scale = max(1, ICON // image.shape[0])
    pixels = np.ascontiguousarray(upscale_nearest(image, scale))
    return QIcon(QPixmap.fromImage(qimage_view(pixels)))  # the pixmap holds its own copy


class BookmarkList(QWidget):
    """The model's bookmarks as a reorderable list with thumbnails.

    Renaming and reordering items, and the buttons, change the model's bookmarks; the list
    follows the model. Bookmarks of another latent size than the generator's are greyed out.

    Signals:
        import_requested(): Import… was pressed (the explorer's file actions answer it).
        export_requested(): Export… was pressed.

    Args:
        model: the explorer's `ExplorerModel`.
        parent: the parent widget.
    """

    import_requested = Signal()
    export_requested = Signal()

    def __init__(self, model, parent: QWidget | None = None):
        super().__init__(parent)
        self._model = model
        self.list = QListWidget()
        self.list.setIconSize(QSize(ICON, ICON))
        self.list.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed |
                                  QAbstractItemView.EditTrigger.SelectedClicked)
        self.list.setToolTip("Double-click to show; F2 or click the selected name to rename; "
                             "drag to reorder")
        self.list.itemDoubleClicked.connect(lambda item: self._show(item))
        self.list.itemChanged.connect(
            lambda item: model.rename_bookmark(item.data(KEY_ROLE), item.text()))
        self.list.model().rowsMoved.connect(
            lambda *_: model.reorder_bookmarks(self._item_keys()))
        self.list.currentRowChanged.connect(self._update_buttons)
        self.add_button = QPushButton("Bookmark Current")
        self.add_button.setToolTip("Keep the latent shown, with a name")
        self.buttons = {}
        for key, text, slot in (("show", "Show", lambda: self._show(self.list.currentItem())),
                                ("A", "Use as A", lambda: self._use("A")),
                                ("B", "Use as B", lambda: self._use("B")),
                                ("remove", "Remove", self.remove_current),
                                ("import", "Import…", self.import_requested.emit),
                                ("export", "Export…", self.export_requested.emit)):
            button = QPushButton(text)
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
        self._show_file_buttons()
        model.observe(self._on_model)

    def set_thumbnails(self, images) -> None:
        """Icons for the usable bookmarks, in the order of the model's `bookmark_latents()`."""
        usable = [item for item, bookmark in self._items() if self._model.usable(bookmark)]
        self.list.blockSignals(True)
        for item, image in zip(usable, images):
            item.setIcon(_icon(image))
        self.list.blockSignals(False)

    def set_thumbnail(self, key: int, image: np.ndarray | None) -> None:
        """The icon of bookmark `key` (None leaves it as it is)."""
        item = self._item(key)
        if item is not None and image is not None:
            self.list.blockSignals(True)
            item.setIcon(_icon(image))
            self.list.blockSignals(False)

    def edit_name(self, key: int) -> None:
        """Starts editing the name of bookmark `key`."""
        item = self._item(key)
        if item is not None:
            self.list.editItem(item)

    def remove_current(self) -> None:
        """Deletes the selected bookmark."""
        item = self.list.currentItem()
        if item is not None:
            self._model.remove_bookmark(item.data(KEY_ROLE))

    # ---- following the model --------------------------------------------------------------
    def _on_model(self, what) -> None:
        if BOOKMARKS in what:
            self._follow_bookmarks()
        if BOOKMARKS in what or GENERATOR in what:
            self._show_usable()
            self._show_file_buttons()

    def _show_file_buttons(self) -> None:
        self.buttons["import"].setEnabled(self._model.state is not None)  # it needs a size
        self.buttons["export"].setEnabled(bool(self._model.bookmarks))

    def _follow_bookmarks(self) -> None:
        """Drops, reorders, adds and renames items to match the model (keeping their icons)."""
        bookmarks = {b.key: b for b in self._model.bookmarks}
        self.list.blockSignals(True)  # items being set up fire itemChanged
        for row in reversed(range(self.list.count())):
            if self.list.item(row).data(KEY_ROLE) not in bookmarks:
                self.list.takeItem(row)  # Qt moves the selection on, as for a user's removal
        shown = self._item_keys()
        if [key for key in bookmarks if key in shown] != shown:  # reordered elsewhere
            current = self.list.currentItem()
            items = {item.data(KEY_ROLE): item for item in [self.list.takeItem(0) for _ in shown]}
            for key in (key for key in bookmarks if key in items):
                self.list.addItem(items[key])
            self.list.setCurrentItem(current)
        for key, bookmark in bookmarks.items():
            if key not in shown:
                item = QListWidgetItem(bookmark.name)
                item.setData(KEY_ROLE, key)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable |
                              Qt.ItemFlag.ItemIsDragEnabled)
                self.list.addItem(item)
                self.list.setCurrentItem(item)  # a new bookmark is selected
        for item, bookmark in self._items():
            if item.text() != bookmark.name:
                item.setText(bookmark.name)
        self.list.blockSignals(False)
        self._update_buttons()

    def _show_usable(self) -> None:
        self.list.blockSignals(True)
        for item, bookmark in self._items():
            flags = item.flags()
            item.setFlags(flags | Qt.ItemFlag.ItemIsEnabled if self._model.usable(bookmark)
                          else flags & ~Qt.ItemFlag.ItemIsEnabled)
        self.list.blockSignals(False)
        self._update_buttons()

    # ---- items ----------------------------------------------------------------------------
    def _item_keys(self) -> list[int]:
        return [self.list.item(i).data(KEY_ROLE) for i in range(self.list.count())]

    def _item(self, key: int) -> QListWidgetItem | None:
        return next((item for item, b in self._items() if b.key == key), None)

    def _items(self) -> list[tuple[QListWidgetItem, Bookmark]]:
        """(item, bookmark) pairs in list order."""
        bookmarks = {b.key: b for b in self._model.bookmarks}
        return [(self.list.item(i), bookmarks[self.list.item(i).data(KEY_ROLE)])
                for i in range(self.list.count())]

    def _bookmark(self, item: QListWidgetItem) -> Bookmark:
        key = item.data(KEY_ROLE)
        return next(b for b in self._model.bookmarks if b.key == key)

    def _selected_bookmark(self) -> Bookmark | None:
        item = self.list.currentItem()
        if item is None or not item.flags() & Qt.ItemFlag.ItemIsEnabled:
            return None
        return self._bookmark(item)

    def _show(self, item) -> None:
        if item is not None and item.flags() & Qt.ItemFlag.ItemIsEnabled:
            bookmark = self._bookmark(item)
            self._model.show_latent(bookmark.latent.copy(), bookmark.classes)

    def _use(self, name: str) -> None:
        bookmark = self._selected_bookmark()
        if bookmark is not None:
            self._model.set_endpoint(name, bookmark.latent.copy())

    def _update_buttons(self, *_args) -> None:
        usable = self._selected_bookmark() is not None
        for key in ("show", "A", "B"):
            self.buttons[key].setEnabled(usable)
        self.buttons["remove"].setEnabled(self.list.currentRow() >= 0)

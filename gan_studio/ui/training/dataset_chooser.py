"""Picks the data set: a built-in one, an image folder or zip, or MNIST-format idx files."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QWidget

from gan_studio.core.catalog import (
    BUILTIN_DATASETS,
    DEFAULT_IMAGE_SIZE,
    IMAGE_SIZES,
    builtin_source,
)
from gan_studio.ui.widgets.path_edit import PathEdit

BUILTIN_LABELS = {name: builtin_source(name).title for name in BUILTIN_DATASETS}
IMAGES = "images"
IDX = "idx"
CUSTOM_LABELS = {IMAGES: "Image folder or zip…", IDX: "MNIST-format files…"}
CHANNEL_CHOICES = (("Automatic", None), ("Grayscale", 1), ("Colour (RGB)", 3))
AUTOMATIC_SIZE = f"Automatic (the images' size, up to {DEFAULT_IMAGE_SIZE})"


class DatasetChooser(QWidget):
    """A combo box of data sets; the custom entries show a path field and image options.

    Signals:
        changed(): the data set, its path or options changed.

    Args:
        parent: the parent widget.
    """

    changed = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.combo = QComboBox()
        for key, label in BUILTIN_LABELS.items():
            self.combo.addItem(label, key)
        self.combo.insertSeparator(self.combo.count())
        for key, label in CUSTOM_LABELS.items():
            self.combo.addItem(label, key)
        self._paths = {
            IMAGES: PathEdit([("Image Folder…", "dir", ""),
                              ("Zip File…", "file", "Zip archives (*.zip)")],
                             "folder of images, or a .zip"),
            IDX: PathEdit([("Folder of idx Files…", "dir", ""),
                           ("idx File…", "file", "MNIST idx files (*-ubyte *-ubyte.gz *.idx*);;"
                                                 "All files (*)")],
                          "folder holding *-ubyte files, or one file"),
        }
        self.image_size = QComboBox()
        self.image_size.addItem(AUTOMATIC_SIZE, None)  # the default: 32×32 images stay 32×32
        for size in IMAGE_SIZES:
            self.image_size.addItem(f"{size} × {size}", size)
        self.image_size.setToolTip(
            "The side images are scaled and cropped to. Automatic: the largest size the models "
            f"build that is not above the images' own shorter side, up to {DEFAULT_IMAGE_SIZE} "
            "(each size up costs four times the arithmetic)")
        self.channels = QComboBox()
        for label, value in CHANNEL_CHOICES:
            self.channels.addItem(label, value)
        self._form = QFormLayout(self)
        self._form.setContentsMargins(0, 0, 0, 0)
        self._form.addRow("Data set", self.combo)
        self._form.addRow("Images", self._paths[IMAGES])
        self._form.addRow("Files", self._paths[IDX])
        self._form.addRow("Image size", self.image_size)
        self._form.addRow("Colour", self.channels)
        self.combo.currentIndexChanged.connect(self._update_rows)
        self.combo.activated.connect(self._on_user_pick)
        for widget in self._paths.values():
            widget.path_changed.connect(self.changed)
        self._paths[IMAGES].path_changed.connect(lambda _path: self.show_automatic_size(None))
        self.image_size.currentIndexChanged.connect(self.changed)
        self.channels.currentIndexChanged.connect(self.changed)
        self._update_rows()

    def kind(self) -> str:
        """`mnist`, `fashion_mnist`, `cifar10`, `images` or `idx`."""
        return self.combo.currentData()

    def dataset(self) -> str:
        """The `TrainConfig.dataset` value: a built-in name, or a path ("" if none chosen yet)."""
        kind = self.kind()
        return self._paths[kind].path() if kind in self._paths else kind

    def label(self) -> str:
        """A short name for titles: "MNIST", or the chosen path."""
        return BUILTIN_LABELS.get(self.kind(), self.dataset() or "custom data")

    def set_dataset(self, dataset: str, kind: str | None = None) -> None:
        """Selects a built-in data set by name or a path (as `kind`, default image folder/zip)."""
        if dataset in BUILTIN_LABELS:
            kind = dataset
        else:
            kind = kind if kind in self._paths else IMAGES
            self._paths[kind].set_path(dataset)
        self.combo.setCurrentIndex(self.combo.findData(kind))

    def values(self) -> dict:
        """The chooser's state, for QSettings."""
        return {"kind": self.kind(), "images_path": self._paths[IMAGES].path(),
                "idx_path": self._paths[IDX].path(), "image_size": self.image_size.currentData(),
                "automatic_size": True, "channels": self.channels.currentData()}

    def set_values(self, values: dict) -> None:
        """Restores `values()` output; unknown or malformed entries are ignored."""
        for kind, key in ((IMAGES, "images_path"), (IDX, "idx_path")):
            if isinstance(values.get(key), str):
                self._paths[kind].set_path(values[key])
        values = dict(values)
        if "automatic_size" not in values and values.get("image_size") == DEFAULT_IMAGE_SIZE:
            values["image_size"] = None  # saved before sizes were automatic: the old default
        for combo, key in ((self.image_size, "image_size"), (self.channels, "channels")):
            index = combo.findData(values.get(key)) if key in values else -1
            if index >= 0:
                combo.setCurrentIndex(index)
        # (findData(None) would find the separator: no kind saved keeps the one shown)
        index = self.combo.findData(values["kind"]) if isinstance(values.get("kind"), str) else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)

    def show_size(self, size: int | None) -> None:
        """Shows a run's image size (as its config.json records it, None: nothing to show)."""
        index = self.image_size.findData(size) if size else -1
        if index >= 0:
            self.image_size.setCurrentIndex(index)

    def show_automatic_size(self, size: int | None) -> None:
        """Names the size that "Automatic" took for the chosen images (None: it is unknown)."""
        self.image_size.setItemText(0, AUTOMATIC_SIZE if size is None else
                                    f"Automatic ({size} × {size} for these images)")

    def set_locked(self, locked: bool) -> None:
        """Disables every choice (a run's data set cannot change)."""
        for widget in (self.combo, self.image_size, self.channels, *self._paths.values()):
            widget.setEnabled(not locked)

    def _update_rows(self) -> None:
        kind = self.kind()
        self._form.setRowVisible(self._paths[IMAGES], kind == IMAGES)
        self._form.setRowVisible(self._paths[IDX], kind == IDX)
        self._form.setRowVisible(self.image_size, kind == IMAGES)
        self._form.setRowVisible(self.channels, kind == IMAGES)
        self.changed.emit()

    def _on_user_pick(self, _index: int) -> None:
        # Picking a custom entry without a path yet goes straight to the file dialog.
        kind = self.kind()
        if kind in self._paths and not self._paths[kind].path():
            self._paths[kind].browse(0)

"""Nearest in Training Data: the training images closest to the explorer's preview (or to a
picture), with their distances; one click finds a training image in latent space."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.grid import drop_channel_axis, upscale_nearest
from gan_studio.core.latent.explorer_model import GENERATOR, ExplorerModel
from gan_studio.ui.explorer.preview import qimage_view
from gan_studio.ui.widgets.image_list import icon_grid
from gan_studio.ui.widgets.note_label import note_label
from gan_studio.workers.explorer.nearest import NearestRequest, NearestService

DEFAULT_K = 8
MAX_K = 32
SETTLE_MS = 400  # the preview must rest this long before it is looked up (not every slider tick)
ICON_SIDE = 84  # on screen; images are upscaled by a whole factor, pixel-exact
SPACES = (("features", "Features (what it shows)"), ("pixels", "Pixels (the same picture)"))
IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.webp *.gif);;All files (*)"
NO_GENERATOR = "Open a run to see the training images nearest to the image shown."
PREPARING = "Preparing the training images' features (once per data set)…"
COPY_COLOUR = QColor(190, 20, 20)


def _pixmap(image: np.ndarray) -> QPixmap:
    pixels = np.ascontiguousarray(drop_channel_axis(image))
    factor = max(1, ICON_SIDE // max(pixels.shape[:2]))
    pixels = np.ascontiguousarray(upscale_nearest(pixels, factor))
    return QPixmap.fromImage(qimage_view(pixels).copy())  # a copy: the array goes away


def _dropped_file(event) -> str | None:
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    local = [url.toLocalFile() for url in urls if url.isLocalFile()]
    return local[0] if local else None


class NearestPanel(QWidget):
    """The k training images nearest to the explorer's preview, searched off the GUI thread
    (`NearestService`), in the quality meter's feature space or in pixels.

    The preview is looked up once it has rested for `SETTLE_MS` and while the panel is in
    view; a picture (Image File…, or dropped on the panel) or an image given
    (`look_up_image`: the sample grid's selected tile) is looked up as it is. Clicking a
    training image asks to find it in latent space (`find_requested`).

    Signals:
        find_requested(object, str): a training image (uint8 (H, W, C)) to find in latent
            space, and what it is ("mnist training image 1,234").

    Args:
        model: the explorer's `ExplorerModel` (the generator shown names the run).
        settings: the `AppSettings` (the folder pictures were last chosen in), or None.
        parent: the parent widget.
    """

    find_requested = Signal(object, str)

    def __init__(self, model: ExplorerModel, settings=None, parent: QWidget | None = None):
        super().__init__(parent)
        self._model, self._settings = model, settings
        self.service = NearestService(self)
        self.service.ready.connect(self._show_answer)
        self.service.unavailable.connect(self._show_unavailable)
        self.service.preparing.connect(self._show_preparing)
        self._query: tuple[str, object, object] | None = None  # (what, pixels, path)
        self._asked, self._asked_what = 0, ""  # the newest request's tag, what it looks up
        self._pending = False  # a query waits for the panel to be in view
        self.answer = None  # the NearestAnswer shown
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._settle.timeout.connect(self.look_up)
        self._build()
        self.setAcceptDrops(True)
        model.observe(self._on_model)
        self._on_model(frozenset({GENERATOR}))

    def _build(self) -> None:
        self.file_button = QPushButton("Image File…")
        self.file_button.setToolTip("Look up a picture of the generator's size and channels "
                                    "(or drop one on this panel)")
        self.file_button.clicked.connect(self.choose_file)
        self.k = QSpinBox()
        self.k.setRange(1, MAX_K)
        self.k.setValue(DEFAULT_K)
        self.k.setPrefix("k = ")
        self.k.setToolTip("How many training images to show")
        self.k.valueChanged.connect(lambda _k: self.look_up())
        self.space = QComboBox()
        for name, text in SPACES:
            self.space.addItem(text, name)
        self.space.setToolTip("Features: distance in the quality meter's features (images that "
                              "show the same thing are near). Pixels: distance between the "
                              "pixel values (only the same picture is near).")
        self.space.currentIndexChanged.connect(lambda _i: self.look_up())
        self.query = QLabel()
        self.query.setFixedSize(ICON_SIDE + 4, ICON_SIDE + 4)
        self.query.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.query.setToolTip("The image looked up")
        self.note = note_label()
        self.list = icon_grid(ICON_SIDE)
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(2 * (ICON_SIDE + 44))
        self.list.itemClicked.connect(self._find_item)
        controls = QHBoxLayout()
        controls.addWidget(self.space, 1)
        controls.addWidget(self.k)
        controls.addWidget(self.file_button)
        top = QHBoxLayout()
        top.addWidget(self.query)
        top.addWidget(self.note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)

    # ---- what is looked up ----------------------------------------------------------------
    def _on_model(self, what) -> None:
        if GENERATOR in what:
            self._query, self.answer, self._pending = None, None, False
            self._settle.stop()
            self.list.clear()
            self.query.clear()
            self.note.setText("" if self._source() else NO_GENERATOR)

    def _source(self) -> str:
        loaded = self._model.generator
        return loaded.source if loaded is not None else ""

    def show_preview(self, image: np.ndarray) -> None:
        """The explorer's preview changed: it is looked up once it has rested."""
        image = np.array(image, np.uint8)
        self._query = ("the preview", image[..., None] if image.ndim == 2 else image, None)
        self._settle.start()

    def look_up_image(self, image: np.ndarray, what: str) -> None:
        """Looks up `image` (uint8 (H, W[, C]), e.g. the sample grid's selected tile) now;
        `what` names it in the note ("the selected tile")."""
        self._settle.stop()
        image = np.array(image, np.uint8)
        self._query = (what, image[..., None] if image.ndim == 2 else image, None)
        self.look_up()

    def look_up_file(self, path: str) -> None:
        """Looks up the picture at `path` (read as it is: of the generator's size and channels)."""
        self._settle.stop()
        self._query = (os.path.basename(path), None, path)
        self.look_up()

    def choose_file(self) -> None:
        """Asks for a picture, then looks it up."""
        start = self._settings.last_dir("images") if self._settings is not None else ""
        path, _ = QFileDialog.getOpenFileName(self, "Nearest in Training Data", start,
                                              IMAGE_FILTER)
        if path:
            if self._settings is not None:
                self._settings.set_last_dir("images", path)
            self.look_up_file(path)

    @property
    def space_name(self) -> str:
        """`features` or `pixels`: where distances are measured."""
        return self.space.currentData()

    def look_up(self) -> None:
        """Asks for the query's nearest training images now (once the panel is in view)."""
        source = self._source()
        if self._query is None or not source:
            return
        if not self.isVisible():
            self._pending = True
            return
        self._pending = False
        self._asked_what, image, path = self._query
        self._asked += 1
        self.service.ask(NearestRequest(source, image, path, self.k.value(), self.space_name,
                                        self._asked))
        if self.answer is None:
            self.note.setText("Searching the training images…")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._pending:
            self.look_up()

    # ---- answers --------------------------------------------------------------------------
    def _show_answer(self, answer) -> None:
        if answer.request.tag != self._asked:
            return
        self.answer = answer
        self.query.setPixmap(_pixmap(answer.query))
        self.list.clear()
        for index, distance, image in zip(answer.indices, answer.distances, answer.images):
            copy = answer.threshold is not None and float(distance) < answer.threshold
            item = QListWidgetItem(QIcon(_pixmap(image)), f"#{int(index):,}\n{distance:.3f}"
                                   + (" copy?" if copy else ""))
            item.setToolTip(f"{answer.dataset} training image {int(index):,}: distance "
                            f"{distance:.3f} in {answer.request.space}. Click to find it in "
                            "latent space.")
            if copy:
                item.setForeground(QBrush(COPY_COLOUR))
            self.list.addItem(item)
        space = ("the quality meter's features" if answer.request.space == "features"
                 else "pixels (values 0 to 1)")
        copies = ("" if answer.threshold is None else
                  f" Nearer than {answer.threshold:.3f} would count as a copy.")
        self.note.setText(f"The {len(answer.indices)} of {answer.count:,} {answer.dataset} "
                          f"training images nearest to {self._asked_what}, in "
                          f"{space}.{copies} Click one to find it in latent space.")

    def _show_unavailable(self, message: str, tag) -> None:
        if tag != self._asked:
            return
        self.answer = None
        self.list.clear()
        self.query.clear()
        self.note.setText(" ".join(message.split()))  # one line, whatever the cause

    def _show_preparing(self, done: int, total: int) -> None:
        share = f" {done / total:.0%}" if total else ""
        self.note.setText(f"{PREPARING}{share}")

    def _find_item(self, item: QListWidgetItem) -> None:
        answer, row = self.answer, self.list.row(item)
        if answer is None or not 0 <= row < len(answer.images):
            return
        self.find_requested.emit(answer.images[row].copy(),
                                 f"{answer.dataset} training image {int(answer.indices[row]):,}")

    # ---- drag and drop: a picture to look up ------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if _dropped_file(event) is not None and self._source():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        path = _dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.look_up_file(path)

    def shutdown(self) -> None:
        """Stops a search or preparation under way and joins its thread. Blocks briefly."""
        self._settle.stop()
        self.service.shutdown()

"""The fixed-noise sample grid, updated while training, with a timelapse slider."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QGraphicsRectItem,
    QHBoxLayout,
    QLabel,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.animation import evenly_spaced
from gan_studio.core.grid import drop_channel_axis, tile_at
from gan_studio.core.latent.space import sample_grid_shape
from gan_studio.core.runs.run_model import QUALITY, SAVED, TILE, RunModel
from gan_studio.core.training.progress import SampleGrid
from gan_studio.ui.training.grid_frames import GridFrame, TileLayout
from gan_studio.ui.training.run_feed import quality_caption
from gan_studio.ui.training.tile_scores import TileScores
from gan_studio.ui.widgets.clickable_image import ClickableImage

MAX_FRAMES = 2000  # older frames are thinned beyond this, so memory stays bounded ...
# ... and beyond this many bytes of images: 2,000 grids of a 64 px folder model would hold
# 1.5 GB (a 30-minute MNIST soak kept ~55 MB of grids; RGB grids are 3-50x larger).
FRAME_MEMORY = 64 * 2**20
SELECTION_COLOR = "#ffbf00"


class SampleGridView(QWidget):
    """Shows the sample grid (nearest-neighbour upscaled) and scrubs back through earlier ones.

    While the slider is at its right end, new grids are shown as they arrive; moved left, it
    holds that frame. Clicking a tile selects it (clicking it again clears the selection).

    The caption names the frame's step and the quality measured at that step (or the newest
    evaluation before it, with its step). The selected tile and the latents behind the tiles
    are the `RunModel`'s, which the explorer reads too; a run opened from its folder shows its
    saved grids.

    Signals:
        frame_changed(int): index of the frame now shown.

    Args:
        session: a `TrainingSession` whose `grid` signal feeds the view (optional).
        run: the window's `RunModel` (default: a model of its own).
        parent: the parent widget.
    """

    frame_changed = Signal(int)

    def __init__(self, session=None, run: RunModel | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.run = run if run is not None else RunModel()
        self._frames: list[GridFrame] = []
        self._layout_info: TileLayout | None = None
        self._shown_shape: tuple = ()
        self._build()
        if session is not None:
            session.grid.connect(self.add_grid)
        self.run.observe(self._on_run_changed)

    def _build(self) -> None:
        self._view = pg.GraphicsLayoutWidget()
        self._view.setBackground(self.palette().color(QPalette.ColorRole.Window))
        self._view.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        self._box = self._view.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self._box.setMenuEnabled(False)
        self._box.setDefaultPadding(0.0)  # auto-range keeps the whole grid in view on resize
        self._image_item = ClickableImage(self._on_click)
        self._box.addItem(self._image_item)
        self._highlight = QGraphicsRectItem()
        pen = pg.mkPen(SELECTION_COLOR, width=2)
        pen.setCosmetic(True)
        self._highlight.setPen(pen)
        self._highlight.setVisible(False)
        self._box.addItem(self._highlight)
        self._scores = TileScores(self._box)
        self.scores_check = QCheckBox("D scores")
        self.scores_check.setToolTip(
            "Show the discriminator's verdict on each tile: its probability that the tile is a "
            "real image (green) rather than a generated one (red), as D stood when training "
            "drew the grid")
        self.scores_check.toggled.connect(lambda _on: self._show_frame(self.current_index))
        self._placeholder = QLabel("Samples appear here once training starts.")
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._placeholder.setEnabled(False)
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setRange(0, 0)
        self._slider.setEnabled(False)
        self._slider.setToolTip("Scrub back through the grids seen so far")
        self._slider.valueChanged.connect(self._show_frame)
        self._caption = QLabel("")
        self._caption.setMinimumWidth(180)
        self._caption.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        row = QHBoxLayout()
        row.addWidget(self._slider, 1)
        row.addWidget(self.scores_check)
        row.addWidget(self._caption)
        layout = QVBoxLayout(self)
        layout.addWidget(self._placeholder, 1)
        layout.addWidget(self._view, 1)
        layout.addLayout(row)
        self._view.setVisible(False)

    # ---- state ----------------------------------------------------------------------------
    @property
    def frame_count(self) -> int:
        """How many grids are kept for the timelapse."""
        return len(self._frames)

    @property
    def frames(self) -> list[GridFrame]:
        """The kept grids, oldest first (do not modify)."""
        return self._frames

    @property
    def current_index(self) -> int:
        """Index of the frame shown (-1 when there is none)."""
        return self._slider.value() if self._frames else -1

    @property
    def caption(self) -> str:
        """The line under the slider: "step 600 · 12 / 12 · FD 12.3 · score 8.1"."""
        return self._caption.text()

    @property
    def selected_tile(self) -> int:
        """Index of the selected tile, or -1 (the run model's)."""
        return self.run.selected_tile

    @property
    def tile_layout(self) -> TileLayout | None:
        """Layout of the tiles in the grids, once known."""
        return self._layout_info

    def current_image(self) -> np.ndarray | None:
        """The grid shown, as uint8 (H, W) or (H, W, 3), exactly the pixels drawn."""
        if not self._frames:
            return None
        # While `add_grid` drops the grids of a future the run went back from, observers of
        # the tile latents it sets may ask before the slider follows: the newest kept then.
        return self._frames[min(self.current_index, len(self._frames) - 1)].image

    @property
    def score_labels(self) -> list[str]:
        """The per-tile score labels drawn now, in tile order (empty when hidden)."""
        return self._scores.texts

    def selected_tile_image(self) -> np.ndarray | None:
        """The selected tile of the grid shown, or None."""
        image = self.current_image()
        if image is None or self.selected_tile < 0 or self._layout_info is None:
            return None
        x, y, w, h = self._layout_info.tile_rect(self.selected_tile)
        return image[y:y + h, x:x + w]

    # ---- updates --------------------------------------------------------------------------
    def add_grid(self, grid: SampleGrid) -> None:
        """Appends a grid from training; shows it if the slider was at the newest frame."""
        image = _displayable(grid.image)
        steps = [frame.step for frame in self._frames]
        if steps and steps[-1] is not None and grid.step <= steps[-1]:
            # Training went back to an earlier checkpoint: its later grids are history no more.
            self._frames = [f for f in self._frames if f.step is None or f.step < grid.step]
        if grid.tiles is not None and np.ndim(grid.tiles) >= 3:
            self._layout_info = TileLayout.from_grid(image.shape, np.shape(grid.tiles),
                                                     getattr(grid, "columns", None))
        if getattr(grid, "latents", None) is not None:
            self.run.set_tile_latents(grid.latents)
        scores = getattr(grid, "scores", None)
        self._append(GridFrame(grid.step, grid.epoch, image,
                               None if scores is None else np.array(scores, np.float32)))

    def set_frames(self, frames: list[GridFrame], layout: TileLayout | None) -> None:
        """Replaces the timelapse (e.g. with the grids saved in a run folder) and shows the last.

        Frames kept in files are read only when shown (a run's hundreds of grids cost no
        memory); past `MAX_FRAMES`, an even spread of them is kept.
        """
        self.clear()
        self._layout_info = layout
        kept = evenly_spaced(list(frames), MAX_FRAMES)
        self._frames = [GridFrame(f.step, f.epoch, _displayable(f.image) if f.nbytes else None,
                                  path=f.path) for f in kept]
        if self._frames:
            self._slider.blockSignals(True)
            self._slider.setRange(0, len(self._frames) - 1)
            self._slider.setValue(len(self._frames) - 1)
            self._slider.blockSignals(False)
            self._slider.setEnabled(len(self._frames) > 1)
            self._show_frame(self._slider.value())

    def clear(self) -> None:
        """Removes every frame and the selection."""
        self._frames = []
        self.run.select_tile(-1)
        self._slider.blockSignals(True)
        self._slider.setRange(0, 0)
        self._slider.blockSignals(False)
        self._slider.setEnabled(False)
        self._caption.setText("")
        self._scores.hide()
        self._view.setVisible(False)
        self._placeholder.setVisible(True)

    def select_tile(self, index: int) -> None:
        """Selects tile `index` in the run model (-1, or a tile the grid has not, clears)."""
        layout = self._layout_info
        self.run.select_tile(index if layout is not None and 0 <= index < layout.count else -1)

    def _on_run_changed(self, what: frozenset) -> None:
        if SAVED in what:
            self._show_saved()
        if TILE in what:
            index, layout = self.run.selected_tile, self._layout_info
            if index >= 0 and layout is not None:
                self._highlight.setRect(QRectF(*layout.tile_rect(index)))
            self._highlight.setVisible(index >= 0 and layout is not None)
        if QUALITY in what:
            self._show_caption()

    def _show_saved(self) -> None:
        """The grids of the run opened from its folder (or none: a new run's come live)."""
        saved = self.run.saved
        if saved is None:
            self.clear()
            return
        frames = [GridFrame(g.step, g.epoch, g.image, path=g.path) for g in saved.grids]
        config = saved.config
        rows, columns = (sample_grid_shape(config.grid_size, config.condition_classes)
                         if config else (8, 8))
        layout = TileLayout.rows_columns(frames[-1].image.shape, rows, columns) if frames else None
        self.set_frames(frames, layout)

    def _append(self, frame: GridFrame, follow: bool | None = None) -> None:
        following = self._slider.value() == self._slider.maximum() if follow is None else follow
        self._frames.append(frame)
        limit = min(MAX_FRAMES, max(16, FRAME_MEMORY // max(1, frame.nbytes)))
        if len(self._frames) > limit:
            # Keep every other old frame: the timelapse keeps its span at half the density.
            self._frames = self._frames[:-1:2] + self._frames[-1:]
        self._slider.blockSignals(True)
        self._slider.setRange(0, len(self._frames) - 1)
        if following or len(self._frames) == 1:
            self._slider.setValue(len(self._frames) - 1)
        self._slider.blockSignals(False)
        self._slider.setEnabled(len(self._frames) > 1)
        self._show_frame(self._slider.value())

    def _show_frame(self, index: int) -> None:
        if not self._frames:
            self._scores.hide()
            return
        frame = self._frames[index]
        image = frame.image
        if image is None:  # a grid file that cannot be read (damaged, deleted since)
            image = np.zeros(self._shown_shape or (1, 1), np.uint8)
        self._image_item.setImage(image, autoLevels=False, levels=(0, 255))
        self._scores.show(frame.scores if self.scores_check.isChecked() else None,
                          self._layout_info)
        if self._placeholder.isVisibleTo(self):
            self._placeholder.setVisible(False)
            self._view.setVisible(True)
        if image.shape[:2] != self._shown_shape:
            self._shown_shape = image.shape[:2]
            self._box.autoRange(padding=0)
        self._show_caption()
        self.frame_changed.emit(index)

    def _show_caption(self) -> None:
        if not self._frames:
            return
        index = self._slider.value()
        frame = self._frames[index]
        where = f"step {frame.step:,}" if frame.step is not None else f"epoch {frame.epoch + 1}"
        quality = quality_caption(self.run, frame.step)
        verdict = ""
        if self.scores_check.isChecked():
            verdict = "no D scores (grid read from the run folder)" if frame.scores is None \
                else f"mean D {float(np.mean(frame.scores)):.2f}"
        self._caption.setText(" · ".join(filter(None, (where, f"{index + 1} / {len(self._frames)}",
                                                      quality, verdict))))

    def _on_click(self, y: float, x: float) -> None:
        image = self.current_image()
        layout = self._layout_info
        if image is None or layout is None:
            return
        index = tile_at(image.shape[:2], layout.tile_shape, layout.columns, layout.count, y, x,
                        layout.padding)
        self.select_tile(-1 if index is None or index == self.selected_tile else index)


def _displayable(image: np.ndarray) -> np.ndarray:
    """uint8 (H, W) for gray, (H, W, 3) for colour: what ImageItem draws without conversion."""
    image = np.asarray(image)
    if image.dtype != np.uint8:
        image = np.clip(image, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(drop_channel_axis(image))

"""The latent explorer: a generator's image for a latent you steer with seeds and sliders."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gan_studio.core.latent.explorer_model import ExplorerModel
from gan_studio.core.runs.run_model import TILE, TILE_LATENTS, RunModel
from gan_studio.core.training.session_states import STARTING, STOPPING, TRAINING
from gan_studio.ui.explorer.bookmarks import BookmarkList
from gan_studio.ui.explorer.class_picker import ClassPicker
from gan_studio.ui.explorer.controls import LatentControls
from gan_studio.ui.explorer.dimension_sliders import DimensionSliders
from gan_studio.ui.explorer.direction_sliders import DirectionSliders
from gan_studio.ui.explorer.directions import ExplorerDirections
from gan_studio.ui.explorer.generator_choice import GeneratorChoice
from gan_studio.ui.explorer.interpolation import InterpolationPanel
from gan_studio.ui.explorer.layers_view import LayersView
from gan_studio.ui.explorer.nearest_panel import NearestPanel
from gan_studio.ui.explorer.preview import LatentPreview
from gan_studio.ui.explorer.rendering import LatentRendering
from gan_studio.ui.explorer.source_bar import LatentSourceBar
from gan_studio.ui.explorer.verdict_label import VerdictLabel
from gan_studio.workers.explorer.directions import SAMPLES, DirectionsService

PLACEHOLDER = ("No generator yet.\n\nTrain a run, or open one with File → Open Generator… "
               "(a run folder or a .keras file).")


class LatentExplorer(QWidget):
    """Explore a generator's latent space: seed, GANSpace directions, dimensions, ψ,
    interpolation, bookmarks and the nearest training images, rendered on a background thread
    (newest request only).

    What it shows lives in `model` (an `ExplorerModel`); the widgets, the rendering and the
    directions follow the model, and the explorer connects the rendered images and the sample
    grid to them.

    Signals:
        image_changed(): the preview shows a new image (or none).
        generator_changed(object): a new `LoadedGenerator` is shown.
        image_dropped(str): a file was dropped on the explorer (a picture to find in the
            latent space, see `ProjectionActions`).

    Args:
        session: a `TrainingSession`; its generator snapshots are followed (optional).
        run: the window's `RunModel`: its selected sample-grid tile can become a latent, and
            the latents behind the tiles are recomputed when the run's generator is opened
            (optional).
        directions_samples: latents sampled for GANSpace (tests use fewer).
        parent: the parent widget.
    """

    image_changed = Signal()
    generator_changed = Signal(object)
    image_dropped = Signal(str)

    def __init__(self, session=None, run: RunModel | None = None,
                 directions_samples: int = SAMPLES, parent: QWidget | None = None):
        super().__init__(parent)
        self._run = run
        self._on_screen = True  # until a container says otherwise (set_on_screen)
        self.model = ExplorerModel()
        self.directions = DirectionsService(directions_samples, self)
        self._directions = ExplorerDirections(self.model, self.directions, self._in_view, self)
        self.rendering = LatentRendering(self.model, self)
        self.generator_choice = GeneratorChoice(session, self)
        if session is not None:  # a training run needs the cores a big generator would use
            session.state_changed.connect(lambda state: self.rendering.render_thread.set_training(
                state in (STARTING, TRAINING, STOPPING)))
        self.generator_choice.generator_changed.connect(self.set_generator)
        self._build()
        if session is not None:
            self.verdict.follow(session)
        self._connect_rendering()
        if run is not None:
            run.observe(lambda what: what & {TILE, TILE_LATENTS} and self._update_tile_available())
        self._set_enabled(False)
        self.setAcceptDrops(True)

    # ---- drag and drop: a picture to find ---------------------------------------------------
    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt's name
        if _dropped_file(event) is not None and self.model.generator is not None:
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt's name
        path = _dropped_file(event)
        if path is not None:
            event.acceptProposedAction()
            self.image_dropped.emit(path)

    @property
    def last_request_id(self) -> int:
        """The id of the newest preview request (the preview's `painted` reports ids)."""
        return self.rendering.last_request_id

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        model = self.model
        self.source_bar = LatentSourceBar(self.generator_choice)
        self.preview = LatentPreview(minimum_scale=6, placeholder=PLACEHOLDER)
        self.preview.setToolTip("The image for the current latent (pixel-exact)")
        self.verdict = VerdictLabel()
        self.controls = LatentControls(model)
        self.controls.tile_clicked.connect(lambda: self._use_tile(None))
        self.class_picker = ClassPicker(model)  # shown for class-conditional generators only
        self.direction_sliders = DirectionSliders(model)
        self.dimension_sliders = DimensionSliders(model)
        self.interpolation = InterpolationPanel(model)
        self.interpolation.tile_requested.connect(self._use_tile)
        self.layers_view = LayersView()
        self.bookmarks = BookmarkList(model)
        self.bookmarks.add_button.clicked.connect(self.bookmark_current)
        self.nearest = NearestPanel(model)  # the preview's nearest training images
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.direction_sliders, "Directions")
        self.tabs.addTab(self.dimension_sliders, "Dimensions")
        self.tabs.addTab(self.interpolation, "Interpolate")
        self.tabs.addTab(self.bookmarks, "Bookmarks")
        self.tabs.addTab(self.layers_view, "Layers")
        self.tabs.addTab(self.nearest, "Nearest")
        self.tabs.setTabToolTip(self.tabs.indexOf(self.nearest), "Nearest in Training Data: "
                                "the training images closest to the image shown")
        self.tabs.currentChanged.connect(self._watch_layer)
        self.layers_view.layer_chosen.connect(self._watch_layer)
        layout = QVBoxLayout(self)
        layout.addWidget(self.source_bar)
        layout.addWidget(self.preview, 5)
        layout.addWidget(self.verdict)
        layout.addWidget(self.controls)
        layout.addWidget(self.class_picker)
        layout.addWidget(self.tabs, 4)

    def _watch_layer(self, *_args) -> None:
        """The picked layer's maps are rendered only while the Layers tab is in front."""
        shown = self.tabs.currentWidget() is self.layers_view
        self.rendering.set_layer(self.layers_view.current_layer if shown else None)

    def _connect_rendering(self) -> None:
        rendering = self.rendering
        rendering.layer_ready.connect(self.layers_view.show_maps)
        rendering.preview_ready.connect(self._show_preview)
        rendering.preview_failed.connect(self._show_failure)
        rendering.endpoints_ready.connect(self.interpolation.set_endpoint_images)
        rendering.strip_ready.connect(self.interpolation.set_frame_images)
        rendering.thumbnails_ready.connect(self.bookmarks.set_thumbnails)

    def _show_preview(self, image: np.ndarray, request_id: int) -> None:
        self.preview.set_image(image, request_id, now=True)
        self.image_changed.emit()
        self.nearest.show_preview(image)
        classes, loaded = self.model.classes, self.model.generator
        if loaded is not None:
            self.verdict.show_for(loaded.source, image, None if classes is None
                                  else classes.first, request_id)

    def _show_failure(self, message: str) -> None:
        self.preview.set_image(None)
        self.preview.set_placeholder(f"Cannot render this latent: {message}")

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._directions.resume()

    def set_on_screen(self, on_screen: bool) -> None:
        """Says whether the explorer can be seen.

        A dock behind another dock's tab stays "visible" to Qt, so its container says when
        it is really in view (`QDockWidget.visibilityChanged`). Directions for new weights are
        only computed while it is: they take a core for a second, taken from training.

        Args:
            on_screen: whether the explorer is in view.
        """
        self._on_screen = on_screen
        if on_screen:
            self._directions.resume()

    def _in_view(self) -> bool:
        return self.isVisible() and self._on_screen

    def _set_enabled(self, on: bool) -> None:
        self.controls.setEnabled(on)
        self.class_picker.setEnabled(on)
        self.tabs.setEnabled(on)
        self._update_tile_available()

    # ---- what is shown --------------------------------------------------------------------
    def current_image(self):
        """The image shown (uint8 (H, W) or (H, W, 3)), exactly as rendered, or None."""
        return self.preview.image()

    def current_latent(self) -> np.ndarray | None:
        """The latent of the image shown (after ψ and direction edits), or None."""
        latent = self.rendering.shown_latent
        return None if latent is None else latent.copy()

    def shown_pixels(self) -> np.ndarray | None:
        """The image exactly as on screen (upscaled by `image_scale()`), or None."""
        return self.preview.shown_pixels()

    def image_scale(self) -> int:
        """The whole factor the image is shown at."""
        return self.preview.scale()

    def path_latents(self) -> np.ndarray | None:
        """The interpolation's frames' latents with the current edits, or None."""
        return self.model.path_latents()

    def current_classes(self):
        """The `ClassChoice` of the image shown, None for an unconditional generator."""
        return self.rendering.shown_classes

    def set_generator(self, loaded) -> None:
        """Shows `loaded` (a `LoadedGenerator`); a new latent size starts afresh from the seed."""
        self.model.set_generator(loaded)
        self.layers_view.set_generator(loaded.renderer)
        if loaded.grid_latents is not None and self._run is not None and \
                self._shows_run(loaded.source):
            self._run.set_tile_latents(loaded.grid_latents)
        self._update_tile_available()
        self._set_enabled(True)
        self.generator_changed.emit(loaded)

    def show_latent(self, latent) -> None:
        """Makes `latent` the base with neutral edits: the preview shows exactly it."""
        self.model.show_latent(latent)

    def reset(self) -> None:
        """The seed's latent with neutral edits."""
        self.model.reset()

    def bookmark_current(self) -> None:
        """Keeps the latent shown as a new bookmark and starts editing its name."""
        latent = self.current_latent()
        if latent is not None:
            key = self.model.add_bookmark(self.model.next_bookmark_name(), latent,
                                          self.rendering.shown_classes)
            self.bookmarks.set_thumbnail(key, self.current_image())
            self.show_bookmarks()
            self.bookmarks.edit_name(key)

    def show_bookmarks(self) -> None:
        """Brings the Bookmarks tab to the front."""
        self.tabs.setCurrentWidget(self.bookmarks)

    def show_nearest(self) -> None:
        """Brings the Nearest (in Training Data) tab to the front."""
        self.tabs.setCurrentWidget(self.nearest)

    def shutdown(self) -> None:
        """Stops playback and joins the explorer's threads. Blocks briefly."""
        self.interpolation.set_playing(False)
        self.rendering.shutdown()
        self.verdict.shutdown()
        self.nearest.shutdown()
        self.directions.shutdown()
        self.generator_choice.shutdown()

    # ---- the sample grid's tiles ----------------------------------------------------------
    def _tile_latent(self) -> np.ndarray | None:
        run = self._run
        if run is None or self.model.state is None or run.selected_tile < 0:
            return None
        latent = run.tile_latent(run.selected_tile)
        return latent if latent is not None and len(latent) == self.model.dim else None

    def _use_tile(self, endpoint: str | None) -> None:
        latent = self._tile_latent()
        if latent is None:
            return
        if endpoint is None:
            self.model.show_latent(latent)
        else:
            self.model.set_endpoint(endpoint, latent)

    def _update_tile_available(self, *_args) -> None:
        self.model.set_tile_available(self._tile_latent() is not None)

    def _shows_run(self, source: str) -> bool:
        shown = self._run.run_dir if self._run is not None else None
        try:
            return bool(shown) and bool(source) and os.path.samefile(shown, source)
        except OSError:
            return False


def _dropped_file(event) -> str | None:
    """The first local file a drag carries, or None."""
    urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
    local = [url.toLocalFile() for url in urls if url.isLocalFile()]
    return local[0] if local else None

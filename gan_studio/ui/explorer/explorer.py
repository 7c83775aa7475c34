"""The latent explorer: a generator's image for a latent you steer with seeds and sliders."""

from __future__ import annotations

import os
import time

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from gan_studio.core.latent.space import random_latent
from gan_studio.core.latent.state import LatentState
from gan_studio.ui.explorer.bookmarks import BookmarkList
from gan_studio.ui.explorer.controls import LatentControls
from gan_studio.ui.explorer.dimension_sliders import DimensionSliders
from gan_studio.ui.explorer.direction_sliders import DirectionSliders
from gan_studio.ui.explorer.interpolation import InterpolationPanel
from gan_studio.ui.explorer.preview import LatentPreview
from gan_studio.ui.explorer.rendering import LatentRendering
from gan_studio.ui.explorer.source_bar import LatentSourceBar
from gan_studio.ui.explorer.sources import LatentSources
from gan_studio.workers.explorer.directions import SAMPLES, DirectionsService
from gan_studio.workers.explorer.renderer import ENDPOINTS, STRIP, THUMBNAILS

# A run being trained sends new weights every few seconds; finding its directions takes a core
# for 1-2 s, so they are refreshed at most this often, and only while the explorer is shown.
LIVE_DIRECTIONS_INTERVAL = 30.0

PLACEHOLDER = ("No generator yet.\n\nTrain a run, or open one with File → Open Generator… "
               "(a run folder or a .keras file).")


class LatentExplorer(QWidget):
    """Explore a generator's latent space: seed, GANSpace directions, dimensions, ψ,
    interpolation and bookmarks, rendered on a background thread (newest request only).

    Signals:
        image_changed(): the preview shows a new image (or none).
        generator_changed(object): a new `LoadedGenerator` is shown.

    Args:
        session: a `TrainingSession`; its generator snapshots are followed (optional).
        sample_view: a `SampleGridView` whose selected tile can become a latent (optional).
        run_shown: returns the run folder the sample view shows (its tiles' latents are
            recomputed when that run's generator is opened).
        directions_samples: latents sampled for GANSpace (tests use fewer).
        parent: the parent widget.
    """

    image_changed = Signal()
    generator_changed = Signal(object)

    @property
    def last_request_id(self) -> int:
        """The id of the newest preview request (the preview's `painted` reports ids)."""
        return self.rendering.last_request_id

    def __init__(self, session=None, sample_view=None, run_shown=None,
                 directions_samples: int = SAMPLES, parent: QWidget | None = None):
        super().__init__(parent)
        self._sample_view = sample_view
        self._run_shown = run_shown
        self.state: LatentState | None = None
        self.generator = None  # the LoadedGenerator shown
        self.rendering = LatentRendering(self)
        self.rendering.preview_shown.connect(self.image_changed)
        self._on_screen = True  # until a container says otherwise (set_on_screen)
        self._pending_directions = None  # a generator whose directions are still to find
        self._last_directions = -float("inf")  # when directions were last asked for
        self.directions = DirectionsService(directions_samples, self)
        self.directions.ready.connect(self._on_directions)
        self.directions.failed.connect(
            lambda message: self.direction_sliders.set_status(f"No directions: {message}"))
        self.sources = LatentSources(session, self)
        self.sources.generator_changed.connect(self.set_generator)
        self._build()
        if sample_view is not None:
            sample_view.tile_selected.connect(self._update_tile_buttons)
            sample_view.frame_changed.connect(self._update_tile_buttons)
        self._set_enabled(False)

    # ---- layout ---------------------------------------------------------------------------
    def _build(self) -> None:
        self.source_bar = LatentSourceBar(self.sources)
        self.preview = LatentPreview(minimum_scale=6, placeholder=PLACEHOLDER)
        self.preview.setToolTip("The image for the current latent (pixel-exact)")
        self.controls = LatentControls()
        self.controls.seed_changed.connect(self._on_seed)
        self.controls.psi_changed.connect(self._on_psi)
        self.controls.reset_clicked.connect(self.reset)
        self.controls.tile_clicked.connect(lambda: self._use_tile(None))
        self.direction_sliders = DirectionSliders()
        self.direction_sliders.offsets_changed.connect(self._on_offsets)
        self.dimension_sliders = DimensionSliders()
        self.dimension_sliders.value_changed.connect(self._on_dimension)
        self.interpolation = InterpolationPanel()
        self.interpolation.base_changed.connect(lambda z: self._set_base(z, on_path=True))
        self.interpolation.path_changed.connect(lambda: self._schedule(ENDPOINTS, STRIP))
        for name in ("A", "B"):
            buttons = self.interpolation.endpoint_buttons[name]
            buttons["current"].clicked.connect(lambda _=False, n=name: self._set_endpoint(n))
            buttons["random"].clicked.connect(
                lambda _=False, n=name: self._set_endpoint(n, self._random_latent()))
            buttons["tile"].clicked.connect(lambda _=False, n=name: self._use_tile(n))
        self.bookmarks = BookmarkList()
        self.bookmarks.add_button.clicked.connect(self.bookmark_current)
        self.bookmarks.show_requested.connect(self.show_latent)
        self.bookmarks.use_as.connect(self.interpolation.set_endpoint)
        self.bookmarks.changed.connect(self._on_bookmarks_changed)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.direction_sliders, "Directions")
        self.tabs.addTab(self.dimension_sliders, "Dimensions")
        self.tabs.addTab(self.interpolation, "Interpolate")
        self.tabs.addTab(self.bookmarks, "Bookmarks")
        layout = QVBoxLayout(self)
        layout.addWidget(self.source_bar)
        layout.addWidget(self.preview, 5)
        layout.addWidget(self.controls)
        layout.addWidget(self.tabs, 4)

    def _want_directions(self, renderer, live_update: bool = False) -> None:
        """Asks for directions of `renderer`: now, or when shown, or rate-limited if live."""
        self._pending_directions = renderer
        if not live_update:
            self._last_directions = -float("inf")
        self._compute_pending_directions()

    def _compute_pending_directions(self) -> None:
        renderer = self._pending_directions
        if renderer is None or not self.isVisible() or not self._on_screen:
            return  # showEvent / set_on_screen pick it up: an unseen explorer costs nothing
        wait = self._last_directions + LIVE_DIRECTIONS_INTERVAL - time.monotonic()
        if wait > 0 and self.state.directions is not None:
            QTimer.singleShot(int(wait * 1000) + 1, self._compute_pending_directions)
            return
        self._pending_directions = None
        self._last_directions = time.monotonic()
        self.direction_sliders.set_status(
            "Updating the directions for the new weights…" if self.state.directions
            is not None else "Finding the principal directions…")
        self.directions.compute(renderer)

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._compute_pending_directions()

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
            self._compute_pending_directions()

    def _set_enabled(self, on: bool) -> None:
        self.controls.setEnabled(on)
        self.tabs.setEnabled(on)
        self._update_tile_buttons()

    # ---- what is shown --------------------------------------------------------------------
    def current_image(self):
        """The image shown (uint8 (H, W) or (H, W, 3)), exactly as rendered, or None."""
        return self.preview.image()

    def current_latent(self) -> np.ndarray | None:
        """The latent of the image shown (after ψ and direction edits), or None."""
        latent = self.rendering.shown_latent
        return None if latent is None else latent.copy()

    def path_latents(self) -> np.ndarray | None:
        """The interpolation's frames' latents with the current edits, or None."""
        latents = self.interpolation.path_latents()
        return None if latents is None or self.state is None else self.state.compose(latents)

    def set_generator(self, loaded) -> None:
        """Shows `loaded` (a `LoadedGenerator`); a new latent size starts afresh from the seed."""
        previous = self.generator
        self.generator = loaded
        dim = loaded.renderer.latent_dim
        if self.state is None or self.state.dim != dim:
            seed = self.controls.seed.value()
            self.state = LatentState.from_seed(dim, seed)
            self.direction_sliders.set_directions(None)
            self.direction_sliders.set_offsets([])
            self.controls.set_psi(1.0)
            self.interpolation.set_endpoints(self.state.base, random_latent(dim, seed + 1))
            self.bookmarks.set_latent_dim(dim)
            self.interpolation.set_walk_keys(self.bookmarks.latents())
            self.dimension_sliders.set_latent(self.state.base)
        if previous is None or previous.renderer is not loaded.renderer:
            same_source = previous is not None and previous.source == loaded.source
            self._want_directions(loaded.renderer, live_update=same_source)
        if loaded.grid_latents is not None and self._sample_view is not None and \
                self._shows_run(loaded.source):
            self._sample_view.set_tile_latents(loaded.grid_latents)
        self._set_enabled(True)
        self._request_preview()
        self._schedule(ENDPOINTS, STRIP, THUMBNAILS)
        self.generator_changed.emit(loaded)

    def show_latent(self, latent) -> None:
        """Makes `latent` the base with neutral edits: the preview shows exactly it."""
        if self.state is None:
            return
        latent = np.asarray(latent, np.float32).reshape(-1)
        if len(latent) != self.state.dim:
            return
        self.state.neutral_edits()
        self.controls.set_psi(1.0)
        self.direction_sliders.set_offsets(self.state.offsets)
        self._set_base(latent)
        self._schedule(ENDPOINTS, STRIP)

    def reset(self) -> None:
        """The seed's latent with neutral edits."""
        if self.state is not None:
            self.show_latent(random_latent(self.state.dim, self.controls.seed.value()))

    def bookmark_current(self) -> None:
        """Keeps the latent shown as a new bookmark and starts editing its name."""
        latent = self.current_latent()
        if latent is not None:
            row = self.bookmarks.add(self.bookmarks.next_name(), latent, self.current_image())
            self.tabs.setCurrentWidget(self.bookmarks)
            self.bookmarks.list.editItem(self.bookmarks.list.item(row))

    def shutdown(self) -> None:
        """Stops playback and joins the explorer's threads. Blocks briefly."""
        self.interpolation.set_playing(False)
        self.rendering.shutdown()
        self.directions.shutdown()
        self.sources.shutdown()

    # ---- edits ----------------------------------------------------------------------------
    def _on_seed(self, seed: int) -> None:
        if self.state is not None:
            self.state.seed = seed
            self._set_base(random_latent(self.state.dim, seed))

    def _on_psi(self, psi: float) -> None:
        if self.state is not None:
            self.state.psi = psi
            self._edited()

    def _on_offsets(self, offsets) -> None:
        if self.state is not None:
            self.state.offsets[:len(offsets)] = offsets[:len(self.state.offsets)]
            self._edited()

    def _on_dimension(self, index: int, value: float) -> None:
        if self.state is not None:
            self.interpolation.detach()
            self.state.base = self.state.base.copy()
            self.state.base[index] = value
            self._request_preview()

    def _set_base(self, latent, on_path: bool = False) -> None:
        if self.state is None:
            return
        if not on_path:
            self.interpolation.detach()
        self.state.base = np.asarray(latent, np.float32).copy()
        self.dimension_sliders.set_latent(self.state.base)
        self._request_preview()

    def _edited(self) -> None:
        self._request_preview()
        self._schedule(ENDPOINTS, STRIP)

    def _set_endpoint(self, name: str, latent=None) -> None:
        if self.state is not None:
            self.interpolation.set_endpoint(name, self.state.base if latent is None else latent)

    def _random_latent(self) -> np.ndarray:
        return random_latent(self.state.dim) if self.state is not None else None

    def _tile_latent(self) -> np.ndarray | None:
        view = self._sample_view
        if view is None or self.state is None or view.selected_tile < 0:
            return None
        latent = view.tile_latent(view.selected_tile)
        return latent if latent is not None and len(latent) == self.state.dim else None

    def _use_tile(self, endpoint: str | None) -> None:
        latent = self._tile_latent()
        if latent is None:
            return
        if endpoint is None:
            self.show_latent(latent)
        else:
            self._set_endpoint(endpoint, latent)

    def _update_tile_buttons(self, *_args) -> None:
        usable = self._tile_latent() is not None
        self.controls.set_tile_available(usable)
        self.interpolation.set_tile_available(usable)

    def _on_bookmarks_changed(self) -> None:
        self.interpolation.set_walk_keys(self.bookmarks.latents())
        self._schedule(THUMBNAILS)

    # ---- rendering ------------------------------------------------------------------------
    def _request_preview(self) -> None:
        self.rendering.request_preview()

    def _schedule(self, *channels: str) -> None:
        self.rendering.schedule(*channels)

    def _on_directions(self, result) -> None:
        if self.state is None or result.renderer.latent_dim != self.state.dim:
            return
        current = self.generator is not None and result.renderer is self.generator.renderer
        self.state.set_directions(result.directions)
        self.direction_sliders.set_directions(result.directions, result.seconds, not current)
        self.direction_sliders.set_offsets(self.state.offsets)
        if self.state.edited:
            self._edited()

    def _shows_run(self, source: str) -> bool:
        shown = self._run_shown() if self._run_shown is not None else None
        try:
            return bool(shown) and bool(source) and os.path.samefile(shown, source)
        except OSError:
            return False

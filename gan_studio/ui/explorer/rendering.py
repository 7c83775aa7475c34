"""Asks the render thread for the images of what the explorer's model shows."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from gan_studio.core.latent.explorer_model import BOOKMARKS, CLASS, EDITS, GENERATOR, LATENT, PATH
from gan_studio.workers.explorer.renderer import (
    ENDPOINTS,
    LAYERS,
    PREVIEW,
    STRIP,
    THUMBNAILS,
    ExplorerRenderer,
)

BATCH_DELAY_MS = 120  # the filmstrip and thumbnails wait for the sliders to rest this long
PREVIEW_AFTER = {GENERATOR, LATENT, EDITS, CLASS}  # the changes that alter the preview
# A bookmark keeps its class, but one without (of another class count) shows the chosen one.
BATCHES_AFTER = {ENDPOINTS: {GENERATOR, EDITS, PATH, CLASS},
                 STRIP: {GENERATOR, EDITS, PATH, CLASS}, THUMBNAILS: {GENERATOR, BOOKMARKS, CLASS}}


class LatentRendering(QObject):
    """Renders what the model shows, on the render thread, and hands the images on.

    The preview is requested at once on every change (the render thread keeps only the newest
    request); the endpoints, filmstrip and bookmark thumbnails are requested once the sliders
    have rested for `BATCH_DELAY_MS`, so dragging never waits behind a batch. A conditional
    generator draws the preview, the endpoints and the path in the model's class, and each
    bookmark in its own.

    Signals:
        preview_ready(object, int): the preview's image (uint8 (H, W[, 3])) and request id.
        preview_failed(str): the preview could not be rendered (a readable reason).
        endpoints_ready(object): the images of endpoints A and B (uint8 (2, H, W[, 3])).
        strip_ready(object): the path's frames (uint8 (frames, H, W[, 3])), None for no path.
        thumbnails_ready(object): the usable bookmarks' images, in list order.
        layer_ready(int, object): a layer's `ActivationMaps` for the latent shown, while a
            layer is watched (`set_layer`).

    Args:
        model: the explorer's `ExplorerModel`.
        parent: the owning QObject.
    """

    preview_ready = Signal(object, int)
    preview_failed = Signal(str)
    endpoints_ready = Signal(object)
    strip_ready = Signal(object)
    thumbnails_ready = Signal(object)
    layer_ready = Signal(int, object)

    def __init__(self, model, parent: QObject | None = None):
        super().__init__(parent)
        self._model = model
        self._dirty: set[str] = set()
        self.shown_latent: np.ndarray | None = None  # the latent of the last preview shown
        self.shown_classes = None  # ... and its `ClassChoice` (None: unconditional)
        self.last_request_id = 0
        self.layer: int | None = None  # the layer whose activation maps are watched
        self.render_thread = ExplorerRenderer(parent=self)
        self._newest: dict[str, int] = {}  # the newest request id shown per channel
        self.render_thread.rendered.connect(self._on_rendered)
        self.render_thread.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BATCH_DELAY_MS)
        self._timer.timeout.connect(self._request_batches)
        model.observe(self._on_model)

    def request_preview(self) -> None:
        """Renders the current latent (replacing a request not started yet)."""
        model = self._model
        if model.state is not None and model.generator is not None:
            self.last_request_id = self.render_thread.request(
                PREVIEW, model.generator.renderer, model.composed(), tag=model.classes,
                classes=model.class_weights(1))

    def set_layer(self, layer: int | None) -> None:
        """Watches a layer (an index into the generator's `layers`): its activation maps are
        rendered with every preview. None: none (they cost nothing then)."""
        self.layer = layer
        self._request_layer()

    def _request_layer(self) -> None:
        model = self._model
        if (self.layer is not None and model.state is not None and model.generator is not None
                and self.layer < len(model.generator.renderer.layers)):
            self.render_thread.request(LAYERS, model.generator.renderer, model.composed(),
                                       tag=self.layer, classes=model.class_weights(1))

    def schedule(self, *channels: str) -> None:
        """Marks batches (`endpoints`, `strip`, `thumbnails`) for rendering once sliders rest."""
        self._dirty.update(channels)
        self._timer.start()  # restarts the wait

    def shutdown(self) -> None:
        """Stops the timer and joins the render thread."""
        self._timer.stop()
        self.render_thread.shutdown()

    def _on_model(self, what) -> None:
        if what & PREVIEW_AFTER:
            self.request_preview()
            self._request_layer()
        batches = [channel for channel, after in BATCHES_AFTER.items() if what & after]
        if batches:
            self.schedule(*batches)

    def _request_batches(self) -> None:
        model = self._model
        if model.generator is None or model.state is None:
            return
        generator, dirty = model.generator.renderer, self._dirty
        self._dirty = set()
        ends = [model.endpoint(name) for name in "AB"]
        if ENDPOINTS in dirty and all(e is not None for e in ends):
            self.render_thread.request(ENDPOINTS, generator, model.composed(np.stack(ends)),
                                       classes=model.class_weights(2))
        if STRIP in dirty:
            latents = model.path_latents()
            if latents is None:
                self.strip_ready.emit(None)
            else:
                self.render_thread.request(STRIP, generator, latents,
                                           classes=model.class_weights(len(latents)))
        bookmarks = model.bookmark_latents()
        if THUMBNAILS in dirty and len(bookmarks):
            self.render_thread.request(THUMBNAILS, generator, bookmarks,
                                       classes=model.bookmark_class_weights())

    def _on_rendered(self, result) -> None:
        if result.request_id < self._newest.get(result.channel, 0):
            return  # two render threads: an older request may finish after a newer one
        self._newest[result.channel] = result.request_id
        loaded = self._model.generator
        if result.channel == PREVIEW:
            self.shown_latent, self.shown_classes = result.latents[0], result.tag
            self.preview_ready.emit(result.images[0], result.request_id)
        elif loaded is None or result.renderer is not loaded.renderer:
            return  # a batch of an older generator: the new one's is on its way
        elif result.channel == LAYERS:
            layer, maps = result.tag
            if layer == self.layer:
                self.layer_ready.emit(layer, maps)
        elif result.channel == ENDPOINTS:
            self.endpoints_ready.emit(result.images)
        elif result.channel == STRIP:
            self.strip_ready.emit(result.images)
        elif result.channel == THUMBNAILS:
            self.thumbnails_ready.emit(result.images)

    def _on_failed(self, channel: str, message: str) -> None:
        if channel == PREVIEW:
            self.preview_failed.emit(message)

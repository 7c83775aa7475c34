"""Connects the latent explorer's widgets to its render thread."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QObject, QTimer, Signal

from gan_studio.workers.explorer.renderer import (
    ENDPOINTS,
    PREVIEW,
    STRIP,
    THUMBNAILS,
    ExplorerRenderer,
)

BATCH_DELAY_MS = 120  # the filmstrip and thumbnails wait for the sliders to rest this long


class LatentRendering(QObject):
    """Asks the render thread for the explorer's images and shows each where it belongs.

    The preview is requested at once on every change (the render thread keeps only the newest
    request); the endpoints, filmstrip and bookmark thumbnails are requested once the sliders
    have rested for `BATCH_DELAY_MS`, so dragging never waits behind a batch.

    Signals:
        preview_shown(): the preview shows a newly rendered image.

    Args:
        explorer: the `LatentExplorer` (its `state`, `generator`, `preview`, `interpolation`
            and `bookmarks` are used).
    """

    preview_shown = Signal()

    def __init__(self, explorer):
        super().__init__(explorer)
        self._explorer = explorer
        self._dirty: set[str] = set()
        self.shown_latent: np.ndarray | None = None
        self.last_request_id = 0
        self.renderer = ExplorerRenderer(parent=self)
        self._newest: dict[str, int] = {}  # the newest request id shown per channel
        self.renderer.rendered.connect(self._on_rendered)
        self.renderer.failed.connect(self._on_failed)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(BATCH_DELAY_MS)
        self._timer.timeout.connect(self._request_batches)

    def request_preview(self) -> None:
        """Renders the current latent (replacing a request not started yet)."""
        x = self._explorer
        if x.state is not None and x.generator is not None:
            self.last_request_id = self.renderer.request(PREVIEW, x.generator.renderer,
                                                         x.state.compose())

    def schedule(self, *channels: str) -> None:
        """Marks batches (`endpoints`, `strip`, `thumbnails`) for rendering once sliders rest."""
        self._dirty.update(channels)
        self._timer.start()  # restarts the wait

    def shutdown(self) -> None:
        """Stops the timer and joins the render thread."""
        self._timer.stop()
        self.renderer.shutdown()

    def _request_batches(self) -> None:
        x = self._explorer
        if x.generator is None or x.state is None:
            return
        renderer, dirty = x.generator.renderer, self._dirty
        self._dirty = set()
        ends = [x.interpolation.endpoint(name) for name in "AB"]
        if ENDPOINTS in dirty and all(e is not None for e in ends):
            self.renderer.request(ENDPOINTS, renderer, x.state.compose(np.stack(ends)))
        if STRIP in dirty:
            latents = x.path_latents()
            if latents is None:
                x.interpolation.filmstrip.set_frames(None)
            else:
                self.renderer.request(STRIP, renderer, latents)
        bookmarks = x.bookmarks.latents()
        if THUMBNAILS in dirty and len(bookmarks):
            self.renderer.request(THUMBNAILS, renderer, bookmarks)

    def _on_rendered(self, result) -> None:
        x = self._explorer
        if result.request_id < self._newest.get(result.channel, 0):
            return  # two render threads: an older request may finish after a newer one
        self._newest[result.channel] = result.request_id
        if result.channel == PREVIEW:
            if result.request_id >= x.preview.tag:
                self.shown_latent = result.latents[0]
                x.preview.set_image(result.images[0], result.request_id, now=True)
                self.preview_shown.emit()
        elif x.generator is None or result.renderer is not x.generator.renderer:
            return  # a batch of an older generator: the new one's is on its way
        elif result.channel == ENDPOINTS:
            x.interpolation.set_endpoint_images(result.images)
        elif result.channel == STRIP:
            x.interpolation.filmstrip.set_frames(result.images)
        elif result.channel == THUMBNAILS:
            x.bookmarks.set_thumbnails(result.images)

    def _on_failed(self, channel: str, message: str) -> None:
        if channel == PREVIEW:
            self._explorer.preview.set_image(None)
            self._explorer.preview.set_placeholder(f"Cannot render this latent: {message}")

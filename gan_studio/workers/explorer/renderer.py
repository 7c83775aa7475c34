"""The latent explorer's renderer: latents in, uint8 images out, on a background thread.

Only the newest request of each channel is rendered (see `workers/explorer/slots.py`). A preview render
that a newer request overtakes is dropped between two layers of the generator, so a slider's
answer takes about one render, not the rest of a stale one plus its own; it is dropped at most
once in a row, and never in a drag faster than the renders, which would only lose frames. The
preview is served first; batches (filmstrip, thumbnails) are rendered a few frames at a time
and let a waiting preview request go between chunks, so a long batch never holds up a slider.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from gan_studio.core.cpu_load import OthersLoad, usable_cores
from gan_studio.core.grid import drop_channel_axis
from gan_studio.core.latent.activation_maps import activation_maps
from gan_studio.core.numpy_generator.generator import NumpyGenerator
from gan_studio.core.numpy_generator.renderer_protocol import GeneratorRenderer
from gan_studio.workers.explorer.slots import Job, LatestWorkerThread, serve

PREVIEW = "preview"
LAYERS = "layers"  # one layer's activation maps for the preview's latent
ENDPOINTS = "endpoints"
STRIP = "strip"
THUMBNAILS = "thumbnails"
CHANNELS = (PREVIEW, LAYERS, ENDPOINTS, STRIP, THUMBNAILS)  # most urgent first
BATCH_CHUNK = 2  # frames per chunk of a batch: one chunk costs about one preview render
WORKERS = 1  # a second thread would start each new request at once, but two renders at a
# time on two cores slow each other (and the window) more than dropping stale ones saves


BIG_SIDE = 64  # from this image side up, a render gains from more BLAS threads (RESULTS.md)
_blas_threads = [0]  # what OpenBLAS (process-wide) was last set to; 0: not set yet


def quiet_threads(shape) -> int:
    """The threads a render of images of `shape` (H, W, C) gets on a quiet machine with
    nothing training: one below `BIG_SIDE` (more only cost their wake-ups), else every core."""
    return 1 if shape[0] < BIG_SIDE else usable_cores()


def limit_blas_threads(threads: int = 1) -> None:
    """Sets OpenBLAS's threads (process-wide), if it is not set so already.

    With several BLAS threads a batch-1 render of a small generator spends longer waking them
    than computing, and they fight TensorFlow's training threads for the cores: one thread is
    fastest then. A 64 or 128 px generator with the cores to itself (no training) renders
    1.2-1.7 times faster on two (RESULTS.md), so the renderer asks for them then.
    """
    if threads == _blas_threads[0]:
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # an optional speed-up; rendering works without it
        return
    threadpool_limits(threads, user_api="blas")
    _blas_threads[0] = threads


@dataclass
class RenderRequest:
    """What to render.

    Attributes:
        renderer: the generator to draw with (a `NumpyGenerator` or another
            `GeneratorRenderer`).
        latents: (N, latent_dim) float32.
        tag: returned untouched with the result (e.g. which frame of which path).
        classes: the class weights (N, K) of a conditional generator's latents, else None.
        threads: the BLAS threads it renders with.
        after: seconds since the channel's previous request (inf for the first).
    """

    renderer: GeneratorRenderer
    latents: np.ndarray
    tag: Any = None
    classes: np.ndarray | None = None
    threads: int = 1
    after: float = math.inf


@dataclass
class RenderResult:
    """Rendered images.

    Attributes:
        channel: the request's channel.
        request_id: the request's id (increasing).
        images: uint8 (N, H, W) for gray generators, (N, H, W, 3) for colour ones.
        latents: the latents rendered (N, latent_dim).
        renderer: the renderer that drew them.
        tag: the request's tag.
        seconds: the time the render took on the worker thread.
        classes: the class weights rendered (N, K), None for an unconditional generator.
    """

    channel: str
    request_id: int
    images: np.ndarray
    latents: np.ndarray
    renderer: GeneratorRenderer
    tag: Any
    seconds: float
    classes: np.ndarray | None = None


def displayable(images: np.ndarray) -> np.ndarray:
    """Drops a single channel axis: uint8 (N, H, W) for gray, (N, H, W, 3) for colour."""
    return np.ascontiguousarray(drop_channel_axis(np.asarray(images, dtype=np.uint8), batch=True))


def draw(renderer: GeneratorRenderer, latents: np.ndarray, classes: np.ndarray | None = None, threads: int = 1,
         **options):
    """`renderer.render_uint8(latents)`, with `classes=` only for a conditional generator's
    latents (unconditional renderers need not know the argument), and `threads=` for a
    renderer that runs its own threads (`threaded`; BLAS's are set process-wide)."""
    if renderer.threaded:
        options["threads"] = threads
    if classes is None:
        return renderer.render_uint8(latents, **options)
    return renderer.render_uint8(latents, classes=classes, **options)


def _render_preview(renderer, latents: np.ndarray, classes, threads: int, worker, after: float):
    """Renders a preview; returns None if it was dropped for a newer preview request.

    A `NumpyGenerator` checks for a newer request between its layers. Dropping pays when the
    request came after a pause (a click, a key press): the next one is answered a render
    sooner. In a drag faster than the renders it only throws work away: at 64 px, rendering
    every preview of a 120 Hz drag to its end gave 1.4x the frames and 0.85x the p95 latency
    (RESULTS.md, section 4). So a request asked less than a render's time `after` the one
    before it runs to the end, as does the render after a dropped one, and any renderer's
    but a `NumpyGenerator`'s.
    """
    in_a_drag = after < getattr(worker, "preview_seconds", 0.0)
    if not isinstance(renderer, NumpyGenerator) or in_a_drag \
            or getattr(worker, "dropped_last", False):
        worker.dropped_last = False
        return draw(renderer, latents, classes, threads)
    images = draw(renderer, latents, classes, threads,
                  should_stop=lambda: worker.slots.pending(PREVIEW))
    worker.dropped_last = images is None
    return images


def _render(job: Job, worker) -> RenderResult | None:
    request: RenderRequest = job.payload
    slots = worker.slots
    limit_blas_threads(request.threads)
    start = time.perf_counter()
    latents, classes = np.ascontiguousarray(request.latents, dtype=np.float32), request.classes
    if job.channel == PREVIEW:
        images = _render_preview(request.renderer, latents, classes, request.threads, worker,
                                 request.after)
        if images is None:
            return None  # overtaken: the newer request is rendered next
        worker.preview_seconds = time.perf_counter() - start
    elif job.channel == LAYERS:  # the tag is the layer; the maps come back as (layer, maps)
        found = request.renderer.activations(latents[:1], request.tag, classes if classes is None
                                             else classes[:1],
                                             should_stop=lambda: slots.pending(LAYERS))
        if found is None:
            return None
        maps = activation_maps(found[0])
        return RenderResult(job.channel, job.request_id, maps.image[None], latents,
                            request.renderer, (request.tag, maps), time.perf_counter() - start,
                            classes)
    elif len(latents) <= BATCH_CHUNK:
        images = draw(request.renderer, latents, classes, request.threads)
    else:
        chunks = []
        for i in range(0, len(latents), BATCH_CHUNK):
            if slots.pending(job.channel):
                return None  # superseded: the newer request will be rendered instead
            chunks.append(draw(request.renderer, latents[i:i + BATCH_CHUNK],
                               None if classes is None else classes[i:i + BATCH_CHUNK],
                               request.threads))
            serve(worker, PREVIEW)
        images = np.concatenate(chunks)
    return RenderResult(job.channel, job.request_id, displayable(images), latents,
                        request.renderer, request.tag, time.perf_counter() - start, classes)


class ExplorerRenderer(QObject):
    """Renders latents on a background thread, newest request per channel only.

    Signals:
        rendered(RenderResult): a finished render (on the owner's thread).
        failed(str, str): channel and a readable message when rendering raised.

    Args:
        workers: render threads (results of several may arrive out of order: compare ids).
        parent: the owning QObject.
        load: what other processes keep busy (`OthersLoad`); a big generator renders on the
            cores they leave free.
    """

    rendered = Signal(object)
    failed = Signal(str, str)

    def __init__(self, workers: int = WORKERS, parent: QObject | None = None,
                 load: OthersLoad | None = None):
        super().__init__(parent)
        self._load = load or OthersLoad()
        self._thread = LatestWorkerThread("explorer-render", CHANNELS, _render,
                                          on_start=limit_blas_threads, workers=workers,
                                          parent=self)
        self._thread.done.connect(lambda _job, result: self.rendered.emit(result))
        self._thread.failed.connect(lambda job, message: self.failed.emit(job.channel, message))
        # BLAS threads for big generators: the cores, unless training needs them (`set_training`).
        self.spare_threads = usable_cores()
        self._asked: dict[str, float] = {}  # when each channel's last request came

    def set_training(self, training: bool) -> None:
        """While training runs, every render uses one BLAS thread; otherwise a 64 px or larger
        generator renders on all cores."""
        self.spare_threads = 1 if training else usable_cores()

    def threads_for(self, shape) -> int:
        """The BLAS threads a render of images of `shape` (H, W, C) asks for now.

        One below `BIG_SIDE`; above, the spare threads (one while training runs), but no more
        than the cores other processes leave free: a core they keep busy more than half the
        time is not free (two threads with one core busy elsewhere stalled a 64 px render for
        1.5 s). Where the load cannot be read, the spare threads.
        """
        if quiet_threads(shape) == 1:
            return 1
        others = self._load.cores()
        if others is None:
            return self.spare_threads
        free = usable_cores() - math.floor(others + 0.5)
        return max(1, min(self.spare_threads, free))

    @property
    def running(self) -> bool:
        """Whether a render thread is alive."""
        return self._thread.running

    @property
    def replaced(self) -> int:
        """How many requests were dropped because a newer one replaced them."""
        return self._thread.slots.replaced

    def request(self, channel: str, renderer: GeneratorRenderer, latents: np.ndarray,
                tag: Any = None, classes: np.ndarray | None = None) -> int:
        """Asks for `latents` to be rendered on `channel`; replaces its pending request.

        Args:
            channel: `preview`, `layers` (`tag`: the layer's index; a `NumpyGenerator`
                only), `endpoints`, `strip` or `thumbnails`.
            renderer: the generator to render with.
            latents: (N, latent_dim) or (latent_dim,) latents.
            tag: passed back in the result.
            classes: a conditional generator's class weights, (N, K) or (K,) for every
                latent; None for an unconditional one.

        Returns:
            The request id.
        """
        latents = np.asarray(latents, dtype=np.float32)
        if latents.ndim == 1:
            latents = latents[None]
        if classes is not None:
            classes = np.asarray(classes, np.float32)
            classes = np.tile(classes, (len(latents), 1)) if classes.ndim == 1 else classes.copy()
        threads = self.threads_for(renderer.output_shape)
        now = time.perf_counter()
        after, self._asked[channel] = now - self._asked.get(channel, -math.inf), now
        return self._thread.submit(channel, RenderRequest(renderer, latents.copy(), tag, classes,
                                                          threads, after))

    def shutdown(self) -> None:
        """Drops pending requests and joins the thread. Blocks for at most one render."""
        self._thread.shutdown()


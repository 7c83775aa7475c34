"""Directions for the explorer's sliders (GANSpace or SeFa), computed on a background thread."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from gan_studio.core.latent.directions import (
    GANSPACE,
    SEFA,
    LatentDirections,
    directions_from_features,
)
from gan_studio.core.latent.sefa import closed_form_directions
from gan_studio.core.latent.space import random_latents
from gan_studio.core.numpy_generator.renderer_protocol import GeneratorRenderer
from gan_studio.workers.explorer.renderer import limit_blas_threads
from gan_studio.workers.explorer.slots import Job, LatestWorkerThread
from gan_studio.workers.tf_loader import lower_thread_priority

SAMPLES = 2000  # latents whose features the PCA sees (GANSpace uses more; 2000 is ~1 s here)
DIRECTIONS = 12
SEED = 0


@dataclass
class DirectionsResult:
    """Directions found for one generator.

    Attributes:
        renderer: the generator they were computed for (`directions.method` says how).
        directions: the `LatentDirections`, strongest first.
        seconds: how long the computation took.
        class_index: the class a conditional generator's features were drawn in, else None.
        source: where the generator was read from, as the request said (results for another
            run's generator are then told apart from an older snapshot of the same run).
    """

    renderer: GeneratorRenderer
    directions: LatentDirections
    seconds: float
    class_index: int | None = None
    source: str | None = None


def compute_directions(renderer: GeneratorRenderer, samples: int = SAMPLES, count: int = DIRECTIONS,
                       seed: int = SEED, class_index: int | None = None,
                       method: str = GANSPACE) -> LatentDirections:
    """The directions of a generator: GANSpace's principal directions of its early features,
    or SeFa's closed form from its first layer (`method`).

    Args:
        renderer: a `NumpyGenerator` (or anything with `features(z)`, `latent_kernel` and
            `latent_dim`).
        samples: how many N(0, I) latents to sample.
        count: how many directions (capped by the latent size and the samples).
        seed: seed of the sampled latents and the PCA, so results are reproducible.
        class_index: for a class-conditional generator, the class every sample is drawn in
            (the class shifts the features, so each class has directions of its own; SeFa's
            do not depend on it: the class does not enter the layer's weights on z).
        method: GANSPACE or SEFA (which ignores `samples` and `seed`).

    Returns:
        The `LatentDirections`.
    """
    if method == SEFA:
        kernel = renderer.latent_kernel
        return closed_form_directions(kernel, min(count, renderer.latent_dim, kernel.shape[1]))
    if method != GANSPACE:
        raise ValueError(f"unknown directions method {method!r}")
    z = random_latents(samples, renderer.latent_dim, seed)
    features = renderer.features(z) if class_index is None else \
        renderer.features(z, classes=np.full(samples, class_index, np.int64))
    k = min(count, renderer.latent_dim, samples, features.shape[1])
    return directions_from_features(z, features, k, seed)


def _start() -> None:
    lower_thread_priority()  # a background job: the preview and the window come first
    limit_blas_threads()


def _handle(job: Job, _worker) -> DirectionsResult:
    start = time.perf_counter()
    renderer, samples, class_index, method, source = job.payload
    directions = compute_directions(renderer, samples, class_index=class_index, method=method)
    return DirectionsResult(renderer, directions, time.perf_counter() - start, class_index,
                            source)


class DirectionsService(QObject):
    """Finds the directions of each new generator, off the GUI thread.

    A generator that arrives while another is being analysed replaces any waiting one: only
    the newest is analysed next.

    Signals:
        ready(DirectionsResult): directions for a generator.
        failed(str): a readable message.

    Args:
        samples: latents per analysis.
        parent: the owning QObject.
    """

    ready = Signal(object)
    failed = Signal(str)

    def __init__(self, samples: int = SAMPLES, parent: QObject | None = None):
        super().__init__(parent)
        self._samples = samples
        self._thread = LatestWorkerThread("explorer-directions", ("directions",), _handle,
                                          on_start=_start, parent=self)
        self._thread.done.connect(lambda _job, result: self.ready.emit(result))
        self._thread.failed.connect(lambda _job, message: self.failed.emit(message))

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread.running

    def compute(self, renderer, class_index: int | None = None, method: str = GANSPACE,
                source: str | None = None) -> int:
        """Queues an analysis of `renderer` (in `class_index`, for a conditional generator) by
        `method`, replacing a waiting one; `source` comes back in the result. Returns its
        request id."""
        return self._thread.submit("directions",
                                   (renderer, self._samples, class_index, method, source))

    def shutdown(self) -> None:
        """Drops a waiting analysis, lets a running one finish, joins the thread. Blocks."""
        self._thread.shutdown()

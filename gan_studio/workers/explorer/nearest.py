"""The training images nearest to an image of the explorer's, found off the GUI thread."""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from gan_studio.core.runs.layout import CONFIG_FILE
from gan_studio.workers.tasks import TaskRunner
from gan_studio.workers.tf_loader import lower_thread_priority

KEPT_METERS = 2  # data sets whose images and features stay in memory (CIFAR-10: ~180 MB)
PROGRESS_INTERVAL = 0.25  # seconds between two preparation reports
NO_DATA_SET = ("A .keras file does not say which images it was trained on: open its run "
               "folder to see the nearest training images.")


class NearestUnavailable(Exception):
    """There is no answer for this generator (the message is one line for the user)."""


class _Stopped(Exception):
    """The service is shutting down: a preparation under way gives up."""


@dataclass(frozen=True)
class NearestRequest:
    """An image to look up among a run's training images.

    Attributes:
        source: the run folder of the generator shown (its config names the data set).
        image: uint8 (H, W, C) pixels, or None and `image_path`.
        image_path: a picture of the generator's size and channels, read as it is.
        k: how many neighbours.
        space: `features` (the quality meter's) or `pixels`.
        tag: the caller's own (what the image is), handed back with the answer.
    """

    source: str
    image: np.ndarray | None = None
    image_path: str | None = None
    k: int = 8
    space: str = "features"
    tag: object = None


@dataclass(frozen=True)
class NearestAnswer:
    """The training images nearest to a request's image.

    Attributes:
        request: what was asked.
        query: uint8 (H, W, C): the image looked up (the picture as read, for a file).
        images: uint8 (k, H, W, C): its nearest training images, nearest first.
        indices: (k,) their indices in the training set.
        distances: (k,) their distances (in the request's space).
        dataset: the data set's name.
        count: how many training images were searched.
        threshold: in feature space, the copy rate's threshold (nearer counts as a copy),
            else None.
        seconds: how long the search took (after the preparation).
    """

    request: NearestRequest
    query: np.ndarray
    images: np.ndarray
    indices: np.ndarray
    distances: np.ndarray
    dataset: str
    count: int
    threshold: float | None
    seconds: float


def _config_of(source: str):
    from gan_studio.core.config import ConfigError, TrainConfig

    path = os.path.join(source, CONFIG_FILE) if source and os.path.isdir(source) else None
    if path is None or not os.path.isfile(path):
        raise NearestUnavailable(NO_DATA_SET)
    try:
        return TrainConfig.load(path).resolved()
    except (ConfigError, OSError) as exc:
        raise NearestUnavailable(f"{path}: {exc}") from None


class _Meters:
    """Quality meters by data set, the newest `KEPT_METERS` kept (a worker thread's only)."""

    def __init__(self):
        self._meters: OrderedDict[tuple, object] = OrderedDict()

    def meter_for(self, config):
        from gan_studio.data import DatasetError, DataUnavailableError, default_data_dir
        from gan_studio.ml.quality import meter_for_config

        key = (config.dataset, config.data_dir or default_data_dir(), config.image_size,
               config.channels)
        if key in self._meters:
            self._meters.move_to_end(key)
            return self._meters[key]
        try:
            meter = meter_for_config(config, download=False)
        except DataUnavailableError as exc:
            raise NearestUnavailable(f"The training images of {config.dataset} are not at "
                                     f"hand: looked for {exc.path}.") from None
        except DatasetError as exc:
            raise NearestUnavailable(f"Cannot read the training images of {config.dataset}: "
                                     f"{exc}") from None
        self._meters[key] = meter
        while len(self._meters) > KEPT_METERS:
            self._meters.popitem(last=False)
        return meter

    def answer(self, request: NearestRequest, on_progress, stop: threading.Event
               ) -> NearestAnswer:
        """Prepares the meter where needed, then searches (TensorFlow; a worker thread only)."""
        lower_thread_priority()  # training and the window come first
        from gan_studio.data import DatasetError
        from gan_studio.data.image_folders import load_exact_image_file

        meter = self.meter_for(_config_of(request.source))
        query = request.image
        if request.image_path is not None:
            try:
                query = load_exact_image_file(request.image_path, *meter.shape)
            except DatasetError as exc:
                raise NearestUnavailable(str(exc)) from None
        if request.space == "features" and not meter.complete:
            meter.prepare(_reporter(on_progress, stop))
        start = time.perf_counter()
        try:
            found = meter.nearest(query, k=request.k, space=request.space)
        except ValueError as exc:  # another shape, k over the images: one line
            raise NearestUnavailable(str(exc)) from None
        seconds = time.perf_counter() - start
        indices, distances = found.indices[0], found.distances[0]
        calibration = meter.calibration if request.space == "features" else None
        return NearestAnswer(request, np.asarray(query, np.uint8).reshape(meter.shape),
                             meter.training_images[indices], indices, distances, meter.name,
                             meter.training_count,
                             None if calibration is None else calibration.threshold, seconds)


def _reporter(on_progress, stop: threading.Event):
    last = [0.0]

    def report(done: int, total: int) -> None:
        if stop.is_set():
            raise _Stopped()
        now = time.monotonic()
        if now - last[0] >= PROGRESS_INTERVAL or done >= total:
            last[0] = now
            on_progress(done, total)
    return report


class NearestService(QObject):
    """Finds the newest image's nearest training images, one search at a time.

    The first search of a data set in feature space prepares its quality meter (the feature
    network and every training image's features: seconds, then cached beside the network),
    with `preparing` reports meanwhile. While one search runs, a newer request waits and
    replaces any waiting one.

    Signals:
        ready(NearestAnswer): an answer.
        unavailable(str, object): why there is none (one line), and the request's tag.
        preparing(int, int): work done and in all, while a data set's features are prepared.

    Args:
        parent: the owning QObject.
    """

    ready = Signal(object)
    unavailable = Signal(str, object)
    preparing = Signal(int, int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = TaskRunner("explorer-nearest", self)
        self._meters = _Meters()
        self._stop = threading.Event()
        self._waiting: NearestRequest | None = None

    @property
    def busy(self) -> bool:
        """Whether a search is running."""
        return self._tasks.busy

    def ask(self, request: NearestRequest) -> None:
        """Asks for `request`'s answer (`ready` or `unavailable` follows)."""
        if self._tasks.busy:
            self._waiting = request
            return
        self._submit(request)

    def _submit(self, request: NearestRequest) -> None:
        # Emitted on the worker thread: the signal reaches the GUI thread queued.
        self._tasks.submit(self._meters.answer, request, self.preparing.emit, self._stop,
                           on_done=self._on_done,
                           on_error=lambda message: self._on_error(message, request.tag))

    def _next(self) -> None:
        request, self._waiting = self._waiting, None
        if request is not None:
            self._submit(request)

    def _on_done(self, answer: NearestAnswer) -> None:
        if self._waiting is None:  # a newer request makes this answer stale
            self.ready.emit(answer)
        self._next()

    def _on_error(self, message: str, tag) -> None:
        if self._waiting is None:
            self.unavailable.emit(message, tag)
        self._next()

    def shutdown(self) -> None:
        """Drops a waiting request, stops a preparation at its next unit and joins the thread."""
        self._waiting = None
        self._stop.set()
        self._tasks.shutdown()

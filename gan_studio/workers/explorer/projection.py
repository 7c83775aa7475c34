"""Finding a picture in a generator's latent space, off the GUI thread, with live progress."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from gan_studio.workers.tasks import TaskRunner
from gan_studio.workers.tf_loader import lower_thread_priority

PROGRESS_EVERY = 5  # steps between two previews (~5 a second at 28 px)


@dataclass(frozen=True)
class ProjectionRequest:
    """What to find, and where.

    Attributes:
        source: the run folder or `.keras` file whose generator searches (a run: its newest
            checkpoint that reads).
        image_path: a picture to read as the training data is read; or None, and `target`.
        target: uint8 (H, W, C) pixels already at the generator's size (a sample-grid tile).
        steps: optimisation steps.
        class_index: a conditional generator's class to search in (None: all of them).
        feature_loss: whether a run's quality-meter network (where one is cached) adds a
            feature loss to the pixel loss.
    """

    source: str
    image_path: str | None = None
    target: np.ndarray | None = None
    steps: int = 300
    class_index: int | None = None
    feature_loss: bool = True


def find_latent(request: ProjectionRequest, on_target: Callable[[np.ndarray], None],
                on_progress: Callable, should_stop: Callable[[], bool]):
    """Loads the generator and the picture, then searches (TensorFlow; a worker thread only).

    Returns:
        The `ml.latent.projection.ProjectionResult`.

    Raises:
        ModelLoadError, DatasetError: one line naming the generator or the picture.
    """
    lower_thread_priority()  # training and the window come first
    from gan_studio.data.image_folders import load_image_file
    from gan_studio.ml.generators.export import load_generator
    from gan_studio.ml.latent.projection import Projector
    from gan_studio.ml.latent.projection_features import compared, meter_features

    generator = load_generator(request.source)
    height, _, channels = (int(s) for s in generator.outputs[0].shape[1:])
    target = (load_image_file(request.image_path, height, channels)
              if request.image_path is not None else np.asarray(request.target, np.uint8))
    on_target(target)
    network = meter_features(request.source) if request.feature_loss else None
    projector = Projector(generator, class_index=request.class_index,
                          features=None if network is None else network.features)
    result = projector.project(target, request.steps, on_progress, PROGRESS_EVERY, should_stop)
    return dataclasses.replace(result, loss=compared(network))


class ProjectionService(QObject):
    """Runs one search at a time on a thread of its own; Cancel ends it at its next step.

    Signals:
        target_ready(ndarray): the picture as the generator sees it, uint8 (H, W, C).
        progress(ProjectionProgress): the best image so far, every few steps.
        finished(ProjectionResult): the search ended (`stopped` if cancelled).
        failed(str): one line: the generator or the picture could not be used.
        running_changed(bool): a search began (True) or ended (False, before `finished` or
            `failed`); the window holds training meanwhile (`TrainingSession.hold`).

    Args:
        parent: the owning QObject.
    """

    target_ready = Signal(object)
    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = TaskRunner("explorer-projection", self)
        self._cancel = threading.Event()

    @property
    def busy(self) -> bool:
        """Whether a search is running (or about to)."""
        return self._tasks.busy

    def start(self, request: ProjectionRequest) -> bool:
        """Starts a search; returns False (and does nothing) if one is still running."""
        if self.busy:
            return False
        self._cancel = cancel = threading.Event()
        # Signals emitted on the search's thread reach the GUI thread queued.
        self._tasks.submit(find_latent, request, self.target_ready.emit, self.progress.emit,
                           cancel.is_set, on_done=lambda result: self._ended(self.finished, result),
                           on_error=lambda message: self._ended(self.failed, message))
        self.running_changed.emit(True)
        return True

    def _ended(self, signal, value) -> None:
        self.running_changed.emit(False)
        signal.emit(value)

    def cancel(self) -> None:
        """Asks the running search to stop at its next step (it then reports `finished`)."""
        self._cancel.set()

    def shutdown(self) -> None:
        """Cancels a running search and joins the thread. Blocks for at most a step."""
        self.cancel()
        self._tasks.shutdown()

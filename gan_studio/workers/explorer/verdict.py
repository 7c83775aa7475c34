"""The discriminator's verdict on the explorer's preview, computed off the GUI thread."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from gan_studio.core.runs.layout import is_run_dir, list_checkpoints
from gan_studio.workers.tasks import TaskRunner
from gan_studio.workers.tf_loader import lower_thread_priority

NO_DISCRIMINATOR = "No discriminator: a .keras file holds the generator alone"


@dataclass(frozen=True)
class VerdictResult:
    """D's verdict on one preview image.

    Attributes:
        score: D's probability that the image is real (sigmoid of its logit), 0 to 1.
        step: the training step of the checkpoint D comes from.
        tag: the request's tag (the preview's request id).
    """

    score: float
    step: int
    tag: object


class _Discriminators:
    """Keeps the run's discriminator loaded; reloads it when the run saved a newer checkpoint
    (a run being trained), so the verdict follows training at checkpoint pace."""

    def __init__(self):
        self._key = None
        self._verdict = None

    def score(self, source: str, image: np.ndarray, class_index: int | None, tag) -> VerdictResult:
        lower_thread_priority()
        from gan_studio.ml.generators.verdict import Verdict

        newest = list_checkpoints(source)
        key = (source, newest[-1][1] if newest else None)
        if key != self._key:
            self._verdict, self._key = Verdict(source), key
        verdict = self._verdict
        classes = None if not verdict.num_classes else [class_index or 0]
        return VerdictResult(float(verdict(image[None], classes)[0]), verdict.step, tag)


class VerdictService(QObject):
    """Scores the newest image asked for with the run's own discriminator.

    While one image is being scored, a newer request waits and replaces any waiting one, so
    the verdict never lags behind a dragged slider by more than one score.

    Signals:
        ready(VerdictResult): a verdict.
        unavailable(str, object): why there is none (a `.keras` file, a run without
            checkpoint), and the request's tag (a stale answer can then be told apart).

    Args:
        parent: the owning QObject.
    """

    ready = Signal(object)
    unavailable = Signal(str, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._tasks = TaskRunner("explorer-verdict", self)
        self._discriminators = _Discriminators()
        self._waiting = None

    @staticmethod
    def has_discriminator(source: str) -> bool:
        """Whether `source` is a run folder (a `.keras` file has no discriminator)."""
        return bool(source) and os.path.isdir(source) and is_run_dir(source)

    def score(self, source: str, image: np.ndarray, class_index: int | None = None,
              tag=None) -> None:
        """Asks for D's verdict on `image` (uint8, the run's size) from the run at `source`."""
        if not self.has_discriminator(source):
            self.unavailable.emit(NO_DISCRIMINATOR, tag)
            return
        request = (source, np.array(image, np.uint8), class_index, tag)
        if self._tasks.busy:
            self._waiting = request
            return
        self._submit(request)

    def _submit(self, request) -> None:
        self._tasks.submit(self._discriminators.score, *request, on_done=self._on_done,
                           on_error=lambda message: self._on_error(message, request[-1]))

    def _next(self) -> None:
        request, self._waiting = self._waiting, None
        if request is not None:
            self._submit(request)

    def _on_done(self, result: VerdictResult) -> None:
        self.ready.emit(result)
        self._next()

    def _on_error(self, message: str, tag) -> None:
        self.unavailable.emit(f"No discriminator verdict: {message}", tag)
        self._next()

    def shutdown(self) -> None:
        """Drops a waiting request and joins the thread. Blocks for at most one score."""
        self._waiting = None
        self._tasks.shutdown()

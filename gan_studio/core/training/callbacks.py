"""What a training run tells whoever drives it: subclass `TrainingCallbacks`, like Keras' Callback."""

from __future__ import annotations

from typing import Any

from gan_studio.core.quality.collapse import CollapseWarning
from gan_studio.core.quality.report import QualityReport
from gan_studio.core.training.progress import Event, Progress, SampleGrid


class TrainingCallbacks:
    """Receives a training run's reports; every method does nothing until overridden.

    Subclass it and override what you need, as with `keras.callbacks.Callback`; the trainer
    calls the methods on its own thread, between steps, so they should return quickly. A
    method may raise to abort the run (the exception propagates out of `Trainer.run`).

    Attributes:
        progress_interval: the shortest time between two `on_progress` calls, in seconds
            (reports that come before a notice, or at the end, are sent regardless). Each
            report covers every step since the previous one, so nothing is lost by asking
            for fewer.
        wants_generator: whether `on_generator` should receive the generator. Leave it False
            and the trainer never hands it out: snapshots then cost nothing.
    """

    progress_interval: float = 0.05
    wants_generator: bool = False

    def on_progress(self, progress: Progress) -> None:
        """Receives the steps trained since the previous report."""

    def on_grid(self, grid: SampleGrid) -> None:
        """Receives the fixed-noise sample grid (every `sample_every_steps` steps or
        `sample_every_seconds` seconds, whichever comes first, and at each epoch's end)."""

    def on_event(self, event: Event) -> None:
        """Receives a one-off notice (data loaded, checkpoint saved, paused, finished...)."""

    def on_download(self, done: int, total: int) -> None:
        """Receives how far a data set's download (or an image folder's loading) has got.

        Args:
            done: bytes (or images) done so far.
            total: bytes (or images) in all; 0 when unknown.
        """

    def on_generator(self, generator: Any) -> None:
        """Receives the Keras generator that draws samples, when `wants_generator` is True.

        It comes between steps, at most every few seconds and at each epoch's end, so that
        a latent explorer can copy fresh weights without stopping training; copy what you
        need before returning, as training goes on changing them.
        """

    def on_quality(self, report: QualityReport) -> None:
        """Receives a quality evaluation of the generator that draws samples (at each epoch's
        end, at most every `quality_every_minutes`, and when one is requested)."""

    def on_collapse(self, warning: CollapseWarning) -> None:
        """Receives the evidence when the quality history shows signs of mode collapse
        (`core.quality.collapse`); it comes right after the `on_quality` that raised it."""

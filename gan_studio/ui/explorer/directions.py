"""Keeps the explorer model's directions (GANSpace or SeFa) up to date with the generator it
shows."""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QTimer

from gan_studio.core.latent.directions import GANSPACE, SEFA, LatentDirections
from gan_studio.core.latent.explorer_model import CLASS, GENERATOR, METHOD

# A run being trained sends new weights every few seconds; finding its directions takes a core
# for 1-2 s, so they are refreshed at most this often, and only while the explorer is shown.
LIVE_DIRECTIONS_INTERVAL = 30.0


def describe_directions(directions: LatentDirections, seconds: float, updating: bool) -> str:
    """The status line for directions found in `seconds` (`updating`: newer ones are due)."""
    explained = float(np.sum(directions.explained_ratio)) * 100
    what = ("of the first layer's energy, in closed form" if directions.method == SEFA
            else "of the feature variance")
    return (f"{len(directions.vectors)} directions, {explained:.0f}% {what} (found in "
            f"{seconds:.1f} s)" + (" · updating…" if updating else ""))


class ExplorerDirections(QObject):
    """Asks a `DirectionsService` for the directions of each new generator the model shows.

    Nothing is computed while the explorer is out of view (`resume` once it is back); a
    training run's snapshots, which keep the source, are analysed at most every
    `LIVE_DIRECTIONS_INTERVAL` seconds. A conditional generator's directions are found in the
    class picked (`ClassChoice.first`, not a blend), and again when another class is picked.
    The model's `directions_method` says how (GANSpace or SeFa); changing it finds them again.

    Args:
        model: the explorer's `ExplorerModel`.
        service: the `DirectionsService` that computes them.
        in_view: whether the explorer can be seen now.
        parent: the owning QObject.
    """

    def __init__(self, model, service, in_view: Callable[[], bool],
                 parent: QObject | None = None):
        super().__init__(parent)
        self._model, self._service, self._in_view = model, service, in_view
        self._shown = None  # the LoadedGenerator seen last
        self._pending = None  # a renderer whose directions are still to find
        self._class: int | None = None  # the class they are (to be) found in
        self._last = -float("inf")  # when directions were last asked for
        service.ready.connect(self._on_ready)
        service.failed.connect(
            lambda message: model.set_directions_status(f"No directions: {message}"))
        model.observe(self._on_model)

    def resume(self) -> None:
        """Computes the directions still due, if the explorer is in view."""
        renderer = self._pending
        if renderer is None or not self._in_view():
            return  # the explorer's showEvent / set_on_screen call again: unseen, it costs nothing
        state = self._model.state
        wait = self._last + LIVE_DIRECTIONS_INTERVAL - time.monotonic()
        method = self._model.directions_method
        if wait > 0 and state.directions is not None and method == GANSPACE:  # SeFa takes ms
            QTimer.singleShot(int(wait * 1000) + 1, self.resume)
            return
        self._pending = None
        self._last = time.monotonic()
        self._model.set_directions_status(
            "Updating the directions for the new weights…" if state.directions is not None
            else "Finding the principal directions…" if method == GANSPACE
            else "Finding the closed-form directions…")
        self._service.compute(renderer, self._class, method, self._model.generator.source)

    def _picked_class(self) -> int | None:
        classes = self._model.classes
        return None if classes is None else classes.first

    def _on_model(self, what) -> None:
        if METHOD in what and GENERATOR not in what and self._model.generator is not None:
            self._pending, self._last = self._model.generator.renderer, -float("inf")
            self.resume()
        if CLASS in what and GENERATOR not in what and self._picked_class() != self._class:
            self._class = self._picked_class()
            self._pending, self._last = self._model.generator.renderer, -float("inf")
            self.resume()
        if GENERATOR not in what:
            return
        self._class = self._picked_class()
        previous, loaded = self._shown, self._model.generator
        self._shown = loaded
        if previous is None or previous.renderer is not loaded.renderer:
            self._pending = loaded.renderer
            if previous is None or previous.source != loaded.source:
                self._last = -float("inf")  # not a live update: no waiting
            self.resume()

    def _on_ready(self, result) -> None:
        model = self._model
        if (model.state is None or result.renderer.latent_dim != model.dim
                or result.directions.method != model.directions_method
                or result.source != model.generator.source):
            return  # another run's directions are never shown for this one, even as a start
        current = model.generator is not None and result.renderer is \
            model.generator.renderer and result.class_index == self._class
        model.set_directions(result.directions,
                             describe_directions(result.directions, result.seconds, not current))

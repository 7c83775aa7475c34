"""Copies of the generator being trained, for the latent explorer (taken on the training thread)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from gan_studio.core.training.throttle import Coalescer

log = logging.getLogger(__name__)

INTERVAL = 1.0  # seconds between snapshots (the trainer offers one every 5 s and per epoch)


class GeneratorSnapshots:
    """Copies the training generator to numpy on the training thread, at most once a second.

    A snapshot offered sooner is kept (not copied) and taken by `flush` at the end of the run,
    so the explorer always ends up with the final weights. A generator that cannot be copied
    (an unsupported layer) is logged once and not offered again.

    Args:
        convert: the copy, e.g. `numpy_generator_from_keras`; runs on the training thread.
        emit: receives each copy (e.g. a signal's `emit`).
    """

    def __init__(self, convert: Callable[[Any], Any], emit: Callable[[Any], None]):
        self._convert, self._emit = convert, emit
        self._offers = Coalescer(self._take, INTERVAL)
        self._broken = False

    def offer(self, model: Any) -> None:
        """Copies `model` now, or keeps it for `flush` if the last copy was too recent."""
        self._offers.push(model)

    def flush(self) -> None:
        """Copies the generator kept by `offer`, if any."""
        self._offers.flush()

    def _take(self, model: Any) -> None:
        if self._broken:
            return
        try:
            snapshot = self._convert(model)  # copies the weights: training may go on at once
        except Exception as exc:  # noqa: BLE001 - the explorer is optional, training is not
            self._broken = True
            log.info("the latent explorer cannot follow this generator: %s", exc)
            return
        self._emit(snapshot)

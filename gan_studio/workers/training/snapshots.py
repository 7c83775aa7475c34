"""Copies of the generator being trained, for the latent explorer (taken on the training thread)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

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
        self._pending = None
        self._last = -float("inf")
        self._broken = False

    def offer(self, model: Any) -> None:
        """Copies `model` now, or keeps it for `flush` if the last copy was too recent."""
        if time.monotonic() - self._last >= INTERVAL:
            self._take(model)
        else:
            self._pending = model

    def flush(self) -> None:
        """Copies the generator kept by `offer`, if any."""
        if self._pending is not None:
            self._take(self._pending)

    def _take(self, model: Any) -> None:
        self._pending = None
        if self._broken:
            return
        self._last = time.monotonic()
        try:
            snapshot = self._convert(model)  # copies the weights: training may go on at once
        except Exception as exc:  # noqa: BLE001 - the explorer is optional, training is not
            self._broken = True
            log.info("the latent explorer cannot follow this generator: %s", exc)
            return
        self._emit(snapshot)

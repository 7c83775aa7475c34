"""Training speeds measured on this machine, kept per data set, model and CPU.

A run that trained a minute or more notes its speed (`record`) in `speeds.json` in the user's
cache folder; the training panel's plan reads it back (`seconds_per_step`) to say what a time
buys before Train is pressed. The speed is the run's whole time per step (quality
measurements, grids and checkpoints included), as a time budget spends it.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import time

from gan_studio.core.atomic import atomic_write_text
from gan_studio.core.catalog import builtin_name

SPEEDS_FILE = "speeds.json"
CACHE_DIR_ENV = "GAN_STUDIO_CACHE_DIR"  # where speeds.json lives (tests point it elsewhere)
MAX_SPEEDS_BYTES = 1 << 20
_KEEP_KEYS = 300  # the most recently measured are kept
_KEEP_SPEEDS = 5  # per key: the plan uses their median, so one odd run does not move it
# What a step costs depends on these (and the data's size): the rest of a config does not.
SPEED_FIELDS = ("preset", "batch_size", "latent_dim", "precision", "generator_ema", "loss",
                "spectral_norm", "r1_gamma", "r1_every", "augment", "augment_policy",
                "kernel_size", "d_dropout", "g_activation", "g_stride1_kernel", "d_kernel_size",
                "conditional",
                "strategy", "steps_per_call")


def cache_dir() -> str:
    """The user's cache folder for GAN Studio (`$GAN_STUDIO_CACHE_DIR`, else the XDG one)."""
    if os.environ.get(CACHE_DIR_ENV):
        return os.environ[CACHE_DIR_ENV]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "gan-studio")


def speed_key(config) -> str:
    """The model and data a speed was measured for: a resolved `TrainConfig`'s `SPEED_FIELDS`,
    the built-in data set's name (any image folder of one size trains at one speed) and the
    image size."""
    name = builtin_name(config.dataset)
    data = name if name is not None else f"images-{config.image_size}px"
    fields = ",".join(f"{field}={getattr(config, field)!r}" for field in SPEED_FIELDS)
    return f"{data}|{fields}"


class SpeedBook:
    """The speeds kept in one file (default: `cache_dir()/speeds.json`).

    A missing or damaged file reads as empty: it only ever costs a plan its estimate.

    Args:
        path: the file.
    """

    def __init__(self, path: str | None = None):
        self.path = path or os.path.join(cache_dir(), SPEEDS_FILE)

    def _read(self) -> dict:
        try:
            with open(self.path, "rb") as f:
                raw = f.read(MAX_SPEEDS_BYTES + 1)
            data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_SPEEDS_BYTES else {}
        except (OSError, ValueError, RecursionError):
            return {}
        entries = data.get("speeds") if isinstance(data, dict) else None
        return entries if isinstance(entries, dict) else {}

    def seconds_per_step(self, key: str, cpu: str) -> float | None:
        """The median of the speeds kept for `key` on `cpu`, or None if none was measured."""
        values = _speeds(self._read().get(f"{cpu}|{key}"))
        return float(statistics.median(values)) if values else None

    def record(self, key: str, cpu: str, seconds_per_step: float) -> None:
        """Keeps a speed measured for `key` on `cpu`.

        Raises:
            OSError: if the file cannot be written (the one there is left whole).
        """
        entries = self._read()
        name = f"{cpu}|{key}"
        values = (_speeds(entries.pop(name, None)) + [round(float(seconds_per_step), 5)])
        values = values[-_KEEP_SPEEDS:]
        entries[name] = {"seconds_per_step": values, "measured": time.strftime("%Y-%m-%d")}
        kept = dict(list(entries.items())[-_KEEP_KEYS:])  # (the newest last: insertion order)
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        atomic_write_text(self.path, json.dumps({"speeds": kept}, indent=1) + "\n")


def _speeds(entry) -> list[float]:
    """The valid speeds of an entry of the file (finite, positive seconds); [] for none."""
    values = entry.get("seconds_per_step") if isinstance(entry, dict) else None
    return [float(v) for v in (values if isinstance(values, list) else [])
            if isinstance(v, (int, float)) and not isinstance(v, bool)
            and math.isfinite(v) and v > 0]

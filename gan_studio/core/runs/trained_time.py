"""How long a run has trained, by checkpoint: what a resumed run's time budget counts from.

`trained_time.json` in the run folder maps the step of each checkpoint saved to the seconds
trained up to it, so that a run rolled back to an older checkpoint counts the time of that one.
"""

from __future__ import annotations

import json
import math
import os

from gan_studio.core.atomic import atomic_write_text

TRAINED_TIME_FILE = "trained_time.json"
MAX_TRAINED_TIME_BYTES = 4 << 20  # ~60 bytes a checkpoint: far more than a run saves
_MAX_ENTRIES = 10_000  # the oldest go first; a resume rolls back a few checkpoints at most


def read_trained_times(run_dir: str | os.PathLike) -> dict[int, float]:
    """The seconds trained up to each checkpoint's step; {} for a missing or unreadable file.

    A damaged file costs only the time count of a resumed run (it starts from 0), so it is
    read leniently: entries that are not a step and a finite, non-negative time are dropped.
    """
    path = os.path.join(run_dir, TRAINED_TIME_FILE)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_TRAINED_TIME_BYTES + 1)
        data = json.loads(raw.decode("utf-8")) if len(raw) <= MAX_TRAINED_TIME_BYTES else {}
    except (OSError, ValueError, RecursionError):
        return {}
    steps = data.get("seconds_at_step") if isinstance(data, dict) else None
    if not isinstance(steps, dict):
        return {}
    times = {}
    for step, seconds in steps.items():
        if isinstance(step, str) and step.isdigit() and isinstance(seconds, (int, float)) \
                and not isinstance(seconds, bool) and math.isfinite(seconds) and seconds >= 0:
            times[int(step)] = float(seconds)
    return times


def trained_seconds_at(run_dir: str | os.PathLike, step: int) -> float:
    """Seconds the run had trained at `step`: that checkpoint's entry, else the nearest earlier
    one's (0 for a run that never recorded its time)."""
    times = read_trained_times(run_dir)
    earlier = [s for s in times if s <= step]
    return times[max(earlier)] if earlier else 0.0


def record_trained_seconds(run_dir: str | os.PathLike, step: int, seconds: float) -> None:
    """Notes that the run had trained `seconds` when the checkpoint of `step` was saved.

    Entries after `step` are dropped: they belong to checkpoints of a branch rolled back from.

    Raises:
        OSError: if the file cannot be written (the previous one is left whole).
    """
    times = {s: t for s, t in read_trained_times(run_dir).items() if s < step}
    times[int(step)] = round(float(seconds), 3)
    kept = sorted(times)[-_MAX_ENTRIES:]
    text = json.dumps({"seconds_at_step": {str(s): times[s] for s in kept}}, indent=1)
    atomic_write_text(os.path.join(run_dir, TRAINED_TIME_FILE), text + "\n")

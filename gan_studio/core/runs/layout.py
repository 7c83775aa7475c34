"""The layout of a run folder: where its config, metrics, sample grids and checkpoints live."""

from __future__ import annotations

import os
import re
import time

from gan_studio.core.config import ConfigError, TrainConfig

CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.csv"
CHECKPOINT_DIR = "checkpoints"
SAMPLES_DIR = "samples"
LAST_GRID = "last.png"
MILESTONE_DIR = "milestones"  # inside CHECKPOINT_DIR: one checkpoint kept for good every N epochs
BEST_DIR = "best"  # the checkpoint with the best FD so far, never pruned
QUALITY_FILE = "quality.csv"  # one row per quality evaluation
SKIPPED_FILE = "skipped.txt"  # the image files a run's data set left out, and why
NOTE_FILE = "note.txt"  # the user's free-text note on a run (the runs library)
SWEEP_FILE = "sweep.json"  # in a sweep's folder, beside its runs: the plan and each run's state
EPOCH_GRID_RE = re.compile(r"grid-epoch-(\d+)\.png$")
STEP_GRID_RE = re.compile(r"grid-step-(\d+)\.png$")  # every grid training draws (the timelapse)
_STEP_RE = re.compile(r"-(\d+)$")


def epoch_grid_name(epoch: int) -> str:
    """The file name, in SAMPLES_DIR, of the grid saved at the end of zero-based `epoch`."""
    return f"grid-epoch-{epoch + 1:04d}.png"


def step_grid_name(step: int) -> str:
    """The file name, in SAMPLES_DIR, of the grid drawn at `step` (see `core/runs/grid_files`)."""
    return f"grid-step-{step:08d}.png"


def dataset_slug(dataset: str) -> str:
    """Returns a short folder-safe name for a dataset name or path."""
    base = os.path.basename(os.path.normpath(dataset)) or "data"
    base = os.path.splitext(base)[0] if base.endswith((".zip", ".gz")) else base
    slug = "".join(c if c.isalnum() or c in "-_" else "_" for c in base)
    return slug[:40] or "data"


def make_fresh_dir(base: str) -> str:
    """Creates the folder `base`, or `base-2`, `base-3`... where it exists, and returns it.

    Raises:
        OSError: if it cannot be made (no permission, a full disk).
    """
    path, n = base, 1
    while True:
        try:
            os.makedirs(path)
            return path
        except FileExistsError:
            n += 1
            path = f"{base}-{n}"


def files_signature(run_dir: str | os.PathLike, names: tuple[str, ...]) -> tuple:
    """The times and sizes of the named files (or folders) of a run: a value that changes
    when any of them does (None for one that is missing)."""
    out = []
    for name in names:
        try:
            info = os.stat(os.path.join(run_dir, name))
            out.append((info.st_mtime_ns, info.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


def new_run_dir(config: TrainConfig) -> str:
    """Creates `runs_dir/<dataset>-<timestamp>/` (suffixing a counter if it exists) and returns it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = make_fresh_dir(os.path.join(config.runs_dir,
                                       f"{dataset_slug(config.dataset)}-{stamp}"))
    for sub in (CHECKPOINT_DIR, SAMPLES_DIR):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    return os.path.abspath(path)


def is_run_dir(path: str | os.PathLike) -> bool:
    """Whether `path` looks like a GAN Studio run folder (it holds a config.json)."""
    return os.path.isfile(os.path.join(path, CONFIG_FILE))


def is_sweep_dir(path: str | os.PathLike) -> bool:
    """Whether `path` is a sweep's folder (it holds SWEEP_FILE, its runs one level down)."""
    return os.path.isfile(os.path.join(path, SWEEP_FILE))


def latest_grid_png(run_dir: str | os.PathLike) -> str | None:
    """Returns the newest sample grid PNG of a run, or None."""
    samples = os.path.join(run_dir, SAMPLES_DIR)
    last = os.path.join(samples, LAST_GRID)
    if os.path.isfile(last):
        return last
    try:
        grids = sorted(f for f in os.listdir(samples) if f.endswith(".png"))
    except OSError:
        return None
    return os.path.join(samples, grids[-1]) if grids else None


def checkpoint_step(path: str) -> int:
    """Returns the step number encoded in a checkpoint prefix like `.../ckpt-200`."""
    match = _STEP_RE.search(path)
    return int(match.group(1)) if match else -1


def list_checkpoints(run_dir: str | os.PathLike) -> list[tuple[int, str]]:
    """Lists a run's checkpoints (recent and milestones) as (step, path prefix), oldest first."""
    found = {}
    base = os.path.join(run_dir, CHECKPOINT_DIR)
    for folder in (base, os.path.join(base, MILESTONE_DIR), os.path.join(run_dir, BEST_DIR)):
        try:
            names = os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.endswith(".index"):
                prefix = os.path.join(folder, name[: -len(".index")])
                found.setdefault(checkpoint_step(prefix), prefix)
    return sorted(found.items())


def latest_checkpoint(run_dir: str | os.PathLike) -> str | None:
    """Returns the newest checkpoint prefix of a run, or None."""
    items = list_checkpoints(run_dir)
    return items[-1][1] if items else None


def checkpoint_at_or_before(run_dir: str | os.PathLike, step: int) -> str | None:
    """Returns the prefix of the run's newest kept checkpoint at `step` or earlier, or None."""
    kept = [prefix for at, prefix in list_checkpoints(run_dir) if 0 <= at <= step]
    return kept[-1] if kept else None


def best_checkpoint(run_dir: str | os.PathLike) -> str | None:
    """Returns the prefix of the run's best checkpoint (lowest FD so far), or None."""
    folder = os.path.join(run_dir, BEST_DIR)
    try:
        names = sorted(n[: -len(".index")] for n in os.listdir(folder) if n.endswith(".index"))
    except OSError:
        return None
    return os.path.join(folder, max(names, key=lambda n: checkpoint_step(n))) if names else None


def resolve_checkpoint(run_dir: str | os.PathLike, which: str | None) -> str | None:
    """Turns what a user names into a checkpoint prefix of the run.

    Args:
        run_dir: the run folder.
        which: None or `last` (the newest), `best` (lowest FD), a step number, or a prefix.

    Returns:
        The prefix, or None when the run has no such checkpoint.
    """
    if which in (None, "", "last"):
        return latest_checkpoint(run_dir)
    if which == "best":
        return best_checkpoint(run_dir)
    if str(which).isdigit():
        return dict(list_checkpoints(run_dir)).get(int(which))
    return which if os.path.isfile(f"{which}.index") else None


def load_run(run_dir: str, checkpoint: str | None = None, error: type[Exception] = ValueError,
             missing: str = "has no checkpoint yet") -> tuple[TrainConfig, str]:
    """Reads a run's resolved config and picks its checkpoint (the latest unless given).

    Args:
        run_dir: the run folder.
        checkpoint: a checkpoint prefix to use instead of the latest.
        error: the exception type to raise.
        missing: how the message ends when the run has no checkpoint.

    Raises:
        error: if the folder holds no valid config.json or no checkpoint.
    """
    try:
        config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE)).resolved()
    except ConfigError as exc:
        raise error(f"{run_dir} is not a GAN Studio run: {exc}") from exc
    checkpoint = checkpoint or latest_checkpoint(run_dir)
    if checkpoint is None:
        raise error(f"{run_dir} {missing}")
    return config, checkpoint

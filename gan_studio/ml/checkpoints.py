"""Checkpoints of a training run: the last few, plus one kept for good every N epochs."""

from __future__ import annotations

import os
import re

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.ml.runs import CHECKPOINT_DIR, CONFIG_FILE

MILESTONE_DIR = "milestones"
_STEP_RE = re.compile(r"-(\d+)$")


class CheckpointStore:
    """Saves and restores a `tf.train.Checkpoint` of a run.

    Args:
        run_dir: the run folder; checkpoints go to `run_dir/checkpoints/`.
        checkpoint: the `tf.train.Checkpoint` holding models, optimizers, counters and RNG state.
        keep: how many recent checkpoints to keep.
    """

    def __init__(self, run_dir: str, checkpoint, keep: int = 3):
        import tensorflow as tf

        self.checkpoint = checkpoint
        folder = os.path.join(run_dir, CHECKPOINT_DIR)
        self.recent = tf.train.CheckpointManager(checkpoint, folder, max_to_keep=keep,
                                                 checkpoint_name="ckpt")
        self.milestones = tf.train.CheckpointManager(
            checkpoint, os.path.join(folder, MILESTONE_DIR), max_to_keep=None,
            checkpoint_name="epoch")

    def save(self, step: int, milestone: bool = False) -> str:
        """Saves a checkpoint numbered by `step`; returns its path prefix."""
        path = self.recent.save(checkpoint_number=step)
        if milestone:
            self.milestones.save(checkpoint_number=step)
        return path

    def restore(self, path: str | None = None) -> str | None:
        """Restores `path`, or the latest checkpoint when `path` is None.

        Returns:
            The restored path prefix, or None if there was nothing to restore.

        Raises:
            FileNotFoundError: if `path` names no checkpoint.
        """
        path = path or self.recent.latest_checkpoint
        if path is None:
            return None
        if not os.path.exists(path + ".index"):
            raise FileNotFoundError(f"no checkpoint at {path}")
        self.checkpoint.restore(path).assert_existing_objects_matched()
        return path


def checkpoint_step(path: str) -> int:
    """Returns the step number encoded in a checkpoint prefix like `.../ckpt-200`."""
    match = _STEP_RE.search(path)
    return int(match.group(1)) if match else -1


def list_checkpoints(run_dir: str | os.PathLike) -> list[tuple[int, str]]:
    """Lists a run's checkpoints (recent and milestones) as (step, path prefix), oldest first."""
    found = {}
    base = os.path.join(run_dir, CHECKPOINT_DIR)
    for folder in (base, os.path.join(base, MILESTONE_DIR)):
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

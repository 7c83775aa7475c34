"""Checkpoints of a training run: the last few, one kept for good every N epochs, and the best."""

from __future__ import annotations

import os

from gan_studio.core.runs.layout import BEST_DIR, CHECKPOINT_DIR, MILESTONE_DIR


class CheckpointStore:
    """Saves and restores a `tf.train.Checkpoint` of a run.

    Args:
        run_dir: the run folder; checkpoints go to `run_dir/checkpoints/`, the best one (by
            FD) to `run_dir/best/`, which the other two managers never prune.
        checkpoint: the `tf.train.Checkpoint` holding models, optimizers, counters and RNG state.
        keep: how many recent checkpoints to keep.
    """

    def __init__(self, run_dir: str, checkpoint, keep: int = 3):
        import tensorflow as tf

        self.checkpoint = checkpoint
        self._best_dir = os.path.join(run_dir, BEST_DIR)
        self._best = None  # made on the first save_best: runs without quality get no best/
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

    def save_best(self, step: int) -> str:
        """Saves the checkpoint as the run's best (numbered by `step`), replacing the last best.

        Returns:
            Its path prefix, `run_dir/best/best-<step>`.
        """
        import tensorflow as tf

        if self._best is None:
            # max_to_keep=1: the manager reads best/'s state file, so a resumed run's next
            # best also replaces the one saved before it stopped.
            self._best = tf.train.CheckpointManager(self.checkpoint, self._best_dir,
                                                    max_to_keep=1, checkpoint_name="best")
        return self._best.save(checkpoint_number=step)

    def restore(self, path: str | None = None) -> str | None:
        """Restores `path` (any prefix: recent, milestone or best), or the latest when None.

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

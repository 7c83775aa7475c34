"""Checkpoints of a training run: the last few, one kept for good every N epochs, and the best;
which of them can still be read (a save killed half-way leaves a torn one behind)."""

from __future__ import annotations

import logging
import os
import re

from gan_studio.core.runs.layout import BEST_DIR, CHECKPOINT_DIR, MILESTONE_DIR, list_checkpoints
from gan_studio.ml.runs.checkpoint_repair import (  # noqa: F401 (CheckpointError is this module's)
    CheckpointError,
    clear_killed_saves,
    read_errors,
    remove_save,
)
from gan_studio.ml.runtime.device import import_tensorflow

_LOG = logging.getLogger(__name__)
_NOISE = re.compile(r"\{\{[^}]*\}\}\s*|\s*\[Op:\w+\]")  # TF's op names around its messages
_UNMATCHED = re.compile(r"Found (\d+) Python objects that were not bound")
_MAX_REASON = 200


def describe_error(exc: BaseException) -> str:
    """The gist of a TensorFlow or restore error, on one short line."""
    text = _NOISE.sub("", str(exc)).strip()
    unmatched = _UNMATCHED.match(text)
    if unmatched:  # assert_existing_objects_matched's message lists the values, over lines
        return f"it lacks {unmatched.group(1)} of the networks' values"
    line = next((part.strip() for part in text.splitlines() if part.strip()),
                type(exc).__name__)
    return line if len(line) <= _MAX_REASON else line[: _MAX_REASON - 1] + "…"


def checkpoint_problem(prefix: str) -> str | None:
    """Why the checkpoint at `prefix` cannot be restored, or None if every value reads back.

    Reads every tensor, so that a torn data file (whose checksums fail, or which is shorter
    than its index says) is found here rather than half-way through a restore.
    """
    tf = import_tensorflow()
    if not os.path.isfile(prefix + ".index"):
        return "it has no .index file"
    try:
        reader = tf.train.load_checkpoint(prefix)
        for name in reader.get_variable_to_shape_map():
            reader.get_tensor(name)
    except read_errors() as exc:
        return describe_error(exc)
    return None


def readable_checkpoint(run_dir: str, checkpoint: str | None = None) -> tuple[str, list[str]]:
    """The checkpoint of a run to restore: `checkpoint`, or the newest one that reads.

    Args:
        run_dir: the run folder.
        checkpoint: a prefix the user chose (checked, never replaced); None: the newest that
            reads, among the recent, milestone and best checkpoints.

    Returns:
        (prefix, notes): one line in `notes` for each newer checkpoint passed over.

    Raises:
        CheckpointError: if `checkpoint` cannot be read, or no checkpoint of the run can.
    """
    if checkpoint is not None:
        problem = checkpoint_problem(checkpoint)
        if problem is not None:
            raise CheckpointError(f"cannot read checkpoint {checkpoint}: {problem}")
        return checkpoint, []
    problems = []
    for _, prefix in reversed(list_checkpoints(run_dir)):
        problem = checkpoint_problem(prefix)
        if problem is None:
            return prefix, [f"{p} is unreadable ({why}); using {prefix} instead"
                            for p, why in problems]
        problems.append((prefix, problem))
    if not problems:
        raise CheckpointError(f"{run_dir} has no checkpoint yet")
    raise CheckpointError(f"{run_dir} has no readable checkpoint: "
                          + "; ".join(f"{p} ({why})" for p, why in problems))


def restore_checkpoint(checkpoint, prefix: str) -> None:
    """Restores `prefix` into a `tf.train.Checkpoint`, every one of whose values it must hold.

    Raises:
        CheckpointError: if it cannot be read or was saved by other networks (another
            program, a run of another size or architecture).
    """
    try:
        checkpoint.restore(prefix).assert_existing_objects_matched().expect_partial()
    except (*read_errors(), AssertionError) as exc:
        raise CheckpointError(f"cannot restore checkpoint {prefix}: {describe_error(exc)} "
                              "(was it saved by another run?)") from exc


class CheckpointStore:
    """Saves and restores a `tf.train.Checkpoint` of a run.

    Opening it clears what killed saves left in its folders (`clear_killed_saves`); it raises
    CheckpointError if a checkpoint state file cannot be repaired (see `repair_state_file`).

    Args:
        run_dir: the run folder; checkpoints go to `run_dir/checkpoints/`, the best one (by
            FD) to `run_dir/best/`, which the other two managers never prune.
        checkpoint: the `tf.train.Checkpoint` holding models, optimizers, counters and RNG state.
        keep: how many recent checkpoints to keep.
        scratch: `run_dir` is a multi-worker run's scratch folder (a non-chief worker's): each
            save is deleted once written (every worker takes part in a save, the chief's is
            the one kept).
    """

    def __init__(self, run_dir: str, checkpoint, keep: int = 3, scratch: bool = False):
        tf = import_tensorflow()

        self.checkpoint = checkpoint
        self._scratch = scratch
        self._best_dir = os.path.join(run_dir, BEST_DIR)
        self._best = None  # made on the first save_best: runs without quality get no best/
        folder = os.path.join(run_dir, CHECKPOINT_DIR)
        milestones = os.path.join(folder, MILESTONE_DIR)
        for where, name in ((folder, "ckpt"), (milestones, "epoch"), (self._best_dir, "best")):
            clear_killed_saves(where, name)
        self.recent = tf.train.CheckpointManager(checkpoint, folder, max_to_keep=keep,
                                                 checkpoint_name="ckpt")
        self.milestones = tf.train.CheckpointManager(checkpoint, milestones, max_to_keep=None,
                                                     checkpoint_name="epoch")
        self._on_disk: tuple[int, str] | None = None  # (step, prefix) of a recent checkpoint

    def save(self, step: int, milestone: bool = False) -> str:
        """Saves a checkpoint numbered by `step`; returns its path prefix.

        A step this store already saved or restored as a recent checkpoint is not written
        again (only its milestone, if asked): the weights are those on disk, and a rewrite
        that failed half-way would lose the good copy.

        Raises:
            CheckpointError: if it cannot be written (a full disk, a size limit): one line
                naming the folder. What the failed save left is removed; older checkpoints
                are untouched.
        """
        if self._on_disk is not None and self._on_disk[0] == step:
            path = self._on_disk[1]
        else:
            path = self._write(self.recent, "ckpt", step)
            self._on_disk = (step, path)
        if milestone:
            self._write(self.milestones, "epoch", step)
        return path

    def _write(self, manager, name: str, step: int) -> str:
        tf = import_tensorflow()
        try:
            path = manager.save(checkpoint_number=step)
            if self._scratch:  # (its folders stay: the next save writes there again)
                remove_save(manager.directory, f"{name}-{step}")
            return path
        except (OSError, tf.errors.OpError) as exc:
            remove_save(manager.directory, f"{name}-{step}")
            clear_killed_saves(manager.directory, name)
            raise CheckpointError(f"Cannot save the checkpoint of step {step} in "
                                  f"{manager.directory}: {describe_error(exc)}") from exc

    @property
    def latest(self) -> str | None:
        """The newest recent checkpoint this store saved or restored (None: none yet)."""
        return None if self._on_disk is None or self._scratch else self._on_disk[1]

    def save_best(self, step: int) -> str:
        """Saves the checkpoint as the run's best (numbered by `step`), replacing the last best.

        Returns:
            Its path prefix, `run_dir/best/best-<step>`.

        Raises:
            CheckpointError: as `save`.
        """
        tf = import_tensorflow()

        if self._best is None:
            # max_to_keep=1: the manager reads best/'s state file, so a resumed run's next
            # best also replaces the one saved before it stopped.
            self._best = tf.train.CheckpointManager(self.checkpoint, self._best_dir,
                                                    max_to_keep=1, checkpoint_name="best")
        return self._write(self._best, "best", step)

    def restore(self, path: str | None = None) -> str | None:
        """Restores `path` (any prefix: recent, milestone or best), or the latest when None.

        Returns:
            The restored path prefix, or None if there was nothing to restore.

        Raises:
            CheckpointError: if `path` names no checkpoint, or it cannot be restored.
        """
        path = path or self.recent.latest_checkpoint
        if path is None:
            return None
        if not os.path.exists(path + ".index"):
            raise CheckpointError(f"no checkpoint at {path}")
        restore_checkpoint(self.checkpoint, path)
        recent = re.fullmatch(r"ckpt-(\d+)", os.path.basename(path))
        if (recent and os.path.isdir(self.recent.directory)  # (a scratch store has none yet)
                and os.path.samefile(os.path.dirname(path) or ".", self.recent.directory)):
            self._on_disk = (int(recent.group(1)), path)
        return path

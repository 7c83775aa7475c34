"""What saves killed half-way leave in a checkpoint folder, and how it is tidied."""

from __future__ import annotations

import logging
import os
import re
import shutil

from gan_studio.ml.runtime.device import import_tensorflow

_LOG = logging.getLogger(__name__)


class CheckpointError(ValueError):
    """Raised when a checkpoint cannot be read or does not fit the networks; one line naming it."""


def read_errors():
    """The errors that reading a torn or foreign checkpoint raises."""
    tf = import_tensorflow()

    # A short data file makes TensorFlow's reader raise IndexError, not an OpError.
    return tf.errors.OpError, IndexError, ValueError, UnicodeDecodeError


def _prefixes_in(folder: str, name: str) -> list[str]:
    found = []
    for entry in os.listdir(folder):
        match = re.fullmatch(rf"{re.escape(name)}-(\d+)\.index", entry)
        if match:
            found.append((int(match.group(1)), entry[: -len(".index")]))
    return [prefix for _, prefix in sorted(found)]


def clear_killed_saves(folder: str, name: str) -> None:
    """Deletes what saves killed half-way left in a checkpoint folder, and lists the rest.

    A save writes its shards into `<name>-N_temp/`, moves the data file in beside the others,
    writes the `.index` and then the state file (by way of `checkpoint.tmp…`). Killed in
    between, it leaves a temporary folder or file, a data file without an index, or a
    checkpoint (whole or torn) that the state file does not list, so that pruning never
    removes it. The first three are deleted, the last added to the state file (see
    `repair_state_file`). Call it before a store writes into `folder`: one trainer writes a
    run at a time, so nothing here is still being written.
    """
    if not os.path.isdir(folder):
        return
    indexed = set(_prefixes_in(folder, name))
    stem = re.escape(name)
    for entry in os.listdir(folder):
        path = os.path.join(folder, entry)
        data = re.fullmatch(rf"({stem}-\d+)\.data-\d+-of-\d+", entry)
        try:
            if re.fullmatch(rf"{stem}-\d+_temp", entry) and not os.path.islink(path):
                shutil.rmtree(path)
            elif ((data and data.group(1) not in indexed)
                  or re.fullmatch(r"checkpoint\.tmp[0-9a-f]+", entry)) and os.path.isfile(path):
                os.remove(path)
            else:
                continue
            _LOG.info("removed %s, left by a save that was killed", path)
        except OSError as exc:  # tidying is worth no failed start
            _LOG.warning("cannot remove %s: %s", path, exc.strerror or exc)
    repair_state_file(folder, name)


def remove_save(folder: str, prefix: str) -> None:
    """Deletes the files of a save that failed (a torn index must not pass for a checkpoint),
    or of one in a scratch folder."""
    for entry in os.listdir(folder) if os.path.isdir(folder) else ():
        if entry.startswith(prefix + ".") and os.path.isfile(os.path.join(folder, entry)):
            try:
                os.remove(os.path.join(folder, entry))
            except OSError as exc:
                _LOG.warning("cannot remove %s: %s", entry, exc.strerror or exc)


def repair_state_file(folder: str, name: str) -> None:
    """Rewrites a folder's `checkpoint` state file if it is unreadable, names files elsewhere
    or leaves out a `<name>-N` checkpoint of the folder (a save killed before it listed it).

    A `tf.train.CheckpointManager` fails to start on a garbled state file, deletes the oldest
    files it lists when it prunes (a listed path outside `folder` must never be one), and
    never prunes what it does not list. The new file lists the `<name>-N` checkpoints in
    `folder`, oldest first.
    """
    tf = import_tensorflow()
    path = os.path.join(folder, "checkpoint")
    if os.path.isdir(path):
        raise CheckpointError(f"{path} is a folder where TensorFlow keeps its checkpoint list: "
                              "move it out of the way")
    prefixes = _prefixes_in(folder, name) if os.path.isdir(folder) else []
    if os.path.lexists(path):
        home = os.path.realpath(folder)
        try:
            state = tf.train.get_checkpoint_state(folder)
            listed = [state.model_checkpoint_path, *state.all_model_checkpoint_paths] \
                if state else []
            if not all(os.path.dirname(os.path.realpath(os.path.join(folder, p))) == home
                       for p in listed):
                raise ValueError("it names files outside its folder")
            if set(prefixes) <= {os.path.basename(p) for p in listed}:
                return
            _LOG.info("listing the checkpoints that %s left out", path)
        except (*read_errors(), OSError):
            _LOG.warning("rewriting the checkpoint state file %s (unreadable, or naming files "
                         "outside its folder)", path)
        os.remove(path)
    if prefixes:
        times = [os.path.getmtime(os.path.join(folder, p + ".index")) for p in prefixes]
        tf.compat.v1.train.update_checkpoint_state(
            folder, prefixes[-1], all_model_checkpoint_paths=prefixes,
            all_model_checkpoint_timestamps=times, last_preserved_timestamp=min(times) - 1)

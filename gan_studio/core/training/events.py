"""The kinds of one-off notice (`progress.Event`) a training run sends, and the groups of
them that its listeners act on alike.

A kind is a `str` as well as an enum member: it equals, prints, formats and serialises as its
text (`"paused"`), so logs and anything that keeps a kind read the same as when kinds were
plain strings. Code that emits or matches a kind names the member, never the text (a test
scans the sources for that).
"""

from __future__ import annotations

import enum


class EventKind(str, enum.Enum):
    """What an `Event` tells, and so which keys its `data` holds.

    Each member's comment says when the event comes and what its `data` carries (nothing
    where none is named). `str(kind)` and `f"{kind}"` give the value, as `enum.StrEnum` does
    on the Pythons that have it.
    """

    # The run's start.
    RECIPE = "recipe"  # the models and training recipe chosen; no data
    DEVICE = "device"  # where it trains: device, precision, strategy, replicas, batch
    DATA = "data"  # loading begins (no data), then loaded: count, skipped (files left out)
    IMAGE_SIZE = "image_size"  # an automatic size is chosen: width, height (typical), size
    SKIPPED = "skipped"  # image files the data set left out: files, count, path, dataset
    CANCELLED = "cancelled"  # the window's run ended before training (download cancelled)

    # While it trains.
    CHECKPOINT = "checkpoint"  # saved: path, step; restored at start: path, restored, skipped
    EPOCH_END = "epoch_end"  # a round of epochs is done and checkpointed: epoch (1-based)
    NOTICE = "notice"  # something to tell that changes nothing (the time trained not noted)
    PAUSED = "paused"  # the loop waits for a resume (`TrainControl.pause`)
    RESUMED = "resumed"  # it trains again after `PAUSED`
    HELD = "held"  # it waits while a latent search runs (`TrainControl.hold`); not a pause
    RELEASED = "released"  # it trains again after `HELD`
    NAN = "nan"  # the losses became NaN or infinite; paused: step
    WRITE_FAILED = "write_failed"  # a run file could not be written; paused: problem

    # The quality meter.
    QUALITY_PREPARING = "quality_preparing"  # its feature network being prepared: done, total
    QUALITY_OFF = "quality_off"  # it stopped for this run (the message says why)
    BEST = "best"  # the lowest FD so far, kept as best/: path, step
    # After a collapse warning, a measurement with none of its signs: step.
    COLLAPSE_CLEARED = "collapse_cleared"

    # The end.
    STOPPED = "stopped"  # stopped on request: step, run_dir, unmeasured (why no last quality)
    FINISHED = "finished"  # trained to its length: step, run_dir, unmeasured

    def __str__(self) -> str:
        return self.value


# Kinds after which the run waits, paused, for a resume or a stop.
PAUSING = frozenset({EventKind.PAUSED, EventKind.NAN, EventKind.WRITE_FAILED})
# Kinds that end a run that trained: the last event of its session.
ENDING = frozenset({EventKind.STOPPED, EventKind.FINISHED})

"""What the training doctor finds: a `Finding` (its kind, evidence and steps) and its `Remedy`."""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, field
from typing import Any

from gan_studio.core.continuation import describe_changes


class FindingKind(str, enum.Enum):
    """The kinds of problem the doctor names; the value is the finding's code (`--json`)."""

    NON_FINITE = "non_finite"
    DISCRIMINATOR_WINNING = "discriminator_winning"
    OSCILLATION = "oscillation"
    QUALITY_STALLED = "quality_stalled"
    MODE_COLLAPSE = "mode_collapse"
    MEMORISATION = "memorisation"
    CHECKERBOARD = "checkerboard"


@dataclass(frozen=True)
class Remedy:
    """One concrete change: continue from a checkpoint (or start anew) with levers changed.

    Args:
        changes: (lever, new value) pairs, levers of `core.levers.LEVERS`.
        checkpoint: the prefix of the checkpoint to continue from, or None for a new run with
            the run's settings and the changes (a lever a checkpoint cannot take, such as
            the generator's kernels, or a run with no checkpoint before the problem).
        step: that checkpoint's step (None for a new run).
        why: half a sentence on why the change helps.
    """

    changes: tuple[tuple[str, Any], ...]
    checkpoint: str | None
    step: int | None
    why: str = ""

    @property
    def overrides(self) -> dict[str, Any]:
        """The changes as a dict: lever → value."""
        return dict(self.changes)

    @property
    def new_run(self) -> bool:
        """Whether the remedy starts a new run rather than continuing this one."""
        return self.checkpoint is None

    @property
    def action(self) -> str:
        """The button's text: "Continue from step 1,200 with d_learning_rate 0.0001"."""
        changes = describe_changes(self.overrides)
        if self.new_run:
            return f"Start a new run with {changes}"
        return f"Continue from step {self.step:,} with {changes}"

    @property
    def text(self) -> str:
        """The remedy in one line: the action and why."""
        where = "" if self.new_run else f" ({os.path.basename(self.checkpoint)})"
        return f"{self.action}{where}" + (f": {self.why}" if self.why else ".")

    def to_dict(self) -> dict:
        """A JSON-ready dict (`gan-studio doctor --json`)."""
        return {"changes": self.overrides, "checkpoint": self.checkpoint, "step": self.step,
                "new_run": self.new_run, "text": self.text}


@dataclass(frozen=True)
class Finding:
    """A problem the doctor sees in a run, with its evidence and one remedy.

    Args:
        code: its kind.
        title: a few words ("The discriminator is winning").
        evidence: a sentence with the numbers behind it.
        first_step: the first step of the stretch that shows it.
        last_step: the last.
        remedy: what to change, and from which checkpoint.
    """

    code: FindingKind
    title: str
    evidence: str
    first_step: int
    last_step: int
    remedy: Remedy

    def to_dict(self) -> dict:
        """A JSON-ready dict (`gan-studio doctor --json`)."""
        return {"code": self.code.value, "title": self.title, "evidence": self.evidence,
                "steps": [self.first_step, self.last_step], "remedy": self.remedy.to_dict()}


@dataclass(frozen=True)
class Diagnosis:
    """What the doctor made of a run.

    Args:
        findings: the problems found, most urgent first.
        untrained: the generator is still in its untrained start (only non-finite losses are
            judged then).
        checked: what was looked at, in a few words each ("losses of 1,200 steps").
        notes: what could not be checked and why ("no sample grid yet").
    """

    findings: tuple[Finding, ...]
    untrained: bool
    checked: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

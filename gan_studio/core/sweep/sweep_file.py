"""A sweep's folder and its `sweep.json`: the plan and each run's state.

`<runs_dir>/sweep-<data set>-<timestamp>/` holds `sweep.json` (`SWEEP_FILE`) and the sweep's run
folders. The file is rewritten atomically each time a run starts or ends, so a sweep whose
window (or terminal) closed is continued from it: the run it was training resumes from its
checkpoint, the pending ones follow.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field

from gan_studio.core.atomic import atomic_write_text
from gan_studio.core.runs.layout import SWEEP_FILE, dataset_slug, make_fresh_dir
from gan_studio.core.runs.library import sweep_folders
from gan_studio.core.sweep.sweep_plan import SweepError, SweepPlan

PENDING, RUNNING, STOPPED, DONE, FAILED = "pending", "running", "stopped", "done", "failed"
STATES = (PENDING, RUNNING, STOPPED, DONE, FAILED)
UNFINISHED = (RUNNING, STOPPED)  # a run that a continued sweep resumes from its checkpoint
FILE_VERSION = 1
MAX_SWEEP_BYTES = 1 << 20  # 36 runs take a few KB


class SweepFileError(ValueError):
    """A sweep folder or its sweep.json that cannot be read or written: one line naming it."""


@dataclass
class RunState:
    """One run of a sweep.

    Args:
        levers: its varied levers' values, name → value.
        state: `pending`, `running`, `stopped` (a stop ended it; it resumes), `done` or
            `failed`.
        reason: why it failed, one line ("" otherwise).
        run_dir: its run folder's name inside the sweep folder ("" until it starts).
    """

    levers: dict
    state: str = PENDING
    reason: str = ""
    run_dir: str = ""

    def to_dict(self) -> dict:
        return {"levers": dict(self.levers), "state": self.state, "reason": self.reason,
                "run_dir": self.run_dir}


@dataclass
class SweepState:
    """A sweep's plan and runs, as sweep.json holds them.

    Args:
        folder: the sweep folder.
        plan: the sweep's `SweepPlan`.
        runs: one `RunState` per grid point, in the plan's order.
    """

    folder: str
    plan: SweepPlan
    runs: list[RunState] = field(default_factory=list)

    @property
    def path(self) -> str:
        """The sweep.json path."""
        return os.path.join(self.folder, SWEEP_FILE)

    def run_path(self, index: int) -> str:
        """Run `index`'s folder ("" before it started)."""
        name = self.runs[index].run_dir
        return os.path.join(self.folder, name) if name else ""

    @property
    def finished(self) -> bool:
        """Whether every run has trained (or failed): nothing is left to continue."""
        return all(run.state in (DONE, FAILED) for run in self.runs)

    def describe(self) -> str:
        """One line for a list of sweeps: `sweep-mnist-…: 1 of 3 trained, learning_rate=
        0.0001,0.0002,0.0004, 3 minutes each`."""
        trained = sum(run.state in (DONE, FAILED) for run in self.runs)
        budget = self.plan.budget
        varied = "; ".join(vary.text() for vary in self.plan.vary)
        return (f"{os.path.basename(self.folder)}: {trained} of {len(self.runs)} trained, "
                f"{varied}, {budget.amount:g} {budget.kind} each")

    def counts(self) -> dict[str, int]:
        """How many runs are in each state."""
        return {state: sum(run.state == state for run in self.runs) for state in STATES}

    def save(self) -> None:
        """Writes sweep.json atomically.

        Raises:
            SweepFileError: naming sweep.json when the disk refuses it.
        """
        data = {"version": FILE_VERSION, "plan": self.plan.to_dict(),
                "runs": [run.to_dict() for run in self.runs]}
        try:
            atomic_write_text(self.path, json.dumps(data, indent=2) + "\n")
        except OSError as exc:  # its file name would be the temporary one's
            raise SweepFileError(f"cannot write {self.path}: {exc.strerror or exc}") from exc


def new_sweep(plan: SweepPlan, runs_dir: str | None = None, stamp: str | None = None) -> SweepState:
    """Makes `<runs_dir>/sweep-<data set>-<timestamp>/` (a counter added where it exists) and
    writes its sweep.json, every run pending.

    Args:
        plan: the sweep's plan.
        runs_dir: the folder that receives it (default: the plan's `runs_dir`, else `runs`).
        stamp: the timestamp (default: now, `YYYYmmdd-HHMMSS`).

    Raises:
        SweepFileError: if the folder or its file cannot be made.
    """
    runs_dir = runs_dir or plan.base.get("runs_dir") or "runs"
    stamp = stamp or time.strftime("%Y%m%d-%H%M%S")
    base = os.path.join(runs_dir, f"sweep-{dataset_slug(plan.base['dataset'])}-{stamp}")
    try:
        path = make_fresh_dir(base)
    except OSError as exc:
        raise SweepFileError(f"cannot make the sweep folder {base}: "
                             f"{exc.strerror or exc}") from exc
    state = SweepState(os.path.abspath(path), plan, [RunState(levers) for levers in plan.grid()])
    state.save()
    return state


def load_sweep(folder: str | os.PathLike) -> SweepState:
    """Reads a sweep folder's sweep.json defensively.

    Raises:
        SweepFileError: one line naming the file and what is wrong with it.
    """
    folder = os.path.abspath(folder)
    path = os.path.join(folder, SWEEP_FILE)
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SWEEP_BYTES + 1)
        if len(raw) > MAX_SWEEP_BYTES:
            raise SweepFileError(f"cannot read {path}: larger than "
                                 f"{MAX_SWEEP_BYTES // 1024} KiB, so not a sweep's")
        data = json.loads(raw.decode("utf-8"))
    except FileNotFoundError:
        raise SweepFileError(f"{folder} is not a sweep folder: it has no {SWEEP_FILE}") from None
    except (UnicodeDecodeError, RecursionError, json.JSONDecodeError) as exc:
        raise SweepFileError(f"cannot read {path}: it is not JSON "
                             f"({str(exc).splitlines()[0][:80]})") from None
    except OSError as exc:
        raise SweepFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return _state_from(folder, data)
    except SweepError as exc:
        raise SweepFileError(f"cannot read {path}: {exc}") from None


def _state_from(folder: str, data) -> SweepState:
    if not isinstance(data, dict) or data.get("version") != FILE_VERSION:
        raise SweepError(f"not a version {FILE_VERSION} sweep file")
    plan = SweepPlan.from_dict(data.get("plan"))
    runs = data.get("runs")
    grid = plan.grid()
    if not isinstance(runs, list) or len(runs) != len(grid):
        raise SweepError(f"the plan has {len(grid)} runs, the file lists "
                         f"{len(runs) if isinstance(runs, list) else 'none'}")
    states = []
    for levers, run in zip(grid, runs, strict=True):
        if not isinstance(run, dict) or run.get("state") not in STATES:
            raise SweepError(f"a run's state is one of {', '.join(STATES)}: {run!r:.80}")
        name, reason = run.get("run_dir") or "", run.get("reason") or ""
        if not isinstance(name, str) or not isinstance(reason, str) or \
                os.path.basename(name) != name or name in (".", ".."):
            raise SweepError(f"a run's folder is a name inside the sweep folder: {name!r:.80}")
        states.append(RunState(levers, run["state"], reason.splitlines()[0] if reason else "",
                               name))
    return SweepState(folder, plan, states)


def unfinished_sweeps(roots: list[str]) -> list[SweepState]:
    """The sweeps directly in `roots` with runs left to train (stopped, or interrupted by a
    closed window), the most recently changed first; damaged sweep files are left out.

    Args:
        roots: folders of runs (the runs folder, the library's other folders).
    """
    found = []
    for folder in sweep_folders(roots):
        try:
            sweep = load_sweep(folder)
            changed = os.stat(sweep.path).st_mtime
        except (SweepFileError, OSError):
            continue
        if not sweep.finished:
            found.append((changed, sweep))
    return [sweep for _, sweep in sorted(found, key=lambda pair: -pair[0])]

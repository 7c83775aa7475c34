"""One run folder in a line: what the runs library shows of it, read cheaply and defensively.

The library reads hundreds of folders, some of them tens of MB of metrics: a summary reads
config.json, the end of metrics.csv (`read_metrics_tail`), quality.csv, the note and the
newest checkpoint's time, and nothing else. A damaged folder is still a summary, with its
`problem` in one line; reading one never raises.

Example:

```python
summary = read_summary("runs/mnist-20250101-120000")
summary.steps, summary.best_fd, summary.problem      # 12000, 14.2, ""
```
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

import numpy as np

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.quality.report import QUALITY_FIELDS, read_quality
from gan_studio.core.runs.layout import (
    CONFIG_FILE,
    METRICS_FILE,
    NOTE_FILE,
    QUALITY_FILE,
    is_sweep_dir,
    latest_grid_png,
)
from gan_studio.core.runs.lever_diff import lever_label, levers_off_preset
from gan_studio.core.runs.location import run_activity
from gan_studio.core.runs.metrics_log import METRIC_FIELDS
from gan_studio.core.runs.run_axes import trained_seconds
from gan_studio.core.runs.trained_time import read_trained_times

TAIL_BYTES = 64 * 1024  # ~1,000 metrics rows: enough for the last step and the pace
HEAD_BYTES = 4096  # the header and the first row
MAX_NOTE_BYTES = 64 * 1024  # a note is a few lines; a bigger file is read up to this
MAX_QUALITY_BYTES = 8 << 20  # one row per evaluation: ~300 bytes each
QUALITY_HEADER_START = ",".join(QUALITY_FIELDS[:3]).encode()  # every version's header


@dataclass(frozen=True)
class RunSummary:
    """What the runs library shows of one run folder.

    Args:
        folder: the run folder (absolute).
        name: its folder name.
        dataset: the data set it trains on ("" when config.json cannot be read).
        preset: its preset ("" likewise).
        levers: the levers it sets off its preset, as `lr 0.0004 · loss hinge` ("" for none).
        steps: the last logged step (0 before the first).
        batch_size: images per step (None when config.json cannot be read).
        images: images seen (`steps` × `batch_size`), or None.
        seconds: seconds trained (the newest checkpoint's count and the steps logged since,
            else the steps' times without pauses), or None when nothing was logged.
        newest_fd: the newest quality evaluation's FD, and `newest_fd_step` its step.
        best_fd: the lowest FD evaluated, and `best_fd_step` its step.
        grid: the newest sample grid PNG, or None.
        note: the user's note ("" for none).
        sweep: the name of the sweep folder it belongs to, or None.
        activity: when it last changed (seconds since the epoch), or None.
        problem: what is wrong with the folder, in one line ("" when nothing is).
    """

    folder: str
    name: str
    dataset: str = ""
    preset: str = ""
    levers: str = ""
    steps: int = 0
    batch_size: int | None = None
    images: int | None = None
    seconds: float | None = None
    newest_fd: float | None = None
    newest_fd_step: int | None = None
    best_fd: float | None = None
    best_fd_step: int | None = None
    grid: str | None = None
    note: str = ""
    sweep: str | None = None
    activity: float | None = None
    problem: str = ""


@dataclass(frozen=True)
class MetricsTail:
    """The end of a run's metrics.csv.

    Args:
        steps: the steps of the rows read at its end, in file order (int64).
        times: their wall-clock times.
        first_step: the file's first row's step, or None.
        whole: whether `steps` holds every row of the file.
        problem: what is wrong with the file, in one line ("" when nothing is).
    """

    steps: np.ndarray
    times: np.ndarray
    first_step: int | None
    whole: bool
    problem: str = ""

    @property
    def last_step(self) -> int:
        """The last row's step (0 for no rows)."""
        return int(self.steps[-1]) if len(self.steps) else 0


def _parse_row(line: str) -> tuple[int, float] | None:
    cells = line.strip().split(",")
    if len(cells) < len(METRIC_FIELDS):
        return None
    try:
        values = [float(v) for v in cells[: len(METRIC_FIELDS)]]
    except ValueError:
        return None
    if not all(math.isfinite(v) for v in values):
        return None
    return int(values[0]), values[-1]


def _empty_tail(problem: str = "") -> MetricsTail:
    return MetricsTail(np.zeros(0, np.int64), np.zeros(0), None, True, problem)


def read_metrics_tail(run_dir: str | os.PathLike, max_bytes: int = TAIL_BYTES) -> MetricsTail:
    """Reads the header, the first row and the last `max_bytes` of a run's metrics.csv.

    Args:
        run_dir: the run folder.
        max_bytes: how much of the file's end to read.

    Returns:
        The tail; no rows and no problem for a missing or empty file; a `problem` for a file
        that cannot be read, has no header, or whose rows near its end (the last one cut
        short, say) do not parse.
    """
    path = os.path.join(run_dir, METRICS_FILE)
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(min(size, HEAD_BYTES))
            whole = size <= max_bytes
            if whole:
                body = head + f.read()
            else:
                f.seek(size - max_bytes)
                body = f.read(max_bytes)
    except FileNotFoundError:
        return _empty_tail()
    except OSError as exc:
        return _empty_tail(f"{METRICS_FILE} cannot be read: {exc.strerror or exc}")
    if not head:
        return _empty_tail()
    head_lines = head.decode("utf-8", errors="replace").splitlines()
    if tuple(head_lines[0].strip().split(",")[: len(METRIC_FIELDS)]) != METRIC_FIELDS:
        return _empty_tail(f"{METRICS_FILE} is not a metrics table (its header is missing)")
    first = _parse_row(head_lines[1]) if len(head_lines) > 1 else None
    # The first line is the header, or a row the seek cut: either way not a row to read.
    lines = body.decode("utf-8", errors="replace").split("\n")[1:]
    cut = lines.pop() if lines and not body.endswith(b"\n") else ""
    rows = [_parse_row(line) for line in lines if line.strip()]
    bad = sum(row is None for row in rows)
    rows = [row for row in rows if row is not None]
    steps = np.array([r[0] for r in rows], dtype=np.int64)
    times = np.array([r[1] for r in rows], dtype=np.float64)
    problems = []
    if cut.strip():
        problems.append(f"{METRICS_FILE} ends in a cut-off row (read up to step {_last(steps)})")
    if bad:
        problems.append(f"{METRICS_FILE}: {bad} rows near its end cannot be read")
    problem = "; ".join(problems)
    return MetricsTail(steps, times, first[0] if first else None, whole, problem)


def _last(steps: np.ndarray) -> int:
    return int(steps[-1]) if len(steps) else 0


def _seconds_since(tail: MetricsTail, step: int) -> float:
    """Seconds trained from `step` to the last row, without pauses; steps before the tail's
    first row count at its typical pace."""
    after = tail.steps >= step
    if not after.any():
        return 0.0
    seconds = trained_seconds(tail.times[after])
    typical = float(seconds[0])  # trained_seconds starts at one typical gap
    return float(seconds[-1] - seconds[0]) + typical * max(0, int(tail.steps[after][0]) - step)


def seconds_trained(run_dir: str | os.PathLike, tail: MetricsTail) -> float | None:
    """A run's seconds trained: its newest checkpoint's count (`trained_time.json`) and the
    steps logged since, else its logged steps' times without pauses; None: nothing logged."""
    times = read_trained_times(run_dir)
    if times:
        step = max(times)
        return times[step] + _seconds_since(tail, step)
    if not len(tail.steps):
        return None
    start = tail.first_step if tail.first_step is not None else int(tail.steps[0])
    typical = float(trained_seconds(tail.times)[0])
    return typical + _seconds_since(tail, start)


def read_note(run_dir: str | os.PathLike) -> str:
    """The run's note (NOTE_FILE; "" for none), at most `MAX_NOTE_BYTES`, bad bytes replaced."""
    try:
        with open(os.path.join(run_dir, NOTE_FILE), "rb") as f:
            return f.read(MAX_NOTE_BYTES).decode("utf-8", errors="replace").strip()
    except OSError:
        return ""


def _config(run_dir: str) -> tuple[TrainConfig | None, TrainConfig | None, str]:
    """(the config as saved, resolved, problem): a value out of range is a problem too."""
    try:
        config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE))
        return config, config.resolved(), ""
    except ConfigError as exc:
        return None, None, str(exc)
    except (OSError, ValueError, TypeError) as exc:  # a file no config check foresaw
        return None, None, f"{os.path.join(run_dir, CONFIG_FILE)}: {exc}"


def _quality(run_dir: str):
    """(reports, problem) of quality.csv: the rows that read, and how many did not."""
    path = os.path.join(run_dir, QUALITY_FILE)
    try:
        size = os.path.getsize(path)
    except OSError:
        return [], ""
    if size > MAX_QUALITY_BYTES:
        return [], f"{QUALITY_FILE} is too large to be a quality table ({size >> 20} MB)"
    reports = read_quality(run_dir)
    try:
        with open(path, "rb") as f:
            lines = [line for line in f.read().split(b"\n") if line.strip()]
    except OSError as exc:
        return reports, f"{QUALITY_FILE} cannot be read: {exc.strerror or exc}"
    if not lines:
        return [], ""
    if not lines[0].startswith(QUALITY_HEADER_START):
        return [], f"{QUALITY_FILE} is not a quality table (its header is missing)"
    unread = len(lines) - 1 - len(reports)
    if unread > 0:
        return reports, f"{QUALITY_FILE}: {unread} of {len(lines) - 1} rows cannot be read"
    return reports, ""


def _sweep_of(run_dir: str) -> str | None:
    parent = os.path.dirname(run_dir)
    return os.path.basename(parent) if is_sweep_dir(parent) else None


def read_summary(run_dir: str | os.PathLike) -> RunSummary:
    """Reads what the runs library shows of a run folder; never raises.

    Args:
        run_dir: the run folder.

    Returns:
        Its summary; a damaged folder's names its damage in `problem` and leaves what it
        could not read empty.
    """
    folder = os.path.abspath(os.fspath(run_dir))
    problems = []
    config, resolved, problem = _config(folder)
    problems.append(problem)
    tail = read_metrics_tail(folder)
    problems.append(tail.problem)
    reports, problem = _quality(folder)
    problems.append(problem)
    fields = {}
    if config is not None:
        fields.update(dataset=config.dataset, preset=config.preset,
                      levers=_levers(config), batch_size=resolved.batch_size)
    steps = tail.last_step
    fields["images"] = steps * fields["batch_size"] if fields.get("batch_size") else None
    if reports:
        best = min(reports, key=lambda r: r.fd)
        fields.update(newest_fd=reports[-1].fd, newest_fd_step=reports[-1].step,
                      best_fd=best.fd, best_fd_step=best.step)
    return RunSummary(
        folder=folder, name=os.path.basename(folder), steps=steps,
        seconds=seconds_trained(folder, tail), grid=latest_grid_png(folder),
        note=read_note(folder), sweep=_sweep_of(folder), activity=run_activity(folder),
        problem="; ".join(p for p in problems if p), **fields)


def _levers(config: TrainConfig) -> str:
    try:
        return lever_label(config, list(levers_off_preset(config)))
    except (ValueError, TypeError, KeyError):  # a preset or lever value no rule foresaw
        return ""

"""A sweep's ranking: its runs ordered by the quality meter's FD at the end of their equal
budget (lower is better); runs without that number come last, each saying why."""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.quality.report import QualityReport, read_quality
from gan_studio.core.runs.layout import CONFIG_FILE, list_checkpoints
from gan_studio.core.runs.lever_diff import lever_label
from gan_studio.core.runs.trained_time import trained_seconds_at
from gan_studio.core.sweep.sweep_file import DONE, FAILED, PENDING, SweepState
from gan_studio.core.text_table import aligned_rows


@dataclass(frozen=True)
class RankedRun:
    """One row of a sweep's ranking.

    Args:
        rank: 1 for the lowest FD; None for a run without a final measurement.
        index: the run's place in the plan's grid.
        label: its varied levers as the command line names them (`lr 0.0002`).
        levers: those levers' values, name → value.
        fd, kid, score, diversity: its final quality report's numbers (None: none, or a
            number the data set has not, as a classifier score on unlabelled data).
        steps: the steps it trained (its last checkpoint's).
        images: the images it saw (`steps` × its batch).
        minutes: the minutes it trained (None: not recorded).
        run_dir: its run folder ("" before it started).
        state: its state in sweep.json.
        reason: why it has no rank ("" when it has one).
    """

    rank: int | None
    index: int
    label: str
    levers: dict
    fd: float | None
    kid: float | None
    score: float | None
    diversity: float | None
    steps: int
    images: int
    minutes: float | None
    run_dir: str
    state: str
    reason: str = ""

    def to_dict(self) -> dict:
        """The row as JSON-ready data."""
        return asdict(self)


def final_report(run_dir: str) -> tuple[int, QualityReport | None]:
    """A run's last checkpoint step and the quality report measured at it (None: none)."""
    checkpoints = list_checkpoints(run_dir) if run_dir else []
    step = checkpoints[-1][0] if checkpoints else 0
    reports = [r for r in read_quality(run_dir) if r.step == step] if checkpoints else []
    return step, (reports[-1] if reports else None)


def _batch_size(run_dir: str, fallback: int) -> int:
    try:
        return int(TrainConfig.load(os.path.join(run_dir, CONFIG_FILE)).batch_size or fallback)
    except (ConfigError, TypeError, ValueError):
        return fallback


def _why_unranked(state: str, reason: str, has_folder: bool) -> str:
    if state == FAILED:
        return f"failed: {reason}" if reason else "failed"
    if state == PENDING or not has_folder:
        return "not trained yet"
    if state != DONE:
        return "stopped before its budget's end (continue the sweep)"
    return "no quality measurement at its last step"


def rank_sweep(sweep: SweepState) -> list[RankedRun]:
    """Ranks a sweep's runs by FD at their last step, lowest first; ties and unranked runs
    keep the plan's order (a stable sort), and unranked runs follow the ranked ones."""
    configs = sweep.plan.run_configs()
    names = sweep.plan.lever_names
    rows = []
    for index, (run, config) in enumerate(zip(sweep.runs, configs, strict=True)):
        run_dir = sweep.run_path(index)
        has_folder = bool(run_dir) and os.path.isdir(run_dir)
        step, report = final_report(run_dir) if has_folder else (0, None)
        seconds = trained_seconds_at(run_dir, step) if has_folder and step else 0.0
        ranked = report is not None and run.state == DONE and math.isfinite(report.fd)
        rows.append(RankedRun(
            rank=None, index=index, label=lever_label(config, names), levers=dict(run.levers),
            fd=report.fd if ranked else None, kid=report.kid if ranked else None,
            score=report.score if ranked and report.labelled else None,
            diversity=report.diversity if ranked else None, steps=step,
            images=step * _batch_size(run_dir, config.batch_size) if has_folder else 0,
            minutes=seconds / 60 if seconds else None, run_dir=run_dir, state=run.state,
            reason="" if ranked else _why_unranked(run.state, run.reason, has_folder)))
    order = sorted(rows, key=lambda r: (r.fd is None, r.fd if r.fd is not None else 0.0, r.index))
    rank = 0
    out = []
    for row in order:
        if row.fd is not None:
            rank += 1
        out.append(RankedRun(**{**row.to_dict(), "rank": rank if row.fd is not None else None}))
    return out


def _format(value, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def ranking_table(ranking: list[RankedRun], folder: str) -> str:
    """The ranking as a text table: rank, levers, FD, KID, score and diversity (where any run
    has them), steps, images, minutes and run folder; unranked runs say why below."""
    columns = [("rank", lambda r: str(r.rank) if r.rank else "–"),
               ("levers", lambda r: r.label), ("FD", lambda r: _format(r.fd, ".3f")),
               ("KID", lambda r: _format(r.kid, ".4f"))]
    if any(r.score is not None for r in ranking):
        columns.append(("score", lambda r: _format(r.score, ".2f")))
    if any(r.diversity is not None for r in ranking):
        columns.append(("diversity", lambda r: _format(r.diversity, ".3f")))
    columns += [("steps", lambda r: f"{r.steps:,}"), ("images", lambda r: f"{r.images:,}"),
                ("minutes", lambda r: _format(r.minutes, ".1f")),
                ("run folder", lambda r: os.path.relpath(r.run_dir, folder) if r.run_dir
                 else "–")]
    cells = [[name for name, _ in columns]] + [[cell(r) for _, cell in columns] for r in ranking]
    lines = aligned_rows(cells)
    lines += [f"{r.label}: {r.reason}" for r in ranking if r.reason]
    return "\n".join(lines)

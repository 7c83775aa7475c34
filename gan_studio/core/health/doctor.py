"""The training doctor: reads a run's curves and measurements and names what it sees.

Each `Finding` has its evidence (with numbers) and one `Remedy` (a lever changed, continuing
from a named checkpoint). What is judged, and the thresholds (README, "Training doctor"):
non-finite losses (`curves.non_finite`), a discriminator that wins (`curves.
discriminator_winning`), oscillation (`curves.oscillation`), mode collapse (the quality
history's `collapse_warning`), memorisation (`copy_warning`), a checkerboard in the newest
sample grid (`checkerboard_score`) and quality that stalled (`quality_stalled`).

Nothing but non-finite losses is judged while the generator is in its untrained start
(`core.quality.collapse.untrained_start`, told from its quality evaluations): a young
generator's samples are blurred, alike and patterned, and its discriminator wins easily,
which is how every run starts, not a problem. Non-finite losses are never normal.

Example:

```python
for finding in diagnose("runs/mnist-20261207-120629"):
    print(finding.title, finding.evidence, finding.remedy.text, sep="\\n")
```
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass, field

import numpy as np

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.health import curves
from gan_studio.core.health.checkerboard import CHECKERBOARD_RATIO, checkerboard_score
from gan_studio.core.health.findings import Diagnosis, Finding, FindingKind
from gan_studio.core.health.remedies import remedy
from gan_studio.core.latent.space import sample_grid_shape
from gan_studio.core.quality.collapse import collapse_warning, untrained_start
from gan_studio.core.quality.copy_rate import copy_warning
from gan_studio.core.quality.report import FD_NAME, QUALITY_FIELDS, QualityReport, read_quality
from gan_studio.core.runs.grid_files import saved_grids
from gan_studio.core.runs.history import NEWEST_TRIES
from gan_studio.core.runs.layout import (
    CONFIG_FILE,
    METRICS_FILE,
    QUALITY_FILE,
    best_checkpoint,
    checkpoint_step,
    is_run_dir,
    list_checkpoints,
)
from gan_studio.core.runs.metrics_log import METRIC_FIELDS, read_metrics

STALL_EVALUATIONS = 4  # evaluations after the best without a better FD ...
STALL_SHARE = 0.5  # ... over at least this share of the steps it took to reach the best


class RunUnreadable(ValueError):
    """A folder the doctor cannot examine: one line naming it and why."""


@dataclass(frozen=True)
class RunRecord:
    """What the doctor reads of a run folder (`read_run`), or a test builds.

    Args:
        run_dir: the run folder.
        config: its settings.
        metrics: `read_metrics`' arrays.
        reports: its quality evaluations, oldest first.
        checkpoints: (step, prefix), oldest first.
        best: the best checkpoint by FD, (step, prefix), or None.
        grid: the newest sample grid's pixels, or None.
        grid_step: the step that grid was drawn at.
        notes: what could not be read, and so was not checked.
    """

    run_dir: str
    config: TrainConfig
    metrics: dict
    reports: tuple[QualityReport, ...] = ()
    checkpoints: tuple[tuple[int, str], ...] = ()
    best: tuple[int, str] | None = None
    grid: np.ndarray | None = None
    grid_step: int = 0
    notes: tuple[str, ...] = field(default=())


def read_run(run_dir: str | os.PathLike) -> RunRecord:
    """Reads what the doctor needs of a run folder; call it off the GUI thread.

    Raises:
        RunUnreadable: if the folder is missing or not a run folder, or its config.json,
            metrics.csv or quality.csv is damaged.
    """
    run_dir = os.fspath(run_dir)
    if not os.path.isdir(run_dir):
        raise RunUnreadable(f"{run_dir}: no such folder")
    if not is_run_dir(run_dir):
        raise RunUnreadable(f"{run_dir} is not a GAN Studio run folder (it has no {CONFIG_FILE})")
    try:
        config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE))
    except ConfigError as exc:
        raise RunUnreadable(str(exc)) from None
    _check_header(run_dir, METRICS_FILE, lambda header: header[:len(METRIC_FIELDS)]
                  == METRIC_FIELDS, "metrics log")
    _check_header(run_dir, QUALITY_FILE, lambda header: len(header) > 0
                  and QUALITY_FIELDS[:len(header)] == header, "quality log")
    metrics = _read(read_metrics, run_dir, METRICS_FILE)
    reports = tuple(_read(read_quality, run_dir, QUALITY_FILE))
    checkpoints = tuple(list_checkpoints(run_dir))
    best = best_checkpoint(run_dir)
    grid, grid_step, notes = _newest_grid(run_dir, metrics)
    return RunRecord(run_dir, config, metrics, reports, checkpoints,
                     None if best is None else (checkpoint_step(best), best), grid, grid_step,
                     notes)


def diagnose(run: str | os.PathLike | RunRecord) -> list[Finding]:
    """The problems a run shows, most urgent first; empty for a healthy run.

    Args:
        run: a run folder, or what `read_run` read of one.

    Raises:
        RunUnreadable: if `run` is a folder that cannot be examined.
    """
    return list(examine(run).findings)


def examine(run: str | os.PathLike | RunRecord) -> Diagnosis:
    """The whole `Diagnosis` of a run: its findings, whether it is in its untrained start,
    and what was checked.

    Raises:
        RunUnreadable: if `run` is a folder that cannot be examined.
    """
    record = run if isinstance(run, RunRecord) else read_run(run)
    steps = record.metrics.get("step", np.zeros(0))
    checked = [f"losses of {len(steps):,} steps", f"{len(record.reports)} quality evaluations"]
    findings = []
    stretch = curves.non_finite(record.metrics)
    if stretch is not None:
        findings.append(_non_finite(record, stretch))
    untrained = untrained_start(list(record.reports))
    if not untrained:
        findings += [f for f in (_collapse(record), _memorisation(record), _winning(record),
                                 _oscillating(record)) if f is not None]
        if record.grid is not None:
            checked.append(f"the sample grid of step {record.grid_step:,}")
            findings += [f for f in (_checkerboard(record),) if f is not None]
        findings += [f for f in (_stalled(record),) if f is not None]
    return Diagnosis(tuple(findings), untrained, tuple(checked), record.notes)


def quality_stalled(reports) -> tuple[QualityReport, QualityReport, int] | None:
    """Whether FD stopped improving: `STALL_EVALUATIONS` evaluations or more after the best,
    over at least `STALL_SHARE` of the steps it took to reach it.

    Returns:
        (the best evaluation, the newest, how many came after the best), or None.
    """
    if not reports:
        return None
    best_index = min(range(len(reports)), key=lambda i: (reports[i].fd, i))
    best, now = reports[best_index], reports[-1]
    after = len(reports) - 1 - best_index
    if after < STALL_EVALUATIONS or now.step - best.step < STALL_SHARE * best.step:
        return None
    return best, now, after


# ---- one finding each ----------------------------------------------------------------------
def _non_finite(record: RunRecord, stretch: curves.Stretch) -> Finding:
    values = stretch.values
    return Finding(
        FindingKind.NON_FINITE, "The losses are not finite",
        f"{values['column']} became NaN or infinite at step {stretch.first_step:,}; "
        f"{values['count']:,} logged steps are not finite.",
        stretch.first_step, stretch.last_step,
        remedy(FindingKind.NON_FINITE, record.config, list(record.checkpoints),
               stretch.first_step, strictly=True))


def _winning(record: RunRecord) -> Finding | None:
    stretch = curves.discriminator_winning(record.metrics)
    if stretch is None:
        return None
    return Finding(
        FindingKind.DISCRIMINATOR_WINNING, "The discriminator is winning",
        f"From step {stretch.first_step:,} to {stretch.last_step:,}, D(x) averaged "
        f"{stretch.values['d_real']:.2f} and D(G(z)) {stretch.values['d_fake']:.2f} "
        f"(thresholds {curves.WIN_REAL:g} and {curves.WIN_FAKE:g} for {curves.WIN_STEPS} "
        "steps): it tells generated images from real ones at a glance, and the generator "
        "learns little from it.",
        stretch.first_step, stretch.last_step,
        remedy(FindingKind.DISCRIMINATOR_WINNING, record.config, list(record.checkpoints),
               stretch.first_step))


def _oscillating(record: RunRecord) -> Finding | None:
    stretch = curves.oscillation(record.metrics)
    if stretch is None:
        return None
    values = stretch.values
    return Finding(
        FindingKind.OSCILLATION, "Training oscillates",
        f"From step {stretch.first_step:,}, the balance D(x) − D(G(z)) swung "
        f"{values['swings']} times between {values['low']:.2f} and {values['high']:.2f} "
        f"(median {values['median']:.2f}; a swing is {curves.SWING:g} from it): the networks "
        "take turns winning instead of improving together.",
        stretch.first_step, stretch.last_step,
        remedy(FindingKind.OSCILLATION, record.config, list(record.checkpoints), None))


def _collapse(record: RunRecord) -> Finding | None:
    reports = list(record.reports)
    warning = collapse_warning(reports, record.config.class_names)
    if warning is None:
        return None
    return Finding(FindingKind.MODE_COLLAPSE, "Signs of mode collapse", warning.message,
                   warning.step, warning.step,
                   remedy(FindingKind.MODE_COLLAPSE, record.config, list(record.checkpoints),
                          warning.step, best=record.best))


def _memorisation(record: RunRecord) -> Finding | None:
    warning = copy_warning(list(record.reports))
    if warning is None:
        return None
    first = warning.before_step if warning.before_step is not None else warning.step
    return Finding(FindingKind.MEMORISATION, "The generator gives training images back",
                   warning.message, first, warning.step,
                   remedy(FindingKind.MEMORISATION, record.config, list(record.checkpoints),
                          warning.before_step if warning.before_step is not None else None))


def _checkerboard(record: RunRecord) -> Finding | None:
    rows, columns = sample_grid_shape(record.config.grid_size, record.config.condition_classes)
    try:
        result = checkerboard_score(record.grid, rows, columns)
    except ValueError:
        return None  # a grid of another layout (a hand-made last.png): nothing to measure
    if not result.flagged:
        return None
    return Finding(
        FindingKind.CHECKERBOARD, "Checkerboard artefacts",
        f"The samples of step {record.grid_step:,} repeat a pattern every few pixels: their "
        f"spectrum's peak at {result.peak[0]}, {result.peak[1]} cycles per tile is "
        f"{result.score:.1f} times the power around it (threshold {CHECKERBOARD_RATIO:g}; "
        f"{result.flagged_share:.0%} of the tiles reach it on their own).",
        record.grid_step, record.grid_step,
        remedy(FindingKind.CHECKERBOARD, record.config, list(record.checkpoints), None))


def _stalled(record: RunRecord) -> Finding | None:
    stalled = quality_stalled(list(record.reports))
    if stalled is None:
        return None
    best, now, after = stalled
    return Finding(
        FindingKind.QUALITY_STALLED, "Quality stopped improving",
        f"The best {FD_NAME}, {best.fd:.2f}, was measured at step {best.step:,}; the {after} "
        f"evaluations since, to step {now.step:,}, did not beat it (the newest: {now.fd:.2f}).",
        best.step, now.step,
        remedy(FindingKind.QUALITY_STALLED, record.config, list(record.checkpoints),
               best.step, best=record.best))


# ---- reading ---------------------------------------------------------------------------------
def _check_header(run_dir: str, name: str, fits, what: str) -> None:
    """A run file that is there must be what its name says; a missing one is fine (a run
    that has not logged yet, or measures no quality)."""
    path = os.path.join(run_dir, name)
    if not os.path.isfile(path) or os.path.getsize(path) == 0:
        return
    try:
        with open(path, newline="", encoding="utf-8") as f:
            header = tuple(next(csv.reader(f), ()))
    except (OSError, csv.Error, UnicodeDecodeError) as exc:
        raise RunUnreadable(f"cannot read {path}: {_reason(exc)}") from None
    if not fits(header):
        raise RunUnreadable(f"cannot read {path}: it is not a GAN Studio {what} (its first "
                            "line names other columns)")


def _read(reader, run_dir: str, name: str):
    try:
        return reader(run_dir)
    except (OSError, csv.Error, UnicodeDecodeError, ValueError) as exc:
        raise RunUnreadable(f"cannot read {os.path.join(run_dir, name)}: it is damaged "
                            f"({_reason(exc)})") from None


def _reason(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return "it is not UTF-8 text"
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__


def _newest_grid(run_dir: str, metrics: dict) -> tuple[np.ndarray | None, int, tuple[str, ...]]:
    """The newest sample grid that reads (of the steps logged: a run rolled back may keep
    grids of the future it dropped), its step, and a note when none does."""
    from gan_studio.core.images import load_image

    steps = metrics.get("step", np.zeros(0, np.int64))
    newest = int(steps[-1]) if len(steps) else 0
    grids = [g for g in saved_grids(run_dir, metrics)
             if g.step is not None and (not len(steps) or g.step <= newest)]
    if not grids:
        return None, 0, ("no sample grid yet: the checkerboard check waits for one",)
    problem = ""
    for grid in reversed(grids[-NEWEST_TRIES:]):
        try:
            return load_image(grid.path), grid.step, ()
        except (OSError, ValueError) as exc:
            problem = problem or f"the sample grid {grid.path} cannot be read ({_reason(exc)})"
    return None, 0, (f"{problem}: the checkerboard check is skipped",)

"""One quality evaluation's numbers, and a run's quality.csv (one row per evaluation)."""

from __future__ import annotations

import csv
import dataclasses
import math
import os
from dataclasses import dataclass

from gan_studio.core.atomic import atomic_path
from gan_studio.core.runs.layout import QUALITY_FILE

FD_NAME = "FD (data-set features)"  # never "FID": the features are not Inception's


@dataclass(frozen=True)
class QualityReport:
    """How good a generator's samples were at one step, against held-out real images.

    Args:
        step: the training step evaluated (0 for a generator file).
        epoch: its zero-based epoch.
        fd: Fréchet distance in the data set's feature network ("FD (data-set features)").
        kid: kernel distance (KID's unbiased estimator) in the same features.
        kid_error: the standard error of `kid`.
        diversity: mean pairwise feature distance relative to real images' (1: as diverse).
        score: the classifier score (an Inception-Score analogue, 1 to the number of
            classes), or None for unlabelled data.
        rarest_class: the share of samples in the least predicted class (None: unlabelled).
        commonest_class: the share of samples in the most predicted class (None: unlabelled).
        classes: the number of classes (0: unlabelled).
        samples: how many generated images were scored.
        seconds: how long the evaluation took.
        time: wall-clock time of the evaluation (seconds since the epoch).
        class_accuracy: a conditional generator's samples: the share the classifier puts in
            the class they were drawn for (None: not a conditional generator on labelled data).
        class_diversity: a conditional generator's samples: per class, their mean pairwise
            feature distance relative to the real images of the class
            (`statistics.class_diversity`; NaN for a class too small to tell), or None.
        copy_rate: the share of samples nearer to a training image than all but the closest
            `copy_rate.PERCENTILE` of held-out real images are (`core/quality/copy_rate.py`):
            near `copy_floor` for a generator that makes new images, near 1 for one that
            gives training images back; None: not measured.
        copy_floor: the same share for held-out real images (what a faithful generator
            scores), or None.
    """

    step: int
    epoch: int
    fd: float
    kid: float
    kid_error: float
    diversity: float
    score: float | None = None
    rarest_class: float | None = None
    commonest_class: float | None = None
    classes: int = 0
    samples: int = 0
    seconds: float = 0.0
    time: float = 0.0
    class_accuracy: float | None = None
    class_diversity: tuple[float, ...] | None = None
    copy_rate: float | None = None
    copy_floor: float | None = None

    @property
    def labelled(self) -> bool:
        """Whether class numbers were measured."""
        return self.score is not None

    @property
    def class_diversity_mean(self) -> float | None:
        """The mean of `class_diversity` over the classes it could measure (None: none)."""
        known = self._known_class_diversity()
        return sum(known.values()) / len(known) if known else None

    @property
    def least_varied_class(self) -> tuple[int, float] | None:
        """(class, ratio) of the class whose samples vary least against its real images."""
        known = self._known_class_diversity()
        return min(known.items(), key=lambda item: item[1]) if known else None

    def _known_class_diversity(self) -> dict[int, float]:
        return {c: d for c, d in enumerate(self.class_diversity or ()) if math.isfinite(d)}

    def summary(self) -> str:
        """One line for a status bar or a terminal."""
        text = (f"{FD_NAME} {self.fd:.2f}, KID {self.kid:.4f} ± {self.kid_error:.4f}, "
                f"diversity {self.diversity:.2f}")
        if self.labelled:
            text += (f", score {self.score:.2f}/{self.classes}, classes "
                     f"{self.rarest_class:.0%}–{self.commonest_class:.0%}")
        if self.class_accuracy is not None:
            text += f", {self.class_accuracy:.0%} of the asked class"
        if self.least_varied_class is not None:
            worst, ratio = self.least_varied_class
            text += (f", within-class diversity {self.class_diversity_mean:.2f} "
                     f"(class {worst}: {ratio:.2f})")
        if self.copy_rate is not None:
            text += f", copy rate {self.copy_rate:.1%}"
            if self.copy_floor is not None:
                text += f" (real images {self.copy_floor:.1%})"
        return text


QUALITY_FIELDS = tuple(f.name for f in dataclasses.fields(QualityReport))
_REQUIRED = tuple(f.name for f in dataclasses.fields(QualityReport)
                  if f.default is dataclasses.MISSING)


# Columns added after the first quality.csv files were written, in the order they came: a file
# that ends before any of these groups still reads.
_OPTIONAL = (("class_accuracy", "class_diversity"), ("copy_rate", "copy_floor"))
_LIST_SEPARATOR = " "  # the cells of a tuple field: one number per class
_KNOWN_HEADERS = tuple(QUALITY_FIELDS[:len(QUALITY_FIELDS) - sum(len(g) for g in _OPTIONAL[i:])]
                       for i in range(len(_OPTIONAL) + 1))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return _LIST_SEPARATOR.join(repr(float(v)) for v in value)
    return str(int(value)) if isinstance(value, int) else repr(float(value))  # round-trips


def append_quality(run_dir: str | os.PathLike, report: QualityReport) -> None:
    """Appends `report` as a row of the run's quality.csv (writing the header first)."""
    path = os.path.join(run_dir, QUALITY_FILE)
    new = not os.path.isfile(path) or os.path.getsize(path) == 0
    if not new and _header(path) != QUALITY_FIELDS:
        _rewrite(path, read_quality(run_dir))  # an older file's rows, under today's header
    with open(path, "a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if new:
            writer.writerow(QUALITY_FIELDS)
        writer.writerow([_cell(getattr(report, name)) for name in QUALITY_FIELDS])


def drop_quality_after(run_dir: str | os.PathLike, step: int) -> None:
    """Drops the evaluations after `step` from quality.csv, atomically (a run rolled back)."""
    path = os.path.join(run_dir, QUALITY_FILE)
    if not os.path.isfile(path):
        return
    kept = read_quality(run_dir, up_to_step=step)
    if len(kept) == len(read_quality(run_dir)):
        return
    _rewrite(path, kept)


def _rewrite(path: str, reports: list[QualityReport]) -> None:
    """Writes `reports` as the whole quality.csv at `path`, atomically."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(QUALITY_FIELDS)
        for report in reports:
            writer.writerow([_cell(getattr(report, name)) for name in QUALITY_FIELDS])


def _header(path: str) -> tuple[str, ...]:
    try:
        with open(path, newline="", encoding="utf-8") as f:
            return tuple(next(csv.reader(f), ()))
    except (OSError, csv.Error, UnicodeDecodeError):
        return ()


def read_quality(run_dir: str | os.PathLike, up_to_step: int | None = None) -> list[QualityReport]:
    """Reads a run's quality.csv defensively (malformed rows are skipped), oldest first.

    Args:
        run_dir: the run folder.
        up_to_step: drop evaluations after this step (a run rolled back to it).

    Returns:
        The reports; empty when the file is missing or has another header. A header without
        the columns added later (`_OPTIONAL`, at its end) reads, those fields left None.
    """
    types = {f.name: f.type for f in dataclasses.fields(QualityReport)}
    reports = []
    try:
        # Bytes that are not UTF-8 (a damaged file) become U+FFFD, which no number parses.
        with open(os.path.join(run_dir, QUALITY_FILE), newline="", encoding="utf-8",
                  errors="replace") as f:
            reader = csv.reader(f)
            header = tuple(next(reader, ()))
            if header not in _KNOWN_HEADERS:
                return []
            for row in reader:
                report = _parse(row, header, types)
                if report is not None and (up_to_step is None or report.step <= up_to_step):
                    reports.append(report)
    except (OSError, csv.Error):
        return reports
    return reports


def _parse(row: list[str], header: tuple[str, ...], types: dict) -> QualityReport | None:
    if len(row) != len(header):
        return None
    values = {}
    try:
        for name, text in zip(header, row):
            if text == "":
                values[name] = None
            elif types[name].startswith("tuple"):  # NaN allowed: a class too small to tell
                values[name] = tuple(float(v) for v in text.split(_LIST_SEPARATOR))
            elif types[name] == "int":
                values[name] = int(text)
            else:
                values[name] = float(text)
                if not math.isfinite(values[name]):
                    return None
    except ValueError:
        return None
    if any(values.get(name) is None for name in _REQUIRED):
        return None
    return QualityReport(**values)

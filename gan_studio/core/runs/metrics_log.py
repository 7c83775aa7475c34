"""A run's metrics.csv: one row per training step, appended as training goes."""

from __future__ import annotations

import csv
import os

import numpy as np

from gan_studio.core.atomic import atomic_path
from gan_studio.core.runs.layout import METRICS_FILE
from gan_studio.core.training.progress import StepMetrics

METRIC_FIELDS = ("step", "epoch", "g_loss", "d_loss", "d_real", "d_fake", "time")


class MetricsLog:
    """Appends per-step metrics to `metrics.csv`, truncating rows past a resume point."""

    def __init__(self, run_dir: str, resume_step: int = 0):
        self.path = os.path.join(run_dir, METRICS_FILE)
        self._drop_rows_after(resume_step)
        new = not os.path.isfile(self.path) or os.path.getsize(self.path) == 0
        self._file = open(self.path, "a", newline="", encoding="utf-8")
        self._writer = csv.writer(self._file)
        if new:
            self._writer.writerow(METRIC_FIELDS)
            self._file.flush()

    def _drop_rows_after(self, step: int) -> None:
        # After a roll-back the log must not keep the abandoned future.
        if not os.path.isfile(self.path):
            return
        data = read_metrics(os.path.dirname(self.path))
        keep = data["step"] <= step
        if keep.all():
            return
        with atomic_path(self.path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(METRIC_FIELDS)
            for i in np.flatnonzero(keep):
                writer.writerow([_fmt(data[k][i]) for k in METRIC_FIELDS[:-1]]
                                + [f"{data['time'][i]:.3f}"])

    def append(self, rows: list[StepMetrics]) -> None:
        """Appends one row per step, in the columns of METRIC_FIELDS, and flushes."""
        self._writer.writerows([[_fmt(getattr(row, k)) for k in METRIC_FIELDS[:-1]]
                                + [f"{float(row.time):.3f}"] for row in rows])
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _fmt(value) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.7g}"


def read_metrics(run_dir: str | os.PathLike) -> dict[str, np.ndarray]:
    """Reads a run's metrics.csv defensively (malformed rows and undecodable bytes are
    skipped; a file the csv reader gives up on keeps the rows read before).

    Args:
        run_dir: the run folder.

    Returns:
        A dict of float64 arrays keyed by METRIC_FIELDS ("step" and "epoch" as int64); empty
        arrays when the file is missing.
    """
    path = os.path.join(run_dir, METRICS_FILE)
    rows = []
    try:
        # Bytes that are not UTF-8 (a damaged file) become U+FFFD, which no number parses.
        with open(path, newline="", encoding="utf-8", errors="replace") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header and tuple(header[: len(METRIC_FIELDS)]) == METRIC_FIELDS:
                for row in reader:
                    try:
                        rows.append([float(v) for v in row[: len(METRIC_FIELDS)]])
                    except ValueError:
                        continue
    except (OSError, csv.Error):
        pass
    rows = [r for r in rows if len(r) == len(METRIC_FIELDS)]
    table = np.array(rows, dtype=np.float64).reshape(-1, len(METRIC_FIELDS))
    out = {name: table[:, i] for i, name in enumerate(METRIC_FIELDS)}
    out["step"] = out["step"].astype(np.int64)
    out["epoch"] = out["epoch"].astype(np.int64)
    return out

"""Run folders: layout, metrics.csv and the last sample grid."""

from __future__ import annotations

import csv
import os
import time

import numpy as np

from gan_studio.core.config import TrainConfig

METRIC_FIELDS = ("step", "epoch", "g_loss", "d_loss", "d_real", "d_fake", "time")
CONFIG_FILE = "config.json"
METRICS_FILE = "metrics.csv"
CHECKPOINT_DIR = "checkpoints"
SAMPLES_DIR = "samples"
LAST_GRID = "last.png"


def dataset_slug(dataset: str) -> str:
    """Returns a short folder-safe name for a dataset name or path."""
    base = os.path.basename(os.path.normpath(dataset)) or "data"
    base = os.path.splitext(base)[0] if base.endswith((".zip", ".gz")) else base
    slug = "".join(c if c.isalnum() or c in "-_" else "_" for c in base)
    return slug[:40] or "data"


def new_run_dir(config: TrainConfig) -> str:
    """Creates `runs_dir/<dataset>-<timestamp>/` (suffixing a counter if it exists) and returns it."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = os.path.join(config.runs_dir, f"{dataset_slug(config.dataset)}-{stamp}")
    path, n = base, 1
    while True:
        try:
            os.makedirs(path)
            break
        except FileExistsError:
            n += 1
            path = f"{base}-{n}"
    for sub in (CHECKPOINT_DIR, SAMPLES_DIR):
        os.makedirs(os.path.join(path, sub), exist_ok=True)
    return os.path.abspath(path)


def is_run_dir(path: str | os.PathLike) -> bool:
    """Whether `path` looks like a GAN Studio run folder (it holds a config.json)."""
    return os.path.isfile(os.path.join(path, CONFIG_FILE))


def latest_grid_png(run_dir: str | os.PathLike) -> str | None:
    """Returns the newest sample grid PNG of a run, or None."""
    samples = os.path.join(run_dir, SAMPLES_DIR)
    last = os.path.join(samples, LAST_GRID)
    if os.path.isfile(last):
        return last
    try:
        grids = sorted(f for f in os.listdir(samples) if f.endswith(".png"))
    except OSError:
        return None
    return os.path.join(samples, grids[-1]) if grids else None


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
        from gan_studio.core.atomic import atomic_path

        with atomic_path(self.path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(METRIC_FIELDS)
            for i in np.flatnonzero(keep):
                writer.writerow([_fmt(data[k][i]) for k in METRIC_FIELDS[:-1]]
                                + [f"{data['time'][i]:.3f}"])

    def append(self, rows: list[tuple]) -> None:
        """Appends rows of (step, epoch, g_loss, d_loss, d_real, d_fake, time) and flushes."""
        self._writer.writerows([[_fmt(v) for v in row[:-1]] + [f"{float(row[-1]):.3f}"]
                                for row in rows])
        self._file.flush()

    def close(self) -> None:
        self._file.close()


def _fmt(value) -> str:
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return f"{float(value):.7g}"


def read_metrics(run_dir: str | os.PathLike) -> dict[str, np.ndarray]:
    """Reads a run's metrics.csv defensively (malformed rows are skipped).

    Args:
        run_dir: the run folder.

    Returns:
        A dict of float64 arrays keyed by METRIC_FIELDS ("step" and "epoch" as int64); empty
        arrays when the file is missing.
    """
    path = os.path.join(run_dir, METRICS_FILE)
    rows = []
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.reader(f)
            header = next(reader, None)
            if header and tuple(header[: len(METRIC_FIELDS)]) == METRIC_FIELDS:
                for row in reader:
                    try:
                        rows.append([float(v) for v in row[: len(METRIC_FIELDS)]])
                    except ValueError:
                        continue
    except OSError:
        pass
    rows = [r for r in rows if len(r) == len(METRIC_FIELDS)]
    table = np.array(rows, dtype=np.float64).reshape(-1, len(METRIC_FIELDS))
    out = {name: table[:, i] for i, name in enumerate(METRIC_FIELDS)}
    out["step"] = out["step"].astype(np.int64)
    out["epoch"] = out["epoch"].astype(np.int64)
    return out

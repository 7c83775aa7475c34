"""What a training run writes besides checkpoints: metrics.csv, PNG grids, TensorBoard events."""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.grid import tile_grid
from gan_studio.core.images import save_png
from gan_studio.core.quality.report import QualityReport, append_quality
from gan_studio.core.runs.layout import LAST_GRID, SAMPLES_DIR
from gan_studio.core.runs.metrics_log import MetricsLog
from gan_studio.core.training.progress import StepMetrics
from gan_studio.ml.device import import_tensorflow


class RunOutputs:
    """Writes a run's metrics, sample grids and TensorBoard events.

    Args:
        run_dir: the run folder.
        resume_step: the step training restarts from; metrics logged after it are dropped.
    """

    def __init__(self, run_dir: str, resume_step: int = 0):
        tf = import_tensorflow()
        self.run_dir = run_dir
        self.metrics = MetricsLog(run_dir, resume_step)
        # Event files sit in the run folder itself, so `tensorboard --logdir runs` lists one run
        # per folder.
        self.writer = tf.summary.create_file_writer(run_dir)

    def write_metrics(self, rows: list[StepMetrics]) -> None:
        """Logs each step's metrics to metrics.csv and TensorBoard."""
        self.metrics.append(rows)
        tf = import_tensorflow()
        with self.writer.as_default():
            for row in rows:
                tf.summary.scalar("loss/generator", row.g_loss, step=row.step)
                tf.summary.scalar("loss/discriminator", row.d_loss, step=row.step)
                tf.summary.scalar("D/real", row.d_real, step=row.step)
                tf.summary.scalar("D/fake", row.d_fake, step=row.step)
        self.writer.flush()

    def save_grid(self, tiles: np.ndarray, columns: int, step: int,
                  name: str | None = None) -> np.ndarray:
        """Tiles, saves (as `samples/last.png` and optionally `samples/<name>`) and logs a grid.

        Returns:
            The grid image, uint8 (H, W, C).
        """
        grid = tile_grid(tiles, columns=columns)
        samples = os.path.join(self.run_dir, SAMPLES_DIR)
        save_png(os.path.join(samples, LAST_GRID), grid)
        if name:
            save_png(os.path.join(samples, name), grid)
        tf = import_tensorflow()
        with self.writer.as_default():
            tf.summary.image("samples", grid[None], step=step)
        self.writer.flush()
        return grid

    def write_quality(self, report: QualityReport) -> None:
        """Logs a quality evaluation to quality.csv and TensorBoard (`quality/...`)."""
        append_quality(self.run_dir, report)
        tf = import_tensorflow()
        values = {"fd": report.fd, "kid": report.kid, "diversity": report.diversity,
                  "score": report.score, "commonest_class": report.commonest_class,
                  "rarest_class": report.rarest_class}
        with self.writer.as_default():
            for name, value in values.items():
                if value is not None:
                    tf.summary.scalar(f"quality/{name}", value, step=report.step)
        self.writer.flush()

    def close(self) -> None:
        self.metrics.close()
        self.writer.close()

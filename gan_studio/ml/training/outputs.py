"""What a training run writes besides checkpoints: metrics.csv, PNG grids, TensorBoard events."""

from __future__ import annotations

import contextlib
import logging
import os

import numpy as np

from gan_studio.core.images import save_png
from gan_studio.core.quality.report import QualityReport, append_quality
from gan_studio.core.runs.grid_files import StepGridFiles
from gan_studio.core.runs.layout import LAST_GRID, QUALITY_FILE, SAMPLES_DIR, step_grid_name
from gan_studio.core.runs.metrics_log import MetricsLog
from gan_studio.core.training.progress import StepMetrics
from gan_studio.ml.runtime.device import import_tensorflow

_LOG = logging.getLogger(__name__)


class OutputError(Exception):
    """A file of the run could not be written (a full disk, a size limit, no permission); its
    message is one line naming the file."""


@contextlib.contextmanager
def _writing(what: str):
    tf = import_tensorflow()
    try:
        yield
    except OSError as exc:
        raise OutputError(f"Cannot write {what}: {exc.strerror or exc}") from exc
    except tf.errors.OpError as exc:
        raise OutputError(f"Cannot write {what}: {exc.message.splitlines()[0]}") from exc


class RunOutputs:
    """Writes a run's metrics, sample grids and TensorBoard events.

    Each writing method raises OutputError if the disk refuses; what it did write is whole
    (images are written atomically; a CSV row cut short is skipped when read back).

    Args:
        run_dir: the run folder.
        resume_step: the step training restarts from; metrics logged after it are dropped.
    """

    def __init__(self, run_dir: str, resume_step: int = 0):
        tf = import_tensorflow()
        self.run_dir = run_dir
        self.metrics = MetricsLog(run_dir, resume_step)
        self._step_grids = StepGridFiles(run_dir, resume_step)
        # Event files sit in the run folder itself, so `tensorboard --logdir runs` lists one run
        # per folder.
        self.writer = tf.summary.create_file_writer(run_dir)
        self._events = f"TensorBoard events in {run_dir}"

    def write_metrics(self, rows: list[StepMetrics]) -> None:
        """Logs each step's metrics to metrics.csv and TensorBoard."""
        with _writing(self.metrics.path):
            self.metrics.append(rows)
        tf = import_tensorflow()
        with _writing(self._events), self.writer.as_default():
            for row in rows:
                tf.summary.scalar("loss/generator", row.g_loss, step=row.step)
                tf.summary.scalar("loss/discriminator", row.d_loss, step=row.step)
                tf.summary.scalar("D/real", row.d_real, step=row.step)
                tf.summary.scalar("D/fake", row.d_fake, step=row.step)
            self.writer.flush()

    def save_grid(self, grid: np.ndarray, step: int, name: str | None = None) -> None:
        """Saves a grid image (uint8 (H, W, C)) as `samples/last.png`, as the grid of `step`
        (the timelapse, see `StepGridFiles`) and optionally `samples/<name>`, and logs it to
        TensorBoard."""
        samples = os.path.join(self.run_dir, SAMPLES_DIR)
        by_step = step_grid_name(step)
        for file_name in (LAST_GRID, by_step) + ((name,) if name else ()):
            path = os.path.join(samples, file_name)
            with _writing(f"the sample grid {path}"):
                save_png(path, grid)
            if file_name == by_step:
                self._step_grids.added(step, path)
        tf = import_tensorflow()
        with _writing(self._events), self.writer.as_default():
            tf.summary.image("samples", grid[None], step=step)
            self.writer.flush()

    def write_quality(self, report: QualityReport) -> None:
        """Logs a quality evaluation to quality.csv and TensorBoard (`quality/...`)."""
        with _writing(os.path.join(self.run_dir, QUALITY_FILE)):
            append_quality(self.run_dir, report)
        tf = import_tensorflow()
        values = {"fd": report.fd, "kid": report.kid, "diversity": report.diversity,
                  "score": report.score, "commonest_class": report.commonest_class,
                  "rarest_class": report.rarest_class, "copy_rate": report.copy_rate}
        with _writing(self._events), self.writer.as_default():
            for name, value in values.items():
                if value is not None:
                    tf.summary.scalar(f"quality/{name}", value, step=report.step)
            self.writer.flush()

    def close(self) -> None:
        """Closes the files; a full disk here is only logged (the run has ended anyway)."""
        for close in (self.metrics.close, self.writer.close):
            try:
                close()
            except (OSError, import_tensorflow().errors.OpError) as exc:
                _LOG.warning("closing the outputs of %s: %s", self.run_dir, exc)

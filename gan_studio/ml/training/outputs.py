"""What a training run writes besides checkpoints: metrics.csv, PNG grids, TensorBoard events
(scalars, grids, and the run's levers through TensorBoard's HParams plugin)."""

from __future__ import annotations

import contextlib
import logging
import os

import numpy as np

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.images import save_png
from gan_studio.core.levers import LEVERS
from gan_studio.core.quality.report import QualityReport, append_quality
from gan_studio.core.runs.grid_files import StepGridFiles
from gan_studio.core.runs.layout import (
    CONFIG_FILE,
    LAST_GRID,
    QUALITY_FILE,
    SAMPLES_DIR,
    step_grid_name,
)
from gan_studio.core.runs.lever_diff import lever_value
from gan_studio.core.runs.metrics_log import MetricsLog
from gan_studio.core.training.progress import StepMetrics
from gan_studio.ml.runtime.device import import_tensorflow

_LOG = logging.getLogger(__name__)

# The metrics TensorBoard's HParams table shows beside the levers (the scalars' tags).
HPARAM_METRICS = (("quality/fd", "FD (data-set features)"), ("quality/kid", "KID"),
                  ("quality/diversity", "diversity"))


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

    At the start of each session it logs the run's levers (`hparams_of`) with TensorBoard's
    HParams plugin, so that `tensorboard --logdir runs` tables the runs by their levers and
    quality.

    Args:
        run_dir: the run folder.
        resume_step: the step training restarts from; metrics logged after it are dropped.
        config: the run's config, whose levers are logged (None: its config.json's, which
            the trainer has written by now; none there, none logged).
    """

    def __init__(self, run_dir: str, resume_step: int = 0, config: TrainConfig | None = None):
        tf = import_tensorflow()
        self.run_dir = run_dir
        self.metrics = MetricsLog(run_dir, resume_step)
        self._step_grids = StepGridFiles(run_dir, resume_step)
        # Event files sit in the run folder itself, so `tensorboard --logdir runs` lists one run
        # per folder.
        self.writer = tf.summary.create_file_writer(run_dir)
        self._events = f"TensorBoard events in {run_dir}"
        if config is None:
            try:
                config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE))
            except ConfigError:
                config = None
        if config is not None:
            self.write_hparams(config)

    def write_hparams(self, config: TrainConfig) -> None:
        """Logs the run's levers, data set and preset, and the metrics to table them by."""
        try:
            from tensorboard.plugins.hparams import api as hp
        except ImportError as exc:  # a table in TensorBoard is never worth a run
            _LOG.warning("no HParams for %s: %s", self.run_dir, exc)
            return

        values = hparams_of(config)
        with _writing(self._events), self.writer.as_default():
            hp.hparams_config(hparams=[hp.HParam(name) for name in values],
                              metrics=[hp.Metric(tag, display_name=name)
                                       for tag, name in HPARAM_METRICS])
            hp.hparams(values, trial_id=os.path.basename(os.path.normpath(self.run_dir)))
            self.writer.flush()

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
        _write_quality(self.run_dir, self.writer, report)

    def close(self) -> None:
        """Closes the files; a full disk here is only logged (the run has ended anyway)."""
        for close in (self.metrics.close, self.writer.close):
            try:
                close()
            except (OSError, import_tensorflow().errors.OpError) as exc:
                _LOG.warning("closing the outputs of %s: %s", self.run_dir, exc)


def hparams_of(config: TrainConfig) -> dict:
    """The values TensorBoard's HParams table shows for a run: its data set, preset and every
    lever's value (the preset's where the config leaves one unset). A lever without a value
    is left out: logged as a text, it would make TensorBoard take the lever for a text in
    every run and hide the runs that hold numbers."""
    values = {"dataset": str(config.dataset), "preset": str(config.preset)}
    for name in LEVERS:
        value = lever_value(config, name)
        if isinstance(value, (bool, int, float, str)):
            values[name] = value
    return values


def _write_quality(run_dir: str, writer, report: QualityReport) -> None:
    """Appends a quality evaluation to the run's quality.csv and its numbers to `writer`."""
    with _writing(os.path.join(run_dir, QUALITY_FILE)):
        append_quality(run_dir, report)
    tf = import_tensorflow()
    values = {"fd": report.fd, "kid": report.kid, "diversity": report.diversity,
              "score": report.score, "commonest_class": report.commonest_class,
              "rarest_class": report.rarest_class, "copy_rate": report.copy_rate}
    with _writing(f"TensorBoard events in {run_dir}"), writer.as_default():
        for name, value in values.items():
            if value is not None:
                tf.summary.scalar(f"quality/{name}", value, step=report.step)
        writer.flush()


def log_final_quality(run_dir: str, report: QualityReport) -> None:
    """Logs a measurement made after training (a sweep's, of a run's final checkpoint) as
    the trainer logs its own: quality.csv and TensorBoard (without opening the run's
    metrics.csv, which a `RunOutputs` would cut back to its resume step).

    Raises:
        OutputError: if the disk refuses.
    """
    tf = import_tensorflow()
    writer = tf.summary.create_file_writer(run_dir)
    try:
        _write_quality(run_dir, writer, report)
    finally:
        try:
            writer.close()
        except (OSError, tf.errors.OpError) as exc:
            _LOG.warning("closing the events of %s: %s", run_dir, exc)

"""The quality meter during training: when to measure, and what a measurement leads to.

The feature network is prepared between GAN steps, never more than `PREPARE_SHARE` of the
training time so far (a cached one loads in one step). Once it is ready the generator that
draws samples is measured at an epoch's end when at least half of `quality_every_minutes` has
passed since the last measurement, after `quality_every_minutes` in any case, at the end of
training, and whenever one is requested. Each measurement is logged (quality.csv,
TensorBoard), keeps the best checkpoint under best/, and is checked for mode collapse.
"""

from __future__ import annotations

import logging
import time
import traceback

from gan_studio.core.config import TrainConfig
from gan_studio.core.quality.collapse import collapse_warning
from gan_studio.core.quality.report import (
    FD_NAME,
    QualityReport,
    drop_quality_after,
    read_quality,
)
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.progress import Event

log = logging.getLogger(__name__)

PREPARE_SHARE = 0.08  # the most of the training time the feature network's preparation takes
PREPARE_AFTER = 20.0  # seconds of training before it starts: short runs pay nothing


class LiveQuality:
    """Measures a training run's generator as it trains (see the module's docstring).

    Args:
        config: the run's configuration.
        run_dir: the run folder (quality.csv, best/).
        data: the training `Dataset` (images, labels, classes) the GAN learns from.
        callbacks: receives `on_quality`, `on_collapse` and events.
        store: the run's `CheckpointStore` (`save_best`).
        outputs: the run's `RunOutputs` (quality.csv and TensorBoard).
        resume_step: the step training restarts from; later measurements are dropped.
        emit_event: sends an `Event` (the trainer's, which reports progress first).
        generator: the Keras generator that draws samples (the one measured).
        paused_clock: a context manager that stops the progress clock while measuring.
    """

    def __init__(self, config: TrainConfig, run_dir: str, data, callbacks: TrainingCallbacks,
                 store, outputs, resume_step: int, emit_event, generator, paused_clock):
        self.config, self.run_dir, self._data = config, run_dir, data
        self._callbacks, self._store, self._outputs = callbacks, store, outputs
        self._emit_event = emit_event
        self._generator, self._paused_clock = generator, paused_clock
        drop_quality_after(run_dir, resume_step)
        self.history: list[QualityReport] = read_quality(run_dir)
        self._best_fd = min((r.fd for r in self.history), default=float("inf"))
        self._meter = None
        self._requested = False
        self._off = False
        self._started = time.monotonic()
        self._last = time.monotonic()  # a resumed run waits a full interval as a new one does

    @property
    def automatic(self) -> bool:
        """Whether measurements happen without being asked for."""
        return self.config.quality_every_minutes > 0

    @property
    def interval(self) -> float:
        """Seconds between measurements."""
        return self.config.quality_every_minutes * 60

    @property
    def _wanted(self) -> bool:
        """Whether measuring is on (automatically or asked for) and has not been turned off."""
        return not self._off and (self.automatic or self._requested)

    def request(self) -> None:
        """Measures as soon as the feature network is ready (at once if it is)."""
        self._requested = True

    def stop(self) -> None:
        """Measures no more in this run (its weights went non-finite: nothing to score)."""
        self._off = True

    def after_step(self, step: int, epoch: int) -> None:
        """Called between GAN steps: prepares a little, and measures when one is due.

        Args:
            step: the global step just trained.
            epoch: its zero-based epoch.
        """
        if not self._wanted or not self._ready_enough():
            return
        if self._requested or time.monotonic() - self._last >= self.interval:
            self.measure(step, epoch)

    def at_epoch_end(self, step: int, epoch: int) -> None:
        """Measures at an epoch's end once half an interval has passed since the last time."""
        if self._wanted and self.automatic and self._meter_ready() and \
                time.monotonic() - self._last >= self.interval / 2:
            self.measure(step, epoch)

    def at_end(self, step: int, epoch: int) -> None:
        """Measures the final generator, unless the last measurement was of this step.

        Training is over, so the feature network may now finish its preparation at full
        speed: every run of more than `PREPARE_AFTER` seconds ends with a measurement.
        """
        if not self._wanted or (self.history and self.history[-1].step == step):
            return
        if not self._meter_ready() and time.monotonic() - self._started >= PREPARE_AFTER:
            self._requested = True  # no budget any more
            while not self._off and not self._ready_enough():
                pass
        if self._meter_ready():
            self.measure(step, epoch)

    def measure(self, step: int, epoch: int) -> QualityReport | None:
        """Scores the generator now, logs the numbers and acts on them; None if the meter failed.

        Raises:
            OutputError, CheckpointError: if quality.csv or the best checkpoint cannot be
                written.
        """
        self._requested = False
        self._last = time.monotonic()
        try:
            with self._paused_clock():
                report = self._meter.evaluate(self._generator, step=step, epoch=epoch)
        except Exception as exc:  # noqa: BLE001 - the meter is optional, training is not
            self._fail(exc)
            return None
        self.history.append(report)
        self._callbacks.on_quality(report)
        warning = collapse_warning(self.history)
        if warning is not None:
            self._callbacks.on_collapse(warning)
        # The writes last: one the disk refuses (OutputError, CheckpointError) reaches the
        # trainer, which pauses the run, and the next evaluation tries again.
        self._outputs.write_quality(report)
        if report.fd < self._best_fd:
            path = self._store.save_best(step)
            self._best_fd = report.fd
            self._emit_event(Event("best", f"Best {FD_NAME} so far ({report.fd:.2f}), kept as "
                                   f"best/ (step {step})", {"path": path, "step": step}))
        return report

    # ---- the feature network ---------------------------------------------------------------
    def _meter_ready(self) -> bool:
        return self._meter is not None and self._meter.ready

    def _ready_enough(self) -> bool:
        """Prepares the meter within its budget; returns whether it is ready."""
        if self._meter_ready():
            return True
        trained = time.monotonic() - self._started
        if not self._requested and trained < PREPARE_AFTER:
            return False
        try:
            if self._meter is None:
                self._meter = self._make_meter()
            if self._requested or self._meter.feature_seconds < PREPARE_SHARE * trained:
                self._meter.prepare_step()
        except Exception as exc:  # noqa: BLE001 - the meter is optional, training is not
            self._fail(exc)
            return False
        return self._meter.ready

    def _make_meter(self):
        from gan_studio.ml.quality.sources import meter_for_data

        return meter_for_data(self.config, self._data, download_heldout=False)

    def _fail(self, exc: Exception) -> None:
        self._off = True
        if not isinstance(exc, (OSError, ValueError)):  # not the data's fault: a bug to report
            log.error("the quality meter failed:\n%s", traceback.format_exc())
        self._emit_event(Event("quality_off", f"The quality meter is off for this run: {exc}"))

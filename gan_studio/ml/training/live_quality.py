"""The quality meter during training: when to measure, and what a measurement leads to.

The feature network is prepared between GAN steps: after the first `PREPARE_AFTER` seconds
(short runs pay nothing), each call prepares for one slice (`PREPARE_SLICE`, or as long as the
trainer took since the last call, up to `PREPARE_SLICE_MAX`) while the preparation has taken
less than `PREPARE_SHARE` of the time trained. Its cost is fixed (the network trains once per
data set, then loads from the cache in one step), so paying it early costs a long run
nothing, and the meter comes online within minutes even on a slow CPU. A measurement asked
for (Evaluate Now) or due at the end of training finishes the preparation at once, telling
how far along it is in `quality_preparing` events. The preparation counts as training time on
the progress clock (it is part of training's cost); a measurement does not.

Once the meter is ready the generator that draws samples is measured at once (the session's
first number), then at an epoch's end when at least half of the `interval` has passed since
the last measurement, after the `interval` in any case, at the end of training, and whenever
one is requested. The interval is `quality_every_minutes`, shortened to a sixth of a shorter
time budget.
Each measurement is logged (quality.csv, TensorBoard), keeps the best checkpoint under best/,
and is checked for mode collapse. A request the meter cannot answer (it failed, or the run's
weights went non-finite) is answered with one `quality_off` line saying why.
"""

from __future__ import annotations

import logging
import math
import time
import traceback
from collections.abc import Callable

from gan_studio.core.quality.collapse import collapse_warning
from gan_studio.core.quality.report import (
    FD_NAME,
    QualityReport,
    drop_quality_after,
    read_quality,
)
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.ml.training.hooks import RunContext, RunHook

log = logging.getLogger(__name__)

MIN_INTERVAL = 60.0  # seconds: the shortest interval a time budget shortens it to

PREPARE_AFTER = 20.0  # seconds of training before preparing starts: short runs pay nothing
# The most of the time trained (since the start) that the preparation may take: 0.5 lets it
# take as long as the GAN's own steps until it is done, which happens once per data set.
PREPARE_SHARE = 0.5
# Seconds of preparation between two GAN steps: this, or as long as the trainer took since
# the last call if that is longer (so slow steps still leave it its share), up to the max
# (a pause or a slow save must not block the next step for long).
PREPARE_SLICE = 1.0
PREPARE_SLICE_MAX = 4.0
PROGRESS_EVERY = 1.0  # seconds between the `quality_preparing` events of a blocking preparation
NOT_READY = "the quality meter's feature network was still training (once per data set), and " \
            "Stop does not wait for it; Evaluate Now, or a run that ends by itself, waits for it"
NON_FINITE = "training diverged (NaN or Inf losses), so there is nothing to score; roll back " \
             "to a checkpoint to measure again"


def _about(seconds: float) -> str:
    """`about 40 s left`, `about 3 min left`."""
    if seconds < 90:
        return f"about {max(1, math.ceil(seconds))} s left"
    return f"about {math.ceil(seconds / 60)} min left"


class LiveQuality(RunHook):
    """Measures a training run's generator as it trains (see the module's docstring).

    A hook (`RunHook`): after each step it answers an Evaluate Now request and prepares or
    measures (`after_step`), at a round's end it measures if half an interval has passed
    (`at_epoch_end`), and at the end it measures the final generator (`at_end`); a refused
    write there goes to `ctx.faults`. It reads what it needs from the session's `RunContext`:
    the run folder (quality.csv, best/), the data, the callbacks (`on_quality`,
    `on_collapse`), the checkpoint store (`save_best`), the outputs (quality.csv and
    TensorBoard), the event emitter, the generator that draws samples (the one measured) and
    the progress meter, whose clock stops while it measures.

    It is made when the session starts, before the hooks' `on_run_start`: it drops the
    measurements after the step the session starts from, reads the rest (`history`) and
    starts its clock. On a worker that is not the chief it measures nothing.

    Args:
        ctx: the session's `RunContext`.
        clock: the time in seconds (tests pass their own, which advances as they say).

    Example:

    ```python
    quality = LiveQuality(ctx)
    quality.request()  # Evaluate Now: measured after the next step
    quality.after_step(step, epoch)
    ```
    """

    def __init__(self, ctx: RunContext, clock: Callable[[], float] = time.monotonic):
        self._ctx, self.config, self.run_dir = ctx, ctx.config, ctx.write_dir
        self._clock = clock
        drop_quality_after(self.run_dir, ctx.start_step)
        self.history: list[QualityReport] = read_quality(self.run_dir)
        self._best_fd = min((r.fd for r in self.history), default=float("inf"))
        self._warned = False  # the last measurement raised a collapse warning
        self._meter = None
        self._requested = False
        self._off_reason: str | None = None  # why the meter is off; None while it is on
        self._started = clock()
        self._last = self._started
        # The first number comes as soon as the meter is ready, then one each interval.
        self._first_due = self.automatic
        self._returned = self._started  # when `after_step` last handed back to the trainer
        self._prepared = 0.0  # seconds spent preparing the meter so far
        if not ctx.is_chief:  # measured, logged and kept by the chief alone
            self.stop()

    # ---- the hook --------------------------------------------------------------------------
    def on_step_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        if ctx.control.take_evaluation_request():
            self.request()
        ctx.faults.guarded(self.after_step, step, epoch)

    def on_non_finite(self, ctx: RunContext, step: int) -> None:
        self.stop()  # NaN weights score nothing, and must not be best/

    def on_epoch_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        ctx.faults.guarded(self.at_epoch_end, step, epoch)

    def on_run_end(self, ctx: RunContext, step: int, epoch: int, stopped: bool) -> dict:
        """Adds `unmeasured` to the end event: why a wanted last number is missing."""
        return {"unmeasured": ctx.faults.guarded(self.at_end, step, epoch, stopped) or ""}

    # ---- when to measure -------------------------------------------------------------------
    @property
    def automatic(self) -> bool:
        """Whether measurements happen without being asked for."""
        return self.config.quality_every_minutes > 0

    @property
    def interval(self) -> float:
        """Seconds between measurements: `quality_every_minutes`, or a sixth of a shorter
        time budget (a minute at least), so that a short run gets a curve too."""
        every = self.config.quality_every_minutes * 60
        budget = self.config.max_minutes * 60
        return min(every, max(MIN_INTERVAL, budget / 6)) if budget else every

    @property
    def _wanted(self) -> bool:
        """Whether measuring is on (automatically or asked for) and has not been turned off."""
        return self._off_reason is None and (self.automatic or self._requested)

    def request(self) -> None:
        """Measures at the next step, finishing the feature network's preparation first."""
        self._requested = True

    def stop(self, reason: str = NON_FINITE) -> None:
        """Measures no more in this run; a later request is answered with `reason`.

        Args:
            reason: why, completing "The quality meter is off for this run: …" (default:
                its weights went non-finite, the trainer's reason).
        """
        if self._off_reason is None:
            self._off_reason = reason

    def after_step(self, step: int, epoch: int) -> None:
        """Called between GAN steps: prepares within the share, and measures when one is due.

        A requested measurement is always answered here: with a report (after preparing
        completely, however long that takes), or with one `quality_off` line saying why not.

        Args:
            step: the global step just trained.
            epoch: its zero-based epoch.
        """
        try:
            if self._requested and self._off_reason is not None:
                self._requested = False
                self._say_off()
            elif self._requested:
                self._requested = False  # one answer per request, a report or the failure
                if self._prepare_now():
                    self.measure(step, epoch)
            elif self._wanted and self._prepare_within_share() and (
                    self._first_due or self._clock() - self._last >= self.interval):
                self.measure(step, epoch)
        finally:
            self._returned = self._clock()

    def at_epoch_end(self, step: int, epoch: int) -> None:
        """Measures at an epoch's end once half an interval has passed since the last time."""
        if self._wanted and self.automatic and self._meter_ready() and \
                self._clock() - self._last >= self.interval / 2:
            self.measure(step, epoch)

    def at_end(self, step: int, epoch: int, stopped: bool = False) -> str:
        """Measures the final generator, unless the last measurement was of this step.

        Training is over, so the feature network may now finish its preparation at full
        speed: every run of more than `PREPARE_AFTER` seconds ends with a measurement. A
        stopped run waits for no network still to train (minutes, the first time a data set
        is measured): Stop stays quick. One loaded from the cache has only the held-out
        images' features left (seconds), so it is finished.

        Returns:
            Why a measurement that was wanted could not be made ("" when it was made, was not
            wanted, or the meter is off: its `quality_off` line said why).
        """
        if not self._wanted or (self.history and self.history[-1].step == step):
            return ""
        short = self._clock() - self._started < PREPARE_AFTER
        if not self._meter_ready() and (
                self._meter is not None and self._meter.from_cache if stopped else not short):
            self._prepare_now()
        if self._meter_ready():
            self.measure(step, epoch)
        if self._meter_ready() or self._off_reason is not None:
            return ""
        return (f"the run trained under {PREPARE_AFTER:.0f} s, before the quality meter "
                "prepares its feature network" if short else NOT_READY)

    def measure(self, step: int, epoch: int) -> QualityReport | None:
        """Scores the generator now, logs the numbers and acts on them; None if the meter failed.

        Raises:
            OutputError, CheckpointError: if quality.csv or the best checkpoint cannot be
                written.
        """
        self._requested = False
        self._last = self._clock()
        self._first_due = False
        try:
            with self._ctx.progress.paused():
                report = self._meter.evaluate(self._ctx.gan.sampler, step=step, epoch=epoch)
        except Exception as exc:  # noqa: BLE001 - the meter is optional, training is not
            self._fail(exc)
            return None
        self.history.append(report)
        self._ctx.callbacks.on_quality(report)
        warning = collapse_warning(self.history, self.config.class_names)
        if warning is not None:
            self._ctx.callbacks.on_collapse(warning)
        elif self._warned:  # the window's warning would otherwise outlive what it warned of
            self._ctx.emit(Event(EventKind.COLLAPSE_CLEARED, f"No signs of mode collapse at step "
                                   f"{step:,} any more", {"step": step}))
        self._warned = warning is not None
        # The writes last: one the disk refuses (OutputError, CheckpointError) reaches the
        # trainer, which pauses the run, and the next evaluation tries again.
        self._ctx.outputs.write_quality(report)
        if report.fd < self._best_fd:
            path = self._ctx.store.save_best(step)
            self._best_fd = report.fd
            self._ctx.emit(Event(EventKind.BEST, f"Best {FD_NAME} so far ({report.fd:.2f}), "
                                   f"kept as best/ (step {step})", {"path": path, "step": step}))
        return report

    # ---- the feature network ---------------------------------------------------------------
    def _meter_ready(self) -> bool:
        return self._meter is not None and self._meter.ready

    def _prepare_within_share(self) -> bool:
        """Prepares the meter for one slice at the most, while the preparation has taken less
        than `PREPARE_SHARE` of the time trained; returns whether it is ready. Once ready it
        goes on with the training images' features, and reports carry the copy rate when
        those are done."""
        if self._meter is not None and self._meter.complete:
            return True
        now = self._clock()
        if now - self._started < PREPARE_AFTER:
            return False
        end = now + min(PREPARE_SLICE_MAX, max(PREPARE_SLICE, now - self._returned))
        was_ready = self._meter_ready()
        try:
            while now < end and self._prepared < PREPARE_SHARE * (now - self._started):
                if self._meter is None:
                    self._meter = self._make_meter()  # loads the test split: part of the cost
                else:
                    self._meter.prepare_step()
                later = self._clock()
                self._prepared += later - now
                now = later
                if self._meter.complete or self._meter.ready > was_ready:
                    break  # done, or just ready: the first number comes before the copy rate
        except Exception as exc:  # noqa: BLE001 - the meter is optional, training is not
            self._prepared += self._clock() - now
            self._fail(exc)
            return False
        return self._meter_ready()

    def _prepare_now(self) -> bool:
        """Finishes the preparation at once (blocking the GAN: a measurement is waiting), with
        a `quality_preparing` event every `PROGRESS_EVERY` seconds; returns whether it is
        ready (False: the meter failed and is off)."""
        if self._meter_ready():
            return True
        start = self._clock()
        told, first, total = [-math.inf], [], [0]

        def progress(done: int, count: int) -> None:
            now, total[0] = self._clock(), count
            if not first:
                first.append((now, done))
            if done >= count or now - told[0] < PROGRESS_EVERY:
                return
            told[0] = now
            (since, then) = first[0]
            left = f" ({_about((now - since) / (done - then) * (count - done))})" \
                if done > then else ""
            self._ctx.emit(Event(
                EventKind.QUALITY_PREPARING, "Preparing the quality meter's feature network, "
                f"once per data set: {done:,} / {count:,}{left}", {"done": done, "total": count}))

        try:
            if self._meter is None:
                self._meter = self._make_meter()
            self._meter.prepare(progress, copies=False)  # the copy rate may follow later
        except Exception as exc:  # noqa: BLE001 - the meter is optional, training is not
            self._fail(exc)
            return False
        finally:
            self._prepared += self._clock() - start
        if told[0] == -math.inf:
            return True  # ready at once: nothing was said, nothing to close
        self._ctx.emit(Event(
            EventKind.QUALITY_PREPARING, f"The quality meter is ready (prepared in "
            f"{self._prepared:.0f} s); measuring the generator's quality…",
            {"done": total[0], "total": total[0]}))
        return True

    def _make_meter(self):
        from gan_studio.ml.quality.meter_factory import meter_for_data

        return meter_for_data(self.config, self._ctx.data, download_heldout=False)

    def _fail(self, exc: Exception) -> None:
        if not isinstance(exc, (OSError, ValueError)):  # not the data's fault: a bug to report
            log.error("the quality meter failed:\n%s", traceback.format_exc())
        self.stop(str(exc))
        self._say_off()

    def _say_off(self) -> None:
        self._ctx.emit(Event(EventKind.QUALITY_OFF,
                               f"The quality meter is off for this run: {self._off_reason}"))

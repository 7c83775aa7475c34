"""Timing of a training loop, turned into `Progress` reports (pure Python + numpy)."""

from __future__ import annotations

import contextlib
import time

import numpy as np

from gan_studio.core.training.budget import TimeBudget
from gan_studio.core.training.progress import Progress, StepMetrics
from gan_studio.core.training.throttle import Throttle

LOSS_FIELDS = ("g_loss", "d_loss", "d_real", "d_fake")


class ProgressMeter:
    """Keeps a training loop's time and turns its steps into `Progress` reports.

    Steps given to `add` wait for `take_report`, which hands them over at most once per
    `interval` seconds (or when forced), with images/s measured over them and an ETA from a
    smoothed step time. This is the only place progress is throttled: whoever reports chooses
    the interval.

    Args:
        step: the step training starts from.
        total: the step training ends at.
        batch_size: images per step.
        steps_per_epoch: number of full batches in one epoch.
        interval: the shortest time between two reports, in seconds.
        budget: the run's `TimeBudget`; with a limited one, the ETA is the time it has left
            and `total` is re-estimated at each report from the speed measured.
    """

    def __init__(self, step: int, total: int, batch_size: int, steps_per_epoch: int,
                 interval: float = 0.05, budget: TimeBudget | None = None):
        self.total, self.batch_size, self.steps_per_epoch = total, batch_size, steps_per_epoch
        self._bound = total  # a count's end; a time's estimate never passes it
        self.budget = budget or TimeBudget()
        self.step = step
        self.start = self.last_grid_time = time.monotonic()
        self.last_grid_step = step
        self.window_steps, self.window_start = 0, self.start
        self.seconds_per_step = None
        self.paused_at = None
        self.paused_total = 0.0
        self._reports = Throttle(interval, ready=False)
        self._rows: list[StepMetrics] = []

    def add(self, rows: list[StepMetrics]) -> None:
        """Counts the steps of `rows` (in step order) and keeps them for the next report."""
        self.step += len(rows)
        self.window_steps += len(rows)
        self._rows.extend(rows)

    def pause(self) -> None:
        self.paused_at = time.monotonic()

    @contextlib.contextmanager
    def paused(self):
        """Stops the clock for the block's duration (a measurement that is not training)."""
        self.pause()
        try:
            yield
        finally:
            self.unpause()

    def unpause(self) -> None:
        gap = time.monotonic() - self.paused_at
        self.paused_total += gap
        self.window_start += gap
        self.last_grid_time += gap
        self.paused_at = None

    def grid_due(self, every_steps: int, every_seconds: float, step: int) -> bool:
        now = time.monotonic()
        if step - self.last_grid_step >= every_steps or now - self.last_grid_time >= every_seconds:
            self.last_grid_step, self.last_grid_time = step, now
            return True
        return False

    def take_report(self, force: bool = False) -> tuple[list[StepMetrics], Progress] | None:
        """Hands over the steps added since the last report, once `interval` has passed.

        Args:
            force: report now, however recent the last report was.

        Returns:
            The steps and their `Progress`, or None when there are none or it is too soon.
        """
        if not self._rows or not (force or self._reports.due()):
            return None
        self._reports.restart()
        rows, self._rows = self._rows, []
        return rows, self._progress(rows)

    def _progress(self, rows: list[StepMetrics]) -> Progress:
        now = time.monotonic()
        span = max(now - self.window_start, 1e-9)
        if self.window_steps:
            per_step = span / self.window_steps
            self.seconds_per_step = (per_step if self.seconds_per_step is None
                                     else 0.8 * self.seconds_per_step + 0.2 * per_step)
        ips = self.window_steps * self.batch_size / span
        self.window_steps, self.window_start = 0, now
        columns = {name: [getattr(row, name) for row in rows] for name in LOSS_FIELDS}
        mean = {name: float(np.mean(values)) for name, values in columns.items()}
        budget = self.budget
        if budget.limited:
            eta = budget.remaining
            if self.seconds_per_step:  # the steps the time left buys at the speed measured
                self.total = min(self._bound, self.step + int(eta / self.seconds_per_step))
        else:
            eta = (self.total - self.step) * (self.seconds_per_step or 0.0)
        return Progress(
            step=self.step, epoch=rows[-1].epoch, steps_per_epoch=self.steps_per_epoch,
            total_steps=self.total, **mean, images_per_sec=ips, eta_seconds=eta,
            trained_seconds=budget.trained, budget_seconds=budget.seconds,
            elapsed_seconds=now - self.start - self.paused_total,
            steps=[row.step for row in rows], g_losses=columns["g_loss"],
            d_losses=columns["d_loss"], d_reals=columns["d_real"], d_fakes=columns["d_fake"])

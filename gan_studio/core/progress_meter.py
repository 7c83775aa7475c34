"""Timing of a training loop, turned into `Progress` reports (pure Python + numpy)."""

from __future__ import annotations

import time

import numpy as np

from gan_studio.core.progress import Progress, StepMetrics


class ProgressMeter:
    """Keeps a training loop's time: images/s per report, ETA from a smoothed step time.

    Args:
        step: the step training starts from.
        total: the step training ends at.
        batch_size: images per step.
    """

    def __init__(self, step: int, total: int, batch_size: int):
        self.total, self.batch_size = total, batch_size
        self.step = step
        self.start = self.last_report = self.last_grid_time = time.monotonic()
        self.last_grid_step = step
        self.window_steps, self.window_start = 0, self.start
        self.seconds_per_step = None
        self.paused_at = None
        self.paused_total = 0.0

    def add(self, steps: int) -> None:
        self.step += steps
        self.window_steps += steps

    def pause(self) -> None:
        self.paused_at = time.monotonic()

    def unpause(self) -> None:
        gap = time.monotonic() - self.paused_at
        self.paused_total += gap
        self.window_start += gap
        self.last_grid_time += gap
        self.paused_at = None

    def report_due(self, interval: float) -> bool:
        return time.monotonic() - self.last_report >= interval

    def grid_due(self, every_steps: int, every_seconds: float, step: int) -> bool:
        now = time.monotonic()
        if step - self.last_grid_step >= every_steps or now - self.last_grid_time >= every_seconds:
            self.last_grid_step, self.last_grid_time = step, now
            return True
        return False

    def progress(self, rows: list[StepMetrics], steps_per_epoch: int) -> Progress:
        now = time.monotonic()
        span = max(now - self.window_start, 1e-9)
        if self.window_steps:
            per_step = span / self.window_steps
            self.seconds_per_step = (per_step if self.seconds_per_step is None
                                     else 0.8 * self.seconds_per_step + 0.2 * per_step)
        ips = self.window_steps * self.batch_size / span
        self.window_steps, self.window_start, self.last_report = 0, now, now
        columns = {name: [getattr(row, name) for row in rows]
                   for name in ("g_loss", "d_loss", "d_real", "d_fake")}
        mean = {name: float(np.mean(values)) for name, values in columns.items()}
        eta = (self.total - self.step) * (self.seconds_per_step or 0.0)
        return Progress(
            step=self.step, epoch=rows[-1].epoch, steps_per_epoch=steps_per_epoch,
            total_steps=self.total, **mean, images_per_sec=ips, eta_seconds=eta,
            elapsed_seconds=now - self.start - self.paused_total,
            steps=[row.step for row in rows], g_losses=columns["g_loss"],
            d_losses=columns["d_loss"], d_reals=columns["d_real"], d_fakes=columns["d_fake"])

"""Progress records that the trainer reports and the CLI and window display."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from gan_studio.core.training.events import EventKind


@dataclass(frozen=True, slots=True)
class StepMetrics:
    """What one training step measured: a row of a run's metrics.csv.

    The fields are in the order of `gan_studio.core.runs.metrics_log.METRIC_FIELDS`, the
    file's columns (a test keeps the two in step).

    Args:
        step: global step count after this step (the first step is 1).
        epoch: zero-based epoch of the step.
        g_loss: generator loss.
        d_loss: discriminator loss.
        d_real: mean D(x) (a probability) on the real images.
        d_fake: mean D(G(z)) (a probability) on the generated images.
        time: wall-clock time (`time.time()`) when the step's results were read.
    """

    step: int
    epoch: int
    g_loss: float
    d_loss: float
    d_real: float
    d_fake: float
    time: float

    @classmethod
    def after(cls, step: int, epoch: int, losses) -> list[StepMetrics]:
        """Records for the steps that follow `step`, one per row of `losses`.

        Args:
            step: the step count before them.
            epoch: their zero-based epoch.
            losses: (N, 4) values: g_loss, d_loss, d_real, d_fake per step.

        Returns:
            N records, timed now.
        """
        now = time.time()
        return [cls(step + i + 1, epoch, *map(float, row), now) for i, row in enumerate(losses)]


@dataclass
class Progress:
    """A training progress report, aggregated over the steps since the previous one.

    Args:
        step: global step count after the last step in this report.
        epoch: zero-based epoch of that step.
        steps_per_epoch: number of full batches in one epoch.
        total_steps: step at which training will end.
        g_loss: mean generator loss over the aggregated steps.
        d_loss: mean discriminator loss over the aggregated steps.
        d_real: mean D(x) (a probability) on real images.
        d_fake: mean D(G(z)) (a probability) on generated images.
        images_per_sec: real images consumed per second, measured over the aggregated steps.
        eta_seconds: estimated seconds until `total_steps`.
        elapsed_seconds: training seconds since this session started.
        steps: the individual step numbers covered by the report.
        g_losses: per-step generator losses (same length as `steps`).
        d_losses: per-step discriminator losses.
        d_reals: per-step D(x).
        d_fakes: per-step D(G(z)).
        trained_seconds: seconds the run has trained, earlier sessions included (pauses
            are not counted).
        budget_seconds: the run's length in time (0: its length is a count of steps or
            epochs; `total_steps` is then exact, else an estimate from the speed measured).
    """

    step: int
    epoch: int
    steps_per_epoch: int
    total_steps: int
    g_loss: float
    d_loss: float
    d_real: float
    d_fake: float
    images_per_sec: float
    eta_seconds: float
    elapsed_seconds: float
    steps: list[int] = field(default_factory=list)
    g_losses: list[float] = field(default_factory=list)
    d_losses: list[float] = field(default_factory=list)
    d_reals: list[float] = field(default_factory=list)
    d_fakes: list[float] = field(default_factory=list)
    trained_seconds: float = 0.0
    budget_seconds: float = 0.0

    @property
    def finite(self) -> bool:
        """Whether every loss in the report is finite."""
        return bool(np.all(np.isfinite(self.g_losses + self.d_losses + [self.g_loss, self.d_loss])))


@dataclass
class SampleGrid:
    """The fixed-noise sample grid at a given step.

    Args:
        step: global step when the grid was rendered.
        epoch: zero-based epoch of that step.
        image: uint8 array (H, W, C) with C 1 or 3: the tiled grid.
        tiles: uint8 array (N, h, w, C): the individual samples, in grid order.
        latents: float32 array (N, latent_dim): the fixed noise each tile was drawn from
            (None where unknown, e.g. a grid read back from a PNG).
        labels: int32 array (N,): the class each tile was drawn for (None: unconditional).
        columns: tiles per row of `image` (None: the smallest square that holds the tiles).
        scores: float32 (N,): the discriminator's probability that each tile is real, as D
            stood at `step` (None where unknown, e.g. a grid read back from a PNG).
    """

    step: int
    epoch: int
    image: np.ndarray
    tiles: np.ndarray
    latents: np.ndarray | None = None
    labels: np.ndarray | None = None
    columns: int | None = None
    scores: np.ndarray | None = None


@dataclass
class Event:
    """A one-off notice from the trainer (checkpoint saved, epoch finished, stopped...).

    Args:
        kind: what it tells: an `EventKind` (`gan_studio.core.training.events`), whose
            members say when each kind comes and what its `data` holds.
        message: text for a status bar or log.
        data: extra values, the kind's (e.g. `path` and `step` of a checkpoint).
    """

    kind: EventKind
    message: str
    data: dict = field(default_factory=dict)


def format_duration(seconds: float) -> str:
    """Formats seconds as `1:02:03` or `2:03` (negative or non-finite: `--:--`)."""
    if not np.isfinite(seconds) or seconds < 0:
        return "--:--"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"

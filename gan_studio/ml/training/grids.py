"""A training run's fixed-noise sample grid: saved, sent to the callbacks, and the generator
snapshots for the latent explorer that go with it."""

from __future__ import annotations

from gan_studio.core.grid import tile_grid
from gan_studio.core.runs.layout import epoch_grid_name
from gan_studio.core.training.progress import SampleGrid
from gan_studio.core.training.throttle import Throttle
from gan_studio.ml.training.hooks import RunContext, RunHook

GENERATOR_INTERVAL = 5.0  # seconds between generator snapshots for the latent explorer


class RunGrids(RunHook):
    """Renders the grid of a run's `GAN` and hands it on: at the start, when one is due
    (`sample_every_steps` or `sample_every_seconds`), at a round's end (also kept under the
    epoch's name) and at the end, unless the last grid was of that step.
    """

    def __init__(self):
        self._snapshots = Throttle(GENERATOR_INTERVAL)
        self.last_step: int | None = None  # the step of the grid sent last

    def on_run_start(self, ctx: RunContext) -> None:
        self.emit(ctx, ctx.start_step, ctx.start_step // ctx.progress.steps_per_epoch)

    def on_step_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        config = ctx.config
        if ctx.progress.grid_due(config.sample_every_steps, config.sample_every_seconds, step):
            self.emit(ctx, step, epoch)

    def on_epoch_end(self, ctx: RunContext, step: int, epoch: int) -> None:
        self.emit(ctx, step, epoch, name=epoch_grid_name(epoch))

    def on_run_end(self, ctx: RunContext, step: int, epoch: int, stopped: bool) -> None:
        if self.last_step != step:
            self.emit(ctx, step, epoch)

    def emit(self, ctx: RunContext, step: int, epoch: int, name: str | None = None) -> None:
        """Renders, saves (as `name` too, an epoch's grid) and sends the grid of `step`; a
        generator snapshot follows at most every `GENERATOR_INTERVAL` seconds, and always
        with a named grid."""
        gan, callbacks, self.last_step = ctx.gan, ctx.callbacks, step
        tiles = gan.sample_grid_tiles()
        grid = tile_grid(tiles, columns=gan.grid_columns)
        ctx.faults.guarded(ctx.outputs.save_grid, grid, step, name)
        labels = None if gan.sample_labels is None else gan.sample_labels.numpy().copy()
        callbacks.on_grid(SampleGrid(
            step=step, epoch=epoch, image=grid, tiles=tiles,
            latents=gan.sample_noise.numpy().copy(), labels=labels, columns=gan.grid_columns,
            scores=gan.tile_scores(tiles)))
        if callbacks.wants_generator and (name is not None or self._snapshots.due()):
            self._snapshots.restart()
            callbacks.on_generator(gan.sampler)

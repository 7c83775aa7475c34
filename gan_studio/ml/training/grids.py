"""A training run's fixed-noise sample grid: saved, sent to the callbacks, and the generator
snapshots for the latent explorer that go with it."""

from __future__ import annotations

from gan_studio.core.grid import tile_grid
from gan_studio.core.training.progress import SampleGrid
from gan_studio.core.training.throttle import Throttle

GENERATOR_INTERVAL = 5.0  # seconds between generator snapshots for the latent explorer


class RunGrids:
    """Renders the grid of a run's `GAN` and hands it on.

    Args:
        gan: the run's `GAN` (its sampler, fixed noise and labels).
        callbacks: the run's `TrainingCallbacks` (`on_grid`, `on_generator`).
        outputs: the run's `RunOutputs` (the grid PNGs).
        writing: runs a write and turns a refused one into the run's fault (the trainer's).
    """

    def __init__(self, gan, callbacks, outputs, writing):
        self._gan, self._callbacks, self._outputs, self._writing = gan, callbacks, outputs, writing
        self._snapshots = Throttle(GENERATOR_INTERVAL)
        self.last_step: int | None = None  # the step of the grid sent last

    def emit(self, step: int, epoch: int, name: str | None = None) -> None:
        """Renders, saves (as `name` too, an epoch's grid) and sends the grid of `step`; a
        generator snapshot follows at most every `GENERATOR_INTERVAL` seconds, and always
        with a named grid."""
        gan, self.last_step = self._gan, step
        tiles = gan.sample_grid_tiles()
        grid = tile_grid(tiles, columns=gan.grid_columns)
        self._writing(self._outputs.save_grid, grid, step, name)
        labels = None if gan.sample_labels is None else gan.sample_labels.numpy().copy()
        self._callbacks.on_grid(SampleGrid(
            step=step, epoch=epoch, image=grid, tiles=tiles,
            latents=gan.sample_noise.numpy().copy(), labels=labels, columns=gan.grid_columns,
            scores=gan.tile_scores(tiles)))
        if self._callbacks.wants_generator and (name is not None or self._snapshots.due()):
            self._snapshots.restart()
            self._callbacks.on_generator(gan.sampler)

"""A run's parts before its first step: where it trains, the GAN, and its checkpoints."""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from gan_studio.core.distribution import make_scratch_folder
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.ml.runs.checkpoints import CheckpointError, CheckpointStore
from gan_studio.ml.training.data import TrainingError


@dataclass
class RunParts:
    """What `set_up_run` builds.

    Args:
        placement: the `Placement` (strategy, replicas, this process's part).
        gan: the `GAN`, restored if there was a checkpoint.
        store: its `CheckpointStore`.
        write_dir: where this process writes: the run folder, or a non-chief worker's scratch.
    """

    placement: object
    gan: object
    store: CheckpointStore
    write_dir: str


def set_up_run(config, shape, count: int, run_dir: str, checkpoint: str | None,
               fresh_run: bool, skipped: list[str], emit_event) -> RunParts:
    """Sets up the strategy, builds the GAN under it and restores `checkpoint` (or the run's
    latest), reporting the recipe, the device and the checkpoint restored as events.

    Args:
        config: the run's resolved config.
        shape: (height, width, channels) of the training images; `count` of them.
        run_dir: the run folder (a non-chief worker's new run: already a scratch folder).
        checkpoint: the prefix to restore (None: the latest, if any).
        fresh_run: whether `run_dir` was made for this run.
        skipped: one line for each newer checkpoint that could not be read (`resume`'s).
        emit_event: sends an `Event`.

    Raises:
        TrainingError: if the strategy cannot be set up or the checkpoint cannot be restored.
    """
    from gan_studio.core.config import augmentation_enabled
    from gan_studio.core.recipe import describe_recipe
    from gan_studio.ml.training.distribute import PlacementError, placement_for
    from gan_studio.ml.training.gan import GAN

    try:
        placement = placement_for(config)
    except PlacementError as exc:
        raise TrainingError(str(exc)) from None
    augmenting = augmentation_enabled(config, count)
    gan = GAN(config, shape, augmenting, placement.strategy)
    emit_event(Event(EventKind.RECIPE, f"Recipe: {describe_recipe(config, augmenting)}"))
    precision = {"mixed_bfloat16": "bfloat16 mixed precision"}.get(gan.precision, gan.precision)
    emit_event(Event(EventKind.DEVICE, f"{placement.description}, {precision}",
                     {"device": placement.description, "precision": gan.precision,
                      "strategy": placement.name, "replicas": placement.replicas,
                      "batch": config.batch_size}))
    write_dir = run_dir
    if not (placement.is_chief or fresh_run):
        # A resumed run's other workers read the chief's folder and write to scratch.
        write_dir = make_scratch_folder()
    try:
        store = CheckpointStore(write_dir, gan.checkpoint, config.keep_checkpoints,
                                scratch=not placement.is_chief)
        restored = store.restore(checkpoint)
    except CheckpointError as exc:
        if write_dir != run_dir:
            shutil.rmtree(write_dir, ignore_errors=True)
        raise TrainingError(str(exc)) from exc
    if restored:
        # The checkpoint holds the optimisers' learning rates; the config's win, so that a run
        # continued with another rate (`Trainer.resume`'s overrides) trains with it.
        gan.g_optimizer.learning_rate = config.learning_rate
        gan.d_optimizer.learning_rate = config.d_learning_rate or config.learning_rate
        message = "; ".join([f"Resumed from step {int(gan.step.numpy())}", *skipped])
        emit_event(Event(EventKind.CHECKPOINT, message,
                         {"path": restored, "restored": True, "skipped": skipped}))
    return RunParts(placement, gan, store, write_dir)

"""A training run's data and settings: loading the data, what the config learns from it, and
what a resumed run continues with."""

from __future__ import annotations

from gan_studio.core.catalog import IMAGE_SIZES, builtin_name
from gan_studio.core.config import DEFAULT_EPOCHS, TrainConfig, epochs_for_size
from gan_studio.core.training.progress import Event


class TrainingError(RuntimeError):
    """Raised when training cannot go on (non-finite losses, bad run folder...)."""


def load_training_data(config: TrainConfig, callbacks, control, emit_event):
    """Loads a run's data set, reporting download progress and what was loaded.

    Args:
        config: the run's configuration.
        callbacks: the run's `TrainingCallbacks` (`on_download`).
        control: the run's `TrainControl` (a stop cancels a download).
        emit_event: sends an `Event`.

    Returns:
        The `Dataset`.

    Raises:
        DatasetError: if the data cannot be loaded.
        TrainingError: if it holds fewer images than one batch, or a conditional run's data
            has no labels.
    """
    from gan_studio.data import load_dataset

    emit_event(Event("data", f"Loading {config.dataset}…"))
    data = load_dataset(config.dataset, data_dir=config.data_dir, image_size=config.image_size,
                        channels=config.channels, progress=callbacks.on_download,
                        cancel=control.stop_event)
    count = len(data.images)
    if count < config.batch_size:
        raise TrainingError(f"{config.dataset} has {count} images, fewer than one batch of "
                            f"{config.batch_size}; lower the batch size")
    if config.conditional and data.labels is None:
        raise TrainingError(f"{config.dataset} has no class labels to condition on: use a "
                            "folder of class subfolders, idx images with their labels file, "
                            "or a built-in data set (or train without --conditional)")
    skipped = f" ({data.skipped} unreadable files skipped)" if data.skipped else ""
    emit_event(Event("data", f"{count} images of {data.images.shape[1:]}{skipped}",
                     {"count": count, "skipped": data.skipped}))
    return data


def fit_config_to_data(config: TrainConfig, data) -> bool:
    """Fills in what the config learns from its data: channels, image size, classes, and
    for data other than the built-ins the epochs (`FOLDER_IMAGES` images seen).

    Returns:
        Whether the config changed (and its config.json must be written again).

    Raises:
        TrainingError: if a resumed conditional run's data now has another number of classes.
    """
    images, changed = data.images, False
    if config.channels is None or config.image_size != images.shape[1]:
        config.channels = int(images.shape[-1])
        if images.shape[1] in IMAGE_SIZES:
            config.image_size = int(images.shape[1])
        changed = True
    if config.epochs is None and not config.max_minutes and not config.max_steps:
        config.epochs, changed = epochs_for_size(len(images)), True
    if config.conditional:
        classes = max(len(data.classes), int(data.labels.max()) + 1 if len(data.labels) else 0)
        if config.num_classes and config.num_classes != classes:
            raise TrainingError(f"the run was trained on {config.num_classes} classes; "
                                f"{config.dataset} now has {classes}")
        names = [str(name) for name in data.classes]
        if (config.num_classes, config.class_names) != (classes, names):
            config.num_classes, config.class_names, changed = classes, names, True
    return changed


def resume_settings(run_dir: str, epochs: int | None, max_steps: int | None,
                    checkpoint: str | None, strategy: str | None = None,
                    devices: list[str] | None = None,
                    more_minutes: float | None = None) -> tuple[TrainConfig, str, list[str]]:
    """What `Trainer.resume` continues with: the run's config with the new targets, the
    checkpoint to restore and the newer ones passed over (see `Trainer.resume`).

    Raises:
        TrainingError: if `run_dir` is not a run folder or no (chosen) checkpoint reads.
    """
    from gan_studio.core.runs.layout import checkpoint_step, load_run
    from gan_studio.core.runs.trained_time import trained_seconds_at
    from gan_studio.ml.checkpoints import CheckpointError, readable_checkpoint

    config, _ = load_run(run_dir, checkpoint, TrainingError, "has no checkpoint to resume from")
    try:
        checkpoint, skipped = readable_checkpoint(run_dir, checkpoint)
    except CheckpointError as exc:
        raise TrainingError(str(exc)) from exc
    if more_minutes is not None:  # a new length replaces the old one, of whatever kind
        trained = trained_seconds_at(run_dir, checkpoint_step(checkpoint))
        config.max_minutes = trained / 60 + more_minutes
        config.epochs, config.max_steps = None, 0
    elif epochs is not None or max_steps is not None:
        config.max_minutes = 0.0
    if epochs is not None:
        config.epochs = epochs
    if max_steps is not None:
        config.max_steps = max_steps
    elif 0 < config.max_steps <= checkpoint_step(checkpoint):
        config.max_steps = 0  # the run reached its limit: go on to the epoch target
        if config.epochs is None and builtin_name(config.dataset) is not None:
            config.epochs = DEFAULT_EPOCHS  # (a folder's follows its size, once it is read)
    if strategy is not None:
        config.strategy = strategy
    if devices is not None:
        config.devices = list(devices)
    config.validate()
    return config, checkpoint, skipped


def new_run_settings(config: TrainConfig) -> tuple[TrainConfig, str]:
    """What `Trainer.create` starts with: the resolved config (a relative data path made
    absolute, a built-in name kept even beside a folder of that name) and the new run folder,
    `runs_dir/<dataset>-<timestamp>/`, holding its config.json.

    Raises:
        ConfigError: if config.json cannot be written (then no folder is left).
    """
    import os
    import shutil

    from gan_studio.core.config import ConfigError
    from gan_studio.core.distribution import ClusterError, make_scratch_folder, writes_run_folder
    from gan_studio.core.runs.layout import CONFIG_FILE, new_run_dir
    from gan_studio.data import is_builtin_source

    config = config.resolved()
    try:
        chief = writes_run_folder(config.strategy)
    except ClusterError as exc:
        raise ConfigError(str(exc)) from None
    if not chief:  # a multi-worker run's other workers keep nothing: the chief writes the run
        return config, make_scratch_folder()
    if (not is_builtin_source(config.dataset) and not os.path.isabs(config.dataset)
            and os.path.exists(config.dataset)):
        config.dataset = os.path.abspath(config.dataset)
    run_dir = new_run_dir(config)
    try:
        config.save(os.path.join(run_dir, CONFIG_FILE))
    except BaseException:
        shutil.rmtree(run_dir, ignore_errors=True)  # a run that never started leaves none
        raise
    return config, run_dir

"""A training run's data and settings: loading the data, what the config learns from it, and
what a resumed run continues with."""

from __future__ import annotations

from gan_studio.core.catalog import (
    DEFAULT_IMAGE_SIZE,
    IMAGE_SIZES,
    automatic_image_size,
    builtin_name,
)
from gan_studio.core.config import DEFAULT_EPOCHS, TrainConfig, epochs_for_size
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event

# The skipped files a `skipped` event carries at most (skipped.txt lists every one).
MAX_REPORTED_SKIPS = 1000


class TrainingError(RuntimeError):
    """Raised when training cannot go on (non-finite losses, bad run folder...)."""


def load_training_data(config: TrainConfig, callbacks, control, emit_event):
    """Loads a run's data set, reporting download progress and what was loaded (and, when
    the image size is automatic, the size chosen: `resolve_image_size`).

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

    emit_event(Event(EventKind.DATA, f"Loading {config.dataset}…"))
    size = resolve_image_size(config, emit_event)
    data = load_dataset(config.dataset, data_dir=config.data_dir, image_size=size,
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
    skipped = f" ({data.skipped:,} files skipped)" if data.skipped else ""
    emit_event(Event(EventKind.DATA, f"{count} images of {data.images.shape[1:]}{skipped}",
                     {"count": count, "skipped": data.skipped}))
    return data


def resolve_image_size(config: TrainConfig, emit_event) -> int:
    """The side a run's folder or `.zip` of images is read at: the config's, or when it is
    automatic (None), the images' own up to `DEFAULT_IMAGE_SIZE` (`automatic_image_size` of
    their typical shorter side, read from a sample of headers), said in an `image_size` event.
    The config learns the size from the images loaded (`fit_config_to_data`).

    Args:
        config: the run's configuration.
        emit_event: sends an `Event`.

    Returns:
        The size to pass to `load_dataset` (the built-ins keep their own whatever it is).
    """
    if config.image_size is not None:
        return config.image_size
    from gan_studio.data import typical_image_size

    typical = typical_image_size(config.dataset)
    if typical is None:  # a built-in, idx or npz source, or nothing readable: the loader says
        return DEFAULT_IMAGE_SIZE
    size, side = automatic_image_size(min(typical)), min(typical)
    why = (", the largest automatic size" if side > size == DEFAULT_IMAGE_SIZE else
           ", the smallest size the models build" if side < size else "")
    emit_event(Event(EventKind.IMAGE_SIZE, f"Images are {typical[0]}×{typical[1]}: training at "
                                           f"{size}×{size}{why}",
                     {"width": typical[0], "height": typical[1], "size": size}))
    return size


def save_started_run(write_dir: str, config: TrainConfig | None, data, source: str,
                     emit_event) -> None:
    """Writes what a run knows once it has started: its config.json (if `config` is given)
    and skipped.txt, the image files its data set left out and why, said in a `skipped` event.

    A resumed run's list is the one its data gives now: an older skipped.txt goes if nothing
    was skipped this time.

    Args:
        write_dir: the run folder (a non-chief worker's scratch folder).
        config: the config to write, or None to leave config.json as it is.
        data: the loaded `Dataset`.
        source: the data set as the config names it, for skipped.txt's first line.
        emit_event: sends an `Event`.

    Raises:
        ConfigError: if config.json cannot be written.
        TrainingError: if skipped.txt cannot be written (one line naming it).
    """
    import os

    from gan_studio.core.atomic import atomic_write_text
    from gan_studio.core.runs.layout import CONFIG_FILE, SKIPPED_FILE
    from gan_studio.data.skipped import skipped_list_text, skipped_summary

    if config is not None:
        config.save(os.path.join(write_dir, CONFIG_FILE))
    files, path = tuple(data.skipped_files), os.path.join(write_dir, SKIPPED_FILE)
    try:
        if not files:
            if os.path.lexists(path):
                os.unlink(path)
            return
        atomic_write_text(path, skipped_list_text(source, files))
    except OSError as exc:  # an atomic write's error names its temporary file
        raise TrainingError(f"cannot write {path}: {exc.strerror or exc}") from None
    emit_event(Event(EventKind.SKIPPED, f"{skipped_summary(files)}; all are listed in {path}",
                     {"files": files[:MAX_REPORTED_SKIPS], "count": len(files), "path": path,
                      "dataset": source}))


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
                    more_minutes: float | None = None,
                    overrides: dict | None = None) -> tuple[TrainConfig, str, list[str]]:
    """What `Trainer.resume` continues with: the run's config with the new targets and
    `overrides` (levers changed, `core/continuation.py`), the checkpoint to restore and the
    newer ones passed over (see `Trainer.resume`).

    Raises:
        TrainingError: if `run_dir` is not a run folder, no (chosen) checkpoint reads, or a
            lever of `overrides` cannot change in a continued run.
    """
    from gan_studio.core.config import ConfigError
    from gan_studio.core.continuation import continued_config
    from gan_studio.core.runs.layout import checkpoint_step, load_run
    from gan_studio.core.runs.trained_time import trained_seconds_at
    from gan_studio.ml.runs.checkpoints import CheckpointError, readable_checkpoint

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
    try:
        config = continued_config(config, overrides)
    except ConfigError as exc:
        raise TrainingError(f"cannot continue {run_dir}: {exc}") from None
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

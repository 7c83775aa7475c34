"""The headless subcommands of `gan-studio` (train, resume, sample, export, info; evaluate is
in `evaluate.py`)."""

from __future__ import annotations

import os
import secrets
import shutil
import sys

import numpy as np

from gan_studio.core.catalog import BUILTIN_DATASETS
from gan_studio.core.config import ConfigError, TrainConfig

MAX_SAMPLES = 100_000  # `sample --count`: the images are all held in memory before writing


class CliError(Exception):
    """An error shown to the user as one line, with exit status 2."""


def user_message(exc: BaseException) -> str | None:
    """Returns the one-line message for an error the user can act on, or None for a bug."""
    from gan_studio.data import DatasetError
    from gan_studio.ml.generators.export import ModelLoadError
    from gan_studio.ml.training.trainer import TrainingError

    if isinstance(exc, (CliError, ConfigError, DatasetError, TrainingError, ModelLoadError)):
        return str(exc)
    if isinstance(exc, OSError):
        from gan_studio.core.atomic import describe_os_error

        return describe_os_error(exc)
    return None


def warn(message: str) -> None:
    """Shows a warning about something the command worked around (a torn checkpoint)."""
    print(f"gan-studio: warning: {message}", file=sys.stderr)


def run_checkpoint(source: str, which: str | None) -> str | None:
    """The checkpoint prefix that `--checkpoint` names in a run folder.

    Args:
        source: the run folder (or a `.keras` file, which takes no `--checkpoint`).
        which: `best`, `last`, a step number, a checkpoint prefix, or None.

    Returns:
        The prefix, or None when `which` is None or `last` (the loaders then take the newest
        checkpoint that reads).

    Raises:
        CliError: if `source` is not a run folder or has no such checkpoint.
    """
    if which is None:
        return None
    from gan_studio.core.runs.layout import is_run_dir, resolve_checkpoint

    if not is_run_dir(source):
        raise CliError(f"--checkpoint needs a run folder; {source} is not one")
    if which == "last":
        return None
    path = resolve_checkpoint(source, which)
    if path is None:
        raise CliError(f"{source} has no checkpoint {which!r} (use best, last, a step number "
                       "or a checkpoint prefix)")
    return path


def sample(args) -> int:
    """`gan-studio sample`: writes N generated images as .npz, PNG files or one grid PNG."""
    from gan_studio.core.atomic import atomic_path
    from gan_studio.core.grid import tile_grid
    from gan_studio.core.images import save_png
    from gan_studio.ml.generators.export import generate_images, load_generator

    if args.count > MAX_SAMPLES:
        raise CliError(f"--count {args.count} is too many: at most {MAX_SAMPLES:,} images "
                       "per call (use several seeds for more)")
    generator = load_generator(args.source, run_checkpoint(args.source, args.checkpoint),
                               on_skip=warn)
    label = getattr(args, "label", None)
    check_class(generator, label)
    images = generate_images(generator, args.count, seed=args.seed, classes=label)
    out = args.out
    try:
        if out.endswith(".npz"):
            with atomic_path(out, suffix=".npz") as tmp, open(tmp, "wb") as f:
                np.savez_compressed(f, images=images)
        elif out.endswith(".png"):
            save_png(out, tile_grid(images))
        else:
            _write_png_folder(out, images)
    except OSError as exc:  # the temporary file's name would mislead
        raise CliError(f"cannot write {out}: {exc.strerror or exc}") from exc
    print(f"Wrote {len(images)} images of {images.shape[1:]} to {out}")
    return 0


def _write_png_folder(out: str, images: np.ndarray) -> None:
    """Writes `sample-N.png` files into `out`: all of them, or (on an error) none.

    They are written into a hidden folder beside `out` first, which becomes `out` or whose
    files move into an `out` that already exists.
    """
    from gan_studio.core import images as image_files

    parent, base = os.path.split(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    while True:  # os.mkdir, not mkdtemp: the folder gets the mode a plain one would (umask)
        staging = os.path.join(parent, f".{base}.{secrets.token_hex(4)}.tmp")
        try:
            os.mkdir(staging)
            break
        except FileExistsError:
            continue
    try:
        width = len(str(len(images) - 1))
        names = [f"sample-{i:0{width}d}.png" for i in range(len(images))]
        for name, image in zip(names, images, strict=True):
            image_files.save_png(os.path.join(staging, name), image)
        if not os.path.exists(out):
            os.rename(staging, out)
            return
        for name in names:
            os.replace(os.path.join(staging, name), os.path.join(out, name))
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_class(generator, label: int | None) -> None:
    """Raises CliError if `--class` was given and `generator` cannot draw that class."""
    if label is None:
        return
    from gan_studio.ml.generators.export import num_classes_of

    classes = num_classes_of(generator)
    if classes == 0:
        raise CliError("--class needs a conditional generator; this one is unconditional "
                       "(train with --conditional)")
    if not 0 <= label < classes:
        raise CliError(f"--class {label} is out of range: the generator has classes "
                       f"0 to {classes - 1}")


def export(args) -> int:
    """`gan-studio export RUN_DIR --out G.keras`."""
    from gan_studio.ml.generators.export import export_generator

    path = export_generator(args.run, args.out, run_checkpoint(args.run, args.checkpoint),
                            on_skip=warn)
    print(f"Exported the generator to {path}")
    return 0


def generator_rows(source: str) -> list[tuple[str, str]]:
    """`info`'s rows about a run's or a `.keras` file's generator."""
    from gan_studio.ml.generators.export import latent_dim_of, load_generator, num_classes_of

    generator = load_generator(source, on_skip=warn)
    classes = num_classes_of(generator)
    names: list = []
    trained = []
    if os.path.isdir(source):
        from gan_studio.core.runs.layout import CONFIG_FILE

        config = TrainConfig.load(os.path.join(source, CONFIG_FILE))
        names = config.class_names
        devices = f" ({', '.join(config.devices)})" if config.devices else ""
        trained = [("  trained with", f"the {config.strategy} strategy{devices}")]
    shape = "×".join(str(int(s)) for s in generator.output_shape[1:])
    conditional = "no"
    if classes:
        shown = ", ".join(f"{i} {n}" for i, n in enumerate(names)) if names else \
            f"0 to {classes - 1}"
        conditional = f"yes, {classes} classes ({shown})"
    return [("Generator", source), ("  images", shape),
            ("  latent size", str(latent_dim_of(generator))), ("  conditional", conditional),
            *trained]


def info(args) -> int:
    """`gan-studio info`: versions, device, data folder and which data sets are cached."""
    import platform

    from gan_studio import __version__
    from gan_studio.cli.strategies import strategy_rows
    from gan_studio.data import cached_status, default_data_dir
    from gan_studio.ml.runtime.device import describe_device, versions

    data_dir = args.data_dir or default_data_dir()
    rows = [("GAN Studio", __version__), ("Python", platform.python_version())]
    rows += [(k.capitalize() if k != "tensorflow" else "TensorFlow", v) for k, v in versions().items()]
    try:
        import PySide6

        rows.append(("PySide6", PySide6.__version__))
    except ImportError:
        rows.append(("PySide6", "not installed"))
    rows += [("Device", describe_device()), *strategy_rows(), ("Data folder", data_dir)]
    status = cached_status(data_dir)
    rows += [(f"  {name}", "cached" if status.get(name) else "not cached (downloads on first use)")
             for name in BUILTIN_DATASETS]
    if getattr(args, "source", None):
        rows += generator_rows(args.source)
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    sys.stdout.flush()
    return 0

"""`gan-studio project`: finds the latent whose image is closest to a picture (GAN inversion)."""

from __future__ import annotations

from gan_studio.cli.commands import CliError, check_class, run_checkpoint, warn
from gan_studio.ml.latent.projection import DEFAULT_RESTARTS, DEFAULT_STEPS  # noqa: F401 (the parser's)

MAX_STEPS = 100_000


def project(args) -> int:
    """`gan-studio project RUN_DIR|MODEL.keras IMAGE --out z.npy [--steps N]`."""
    from gan_studio.core.images import save_png
    from gan_studio.core.latent.files import save_latents
    from gan_studio.data.image_folders import load_image_file
    from gan_studio.ml.generators.export import load_generator
    from gan_studio.ml.latent.projection import Projector
    from gan_studio.ml.latent.projection_features import compared, meter_features

    if not args.out.endswith(".npy"):
        raise CliError(f"the latent file must end in .npy: {args.out}")
    if not 1 <= args.steps <= MAX_STEPS:
        raise CliError(f"--steps must be from 1 to {MAX_STEPS:,}, not {args.steps}")
    generator = load_generator(args.source, run_checkpoint(args.source, args.checkpoint),
                               on_skip=warn)
    height, _, channels = (int(s) for s in generator.outputs[0].shape[1:])
    target = load_image_file(args.image, height, channels)
    label = getattr(args, "label", None)
    if label is not None:
        check_class(generator, label)
    network = meter_features(args.source) if getattr(args, "features", True) else None
    projector = Projector(generator, restarts=args.restarts, seed=args.seed, class_index=label,
                          features=None if network is None else network.features)
    result = projector.project(target, steps=args.steps)
    _write(args.out, lambda path: save_latents(path, result.latent))
    if args.image_out:
        _write(args.image_out, lambda path: save_png(
            path, result.image[..., 0] if channels == 1 else result.image))
    found = "" if result.class_index is None else f" in class {result.class_index}"
    print(f"Found a latent{found} with a mean pixel error of {result.error:.4f} "
          f"({result.steps} steps, {result.steps / result.seconds:.1f} steps/s, comparing "
          f"{compared(network)}); "
          f"wrote {args.out}" + (f" and {args.image_out}" if args.image_out else ""))
    return 0


def _write(path: str, write) -> None:
    try:
        write(path)
    except OSError as exc:  # an atomic write's error names its temporary file
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc

"""`gan-studio nearest`: images next to their nearest training images, as a contact sheet.

The query is a picture (read as it is: of the generator's size and channels, never scaled),
the generator's images of the latents in a `.npy` file, or seeded samples; the search is the
quality meter's (`QualityMeter.nearest`), in its feature space or in pixels.
"""

from __future__ import annotations

import json
import os
import time

import numpy as np

from gan_studio.cli.commands import CliError
from gan_studio.cli.evaluate import _generator_and_config, _prepare

DEFAULT_K = 8
MAX_K = 64  # neighbours a row of the sheet holds
MAX_QUERIES = 64  # rows of the sheet
SPACES = ("features", "pixels")
SHEET_EXTENSIONS = (".png", ".jpg", ".jpeg")


def check_request(args) -> None:
    """Refuses, before anything is loaded, a request that cannot work (one line each)."""
    given = [name for name, value in (("IMAGE", args.image), ("--latent", args.latent),
                                      ("--samples", args.samples)) if value is not None]
    if len(given) != 1:
        raise CliError("give one query: an IMAGE file, --latent z.npy or --samples N"
                       + (f" (not {' and '.join(given)})" if given else ""))
    if not 1 <= args.k <= MAX_K:
        raise CliError(f"--k must be from 1 to {MAX_K}, not {args.k}")
    if args.samples is not None and not 1 <= args.samples <= MAX_QUERIES:
        raise CliError(f"--samples must be from 1 to {MAX_QUERIES}, not {args.samples}")
    if not args.out.lower().endswith(SHEET_EXTENSIONS):
        raise CliError(f"the contact sheet must be a .png or .jpg file: {args.out}")


def _queries(args, generator) -> tuple[np.ndarray, list[str]]:
    """The query images, uint8 (N, H, W, C), and what each one is."""
    from gan_studio.core.grid import to_uint8
    from gan_studio.core.latent.files import LatentFileError, load_latents
    from gan_studio.data import DatasetError
    from gan_studio.data.image_folders import load_exact_image_file
    from gan_studio.ml.generators.export import generate_images, image_labels, latent_dim_of

    height, width, channels = (int(s) for s in generator.output_shape[1:])
    if args.image is not None:
        try:
            image = load_exact_image_file(args.image, height, width, channels)
        except DatasetError as exc:
            raise CliError(str(exc)) from None
        return image[None], [os.path.basename(args.image)]
    if args.latent is not None:
        try:
            latents = load_latents(args.latent, latent_dim_of(generator))
        except LatentFileError as exc:
            raise CliError(str(exc)) from None
        if len(latents) > MAX_QUERIES:
            raise CliError(f"{os.path.basename(args.latent)} holds {len(latents)} latents; a "
                           f"sheet shows at most {MAX_QUERIES}")
        labels = image_labels(generator, len(latents))
        images = to_uint8(np.asarray(generator(latents if labels is None else [latents, labels],
                                               training=False)))
        return images, [f"latent {i}" for i in range(len(latents))]
    images = generate_images(generator, args.samples, seed=args.seed)
    return (images.reshape(len(images), height, width, channels),
            [f"sample {i}" for i in range(len(images))])


def _meter(config):
    """The quality meter of the run's data set, from the disk only (never downloaded)."""
    from gan_studio.data import DatasetError, DataUnavailableError
    from gan_studio.ml.quality import meter_for_config

    try:
        return meter_for_config(config, download=False)
    except DataUnavailableError as exc:
        raise CliError(f"the training images of {config.dataset} are not at hand: looked for "
                       f"{exc.path} (use --data-dir, or save {exc.url} there)") from None
    except DatasetError as exc:
        raise CliError(f"cannot read the training images of {config.dataset}: {exc}") from None


def _print_text(args, meter, found, names, threshold, seconds) -> None:
    space = ("feature space (the quality meter's " + meter.kind + ")"
             if args.space == "features" else "pixel space (values 0 to 1)")
    note = f"; a copy is nearer than {threshold:.3f}" if threshold is not None else ""
    print(f"Nearest of the {meter.training_count:,} {meter.name} training images in {space}"
          f"{note}; searched in {seconds:.2f} s:")
    for name, indices, distances in zip(names, found.indices, found.distances):
        pairs = ", ".join(f"#{int(i)} {float(d):.3f}" for i, d in zip(indices, distances))
        print(f"{name}: {pairs}")


def nearest(args) -> int:
    """`gan-studio nearest SOURCE (IMAGE | --latent z.npy | --samples N) --out sheet.png`."""
    from gan_studio.core.quality.nearest_sheet import SheetRow, save_sheet

    check_request(args)
    generator, config, checkpoint, _ = _generator_and_config(args)
    if args.data_dir:
        config.data_dir = args.data_dir
    queries, names = _queries(args, generator)
    meter = _meter(config)
    try:  # the meter's ValueErrors name what does not fit: a shape, k over the images
        meter.check(generator)
        if args.space == "features":
            _prepare(meter)  # the feature network and the training features, once per data set
        start = time.perf_counter()
        found = meter.nearest(queries, k=args.k, space=args.space)
        seconds = time.perf_counter() - start
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    calibration = meter.calibration if args.space == "features" else None
    threshold = None if calibration is None else calibration.threshold
    training = meter.training_images
    rows = [SheetRow(query, name, training[indices], indices, distances)
            for query, name, indices, distances in zip(queries, names, found.indices,
                                                       found.distances)]
    try:
        size = save_sheet(args.out, rows, threshold=threshold)
    except OSError as exc:  # an atomic write's error names its temporary file
        raise CliError(f"cannot write {args.out}: {exc.strerror or exc}") from exc
    if args.json:
        print(json.dumps({
            "source": args.source, "checkpoint": checkpoint, "dataset": meter.name,
            "space": args.space, "k": args.k, "training_images": meter.training_count,
            "copy_threshold": threshold, "seconds": seconds, "sheet": args.out,
            "queries": [{"query": name, "indices": [int(i) for i in indices],
                         "distances": [float(d) for d in distances]}
                        for name, indices, distances in zip(names, found.indices,
                                                            found.distances)]}))
    else:
        _print_text(args, meter, found, names, threshold, seconds)
        print(f"Wrote {args.out} ({size[0]}×{size[1]}).")
    return 0

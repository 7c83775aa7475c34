"""`gan-studio evaluate`: a generator's quality numbers, next to the real-vs-real floor."""

from __future__ import annotations

import dataclasses
import json
import os
import sys

from gan_studio.cli.commands import CliError, run_checkpoint, warn
from gan_studio.core.catalog import IMAGE_SIZES, builtin_name
from gan_studio.core.config import TrainConfig
from gan_studio.core.quality.copy_rate import PERCENTILE
from gan_studio.core.quality.report import FD_NAME, QualityReport

DEFAULT_COUNT = 2000


def _generator_and_config(args):
    """Loads the generator and the config that says which data set it is scored against."""
    from gan_studio.core.runs.layout import checkpoint_step, load_run
    from gan_studio.ml.generators.export import generator_from_run, load_generator
    from gan_studio.ml.runs.checkpoints import CheckpointError, readable_checkpoint

    source = args.source
    if os.path.isdir(source):
        chosen = run_checkpoint(source, args.checkpoint)
        config, _ = load_run(source, chosen, CliError)
        try:  # the step it reports is the one restored: the newest that reads
            checkpoint, skipped = readable_checkpoint(source, chosen)
        except CheckpointError as exc:
            raise CliError(str(exc)) from exc
        for note in skipped:
            warn(note)
        generator = generator_from_run(source, checkpoint)
        if args.dataset:
            config.dataset = args.dataset
        return generator, config, checkpoint, checkpoint_step(checkpoint)
    if not source.endswith(".keras"):
        raise CliError(f"{source} is neither a run folder nor a .keras file")
    if args.checkpoint:
        raise CliError("--checkpoint needs a run folder, not a .keras file")
    if not args.dataset:
        raise CliError("a .keras generator needs --dataset: the data set to score it against "
                       "(mnist, fashion_mnist, cifar10 or a path)")
    generator = load_generator(source)
    shape = generator.output_shape[1:]
    if len(shape) != 3:
        raise CliError(f"{source} makes arrays of shape {tuple(shape)}, not (H, W, C) images")
    config = TrainConfig(dataset=args.dataset)
    side, _, channels = (int(s) for s in shape)
    if builtin_name(args.dataset) is None and side in IMAGE_SIZES and channels in (1, 3):
        # Images of a folder are scaled to the generator's, as training it would have done;
        # the built-ins keep their own shape (and a generator of another is refused).
        config.image_size, config.channels = side, channels
    return generator, config, None, 0


def _epoch_of(run_dir: str, step: int) -> int:
    """The zero-based epoch the run's metrics.csv logged for `step` (0 when it has none)."""
    from gan_studio.core.runs.metrics_log import read_metrics

    metrics = read_metrics(run_dir)
    epochs = metrics["epoch"][metrics["step"] == step]
    return int(epochs[-1]) if len(epochs) else 0


def _prepare(meter) -> None:
    """Trains or loads the feature network, with a progress bar on stderr."""
    from tqdm import tqdm

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc="Feature network", unit="step", file=sys.stderr,
                       leave=False, dynamic_ncols=True)
        bar.total = total
        bar.update(done - bar.n)

    try:
        meter.prepare(progress)
    finally:
        if bar is not None:
            bar.close()


def _rows(report: QualityReport) -> list[tuple[str, str]]:
    rows = [(FD_NAME, f"{report.fd:.3f}"), ("KID", f"{report.kid:.4f} ± {report.kid_error:.4f}"),
            ("diversity", f"{report.diversity:.3f}")]
    if report.labelled:
        rows += [("classifier score", f"{report.score:.2f} / {report.classes}"),
                 ("class shares", f"{report.rarest_class:.1%} – {report.commonest_class:.1%}")]
    if report.copy_rate is not None:
        rows.append(("copy rate", f"{report.copy_rate:.1%}"))
    return rows


def _class_accuracy(meter, generator, count: int):
    """Per-class accuracy of a conditional generator (None for an unconditional one)."""
    from gan_studio.ml.generators.export import num_classes_of
    from gan_studio.ml.quality import class_accuracy

    classes = num_classes_of(generator)
    if classes == 0 or not meter.labelled:
        return None
    return class_accuracy(meter, generator, per_class=max(1, count // classes))


def _accuracy_line(accuracy, names) -> str:
    """The per-class line, `class accuracy  93.0% (0 zero 95%, 1 one 91%, ...)`."""
    parts = [f"{i}{' ' + names[i] if i < len(names) else ''} {a:.0%}"
             for i, a in enumerate(accuracy)]
    return f"class accuracy  {accuracy.mean():.1%} ({', '.join(parts)})"


def _print_text(args, meter, report, floor, warning, copies, checkpoint) -> None:
    what = f"{args.source}" + (f" ({os.path.basename(checkpoint)})" if checkpoint else "")
    origin = "loaded from" if meter.from_cache else "trained, cached as"
    print(f"Generator: {what}")
    print(f"Data set: {meter.name}, {report.samples} samples against {meter.heldout_count} "
          f"held-out real images")
    print(f"Features: the data set's {meter.kind} ({origin} {meter.cache_path or 'memory'}; "
          f"{meter.feature_seconds:.1f} s)")
    mine, real = _rows(report), dict(_rows(floor))
    width = max(len(label) for label, _ in mine)
    column = max(len(value) for _, value in mine)
    print(f"{'':<{width}}  {'generator':<{column}}  real vs real")
    for label, value in mine:
        print(f"{label:<{width}}  {value:<{column}}  {real[label]}")
    if report.copy_rate is not None:
        print(f"Copy rate: the share of samples nearer to one of the {meter.training_count:,} "
              f"training images than all but the closest {PERCENTILE:.0%} of held-out real "
              "images are; real vs real is the held-out images' own rate.")
    print(f"Scored in {report.seconds:.1f} s.")
    if warning is not None:
        print(f"Warning: possible mode collapse. {warning.message}")
    if copies is not None:
        print(f"Warning: possible memorisation. {copies.message}")


def evaluate(args) -> int:
    """`gan-studio evaluate SOURCE`: prints a generator's quality numbers and the floor."""
    from gan_studio.core.quality.collapse import collapse_warning
    from gan_studio.core.quality.copy_rate import copy_warning
    from gan_studio.ml.quality import meter_for_config

    generator, config, checkpoint, step = _generator_and_config(args)
    if args.data_dir:
        config.data_dir = args.data_dir
    count = args.count or (config.quality_samples if checkpoint else DEFAULT_COUNT)
    meter = meter_for_config(config, count=count)
    try:  # the meter's ValueErrors name what does not fit: a shape, too few images
        meter.check(generator)  # before the feature network trains: it would be for nothing
        _prepare(meter)
        epoch = _epoch_of(args.source, step) if checkpoint else 0
        report = meter.evaluate(generator, step=step, epoch=epoch)
        floor = meter.floor()
        accuracy = _class_accuracy(meter, generator, count)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    warning = collapse_warning([report], trained=True)
    copies = copy_warning([report])
    if args.json:
        print(json.dumps({"source": args.source, "checkpoint": checkpoint,
                          "dataset": meter.name, "features": meter.kind,
                          **dataclasses.asdict(report), "floor": dataclasses.asdict(floor),
                          "class_accuracy": None if accuracy is None else accuracy.tolist(),
                          "warning": warning.message if warning else None,
                          "copy_warning": copies.message if copies else None}))
    else:
        _print_text(args, meter, report, floor, warning, copies, checkpoint)
        if accuracy is not None:
            print(_accuracy_line(accuracy, config.class_names))
    return 0

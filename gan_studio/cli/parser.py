"""The `gan-studio` command: the window when run bare, headless subcommands otherwise."""

from __future__ import annotations

import argparse
import sys

from gan_studio import APP_NAME, __version__
from gan_studio.cli import commands, evaluate, health_report, training
from gan_studio.cli import compare as compare_command
from gan_studio.cli import nearest as nearest_command
from gan_studio.cli import project as project_command
from gan_studio.cli import sweep as sweep_command
from gan_studio.cli.commands import CliError
from gan_studio.core.catalog import BUILTIN_DATASETS, DEFAULT_IMAGE_SIZE, IMAGE_SIZES
from gan_studio.core.config import DEFAULT_MINUTES, PRESETS, ConfigError, TrainConfig
from gan_studio.core.distribution import STRATEGIES, STRATEGY_HELP
from gan_studio.core.levers import LEVERS, RECIPE, Lever
from gan_studio.core.runs.location import RUNS_DIR_ENV, default_runs_dir


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _image_size(text: str) -> int | None:
    return None if text.strip().lower() == "auto" else int(text)  # None: TrainConfig's auto


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a number, got {text!r}") from None
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0, got {text}")
    return value


def _add_length(parser: argparse.ArgumentParser, more: bool) -> None:
    """`--minutes` and `--hours`: a run's length in time (one of the two)."""
    what = "train this much longer than the checkpoint had" if more else \
        f"train this long (default: {DEFAULT_MINUTES:g} minutes, unless --epochs or --max-steps)"
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--minutes", type=_positive_number, help=f"{what}, in minutes; time "
                       "paused is not counted, and a budget carries over a resume")
    group.add_argument("--hours", type=_positive_number, help=f"{what}, in hours")


def _minutes(args: argparse.Namespace) -> float | None:
    """The length in time that `--minutes` or `--hours` asks for, in minutes (None: neither)."""
    if getattr(args, "hours", None) is not None:
        return args.hours * 60
    return getattr(args, "minutes", None)


def _check_one_length(args: argparse.Namespace) -> None:
    """A run's length is a time or a count: both on one command line is a mistake."""
    time_flag = "--hours" if getattr(args, "hours", None) is not None else "--minutes"
    for flag, value in (("--epochs", args.epochs), ("--max-steps", args.max_steps)):
        if value is not None and _minutes(args) is not None:
            raise CliError(f"{time_flag} and {flag} are two lengths for one run: give one "
                           "(a time, or a count of epochs or steps)")


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser of `gan-studio`."""
    parser = argparse.ArgumentParser(
        prog="gan-studio", description=f"{APP_NAME}: train DCGANs and explore their latent space. "
        "Without a command, opens the window.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--self-test", action="store_true",
                        help="start the app offscreen, train 2 steps, then render, score, search "
                             "and sample the run (explorer, quality, projection, CLI); exit 0 "
                             "if all work")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    train = sub.add_parser("train", help="train a DCGAN headless")
    train.add_argument("--dataset", required=True,
                       help=f"{', '.join(BUILTIN_DATASETS)}, or a path to an image folder, a "
                            ".zip of images, or MNIST-format idx files")
    train.add_argument("--preset", choices=sorted(PRESETS), default=None)
    _add_length(train, more=False)
    train.add_argument("--epochs", type=_positive_int)
    train.add_argument("--max-steps", type=int, help="stop after this many steps in total")
    for lever in LEVERS.values():  # the optimiser's levers; the recipe's have their group
        if lever.flag and lever.group != RECIPE:
            _add_lever(train, lever)
    train.add_argument("--image-size", type=_image_size, metavar="SIZE",
                       help=f"square side for image folders ({'/'.join(map(str, IMAGE_SIZES))}"
                            f", or auto: the default, the images' own size up to "
                            f"{DEFAULT_IMAGE_SIZE})")
    train.add_argument("--channels", type=int, choices=(1, 3), help="1 gray, 3 RGB (image folders)")
    train.add_argument("--steps-per-call", type=_positive_int,
                       help="train steps per compiled call (fewer Python round trips)")
    recipe = train.add_argument_group("recipe (default: the preset's)")
    for lever in LEVERS.values():
        if lever.flag and lever.group == RECIPE:
            _add_lever(recipe, lever)
    _add_common(train)
    train.add_argument("--run-dir", help="folder that receives the run folder (default: "
                                         f"${RUNS_DIR_ENV}, else <Documents>/GAN Studio/runs, "
                                         "the window's default)")
    _add_strategy(train)
    train.add_argument("--sync-batch-norm", action=argparse.BooleanOptionalAction, default=None,
                       help="with several replicas, normalise the generator's batches by the "
                            "global batch's statistics (default) or each replica's own")

    resume = sub.add_parser("resume", help="continue a run from its latest checkpoint")
    resume.add_argument("run", metavar="RUN_DIR")
    _add_length(resume, more=True)
    resume.add_argument("--epochs", type=_positive_int)
    resume.add_argument("--max-steps", type=int)
    resume.add_argument("--checkpoint", help="roll back to: best, last, a step number or a "
                                             "checkpoint prefix")
    changes = resume.add_argument_group(
        "levers to continue with (another value from the checkpoint on; the rest as the run "
        "had them)")
    for lever in LEVERS.values():
        if lever.flag and lever.continues:
            _add_lever(changes, lever)
    _add_common(resume)
    _add_strategy(resume)

    sample = sub.add_parser("sample", help="generate images from a run or a .keras generator")
    sample.add_argument("source", metavar="RUN_DIR|MODEL.keras")
    sample.add_argument("--count", type=_positive_int, default=64,
                        help=f"how many images (default 64, at most {commands.MAX_SAMPLES:,})")
    sample.add_argument("--out", required=True, help="FILE.npz, a folder for PNGs, or a .png grid")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--class", type=int, dest="label", metavar="N",
                        help="for a conditional generator: draw class N only (default: an "
                             "even mix of its classes)")
    _add_checkpoint(sample)

    export = sub.add_parser("export", help="export a run's generator as a .keras file")
    export.add_argument("run", metavar="RUN_DIR")
    export.add_argument("--out", required=True, help="destination .keras file")
    _add_checkpoint(export)

    project = sub.add_parser(
        "project", help="find the latent whose image is closest to a picture (GAN inversion)")
    project.add_argument("source", metavar="RUN_DIR|MODEL.keras")
    project.add_argument("image", metavar="IMAGE", help="a PNG, JPEG, ... file; scaled and "
                                                        "centre-cropped like training images")
    project.add_argument("--out", required=True, help="the latent's .npy file (the explorer "
                                                      "opens it with File → Open Latent…)")
    project.add_argument("--steps", type=_positive_int, default=project_command.DEFAULT_STEPS,
                         help=f"optimisation steps (default {project_command.DEFAULT_STEPS})")
    project.add_argument("--restarts", type=_positive_int, default=project_command.DEFAULT_RESTARTS,
                         help=f"random starts searched together (default {project_command.DEFAULT_RESTARTS})")
    project.add_argument("--seed", type=int, default=0, help="seeds the starts")
    project.add_argument("--class", type=int, dest="label", metavar="N",
                         help="for a conditional generator: search class N only (default: "
                              "all classes; the best one is reported)")
    project.add_argument("--image-out", metavar="PNG", help="also save the image found")
    project.add_argument("--no-features", dest="features", action="store_false",
                         help="compare pixels only (default for a run whose quality meter "
                              "has a cached network: pixels and that network's features)")
    _add_checkpoint(project)

    evaluate = sub.add_parser(
        "evaluate", help="score a generator: FD and KID in data-set features, classifier "
                         "score, class spread, diversity, and the real-vs-real floor")
    evaluate.add_argument("source", metavar="RUN_DIR|MODEL.keras")
    _add_checkpoint(evaluate)
    evaluate.add_argument("--count", type=_positive_int,
                          help="generated images to score (default: the run's quality_samples, "
                               "else 2000)")
    evaluate.add_argument("--dataset", help="the data set to score against (required for a "
                                            ".keras file; default: the run's)")
    evaluate.add_argument("--json", action="store_true", help="print one JSON object")
    _add_common(evaluate)

    _add_nearest(sub)
    _add_sweep(sub)

    info = sub.add_parser("info", help="versions, device, data folder, cached data sets; "
                                       "with a generator, what it draws")
    info.add_argument("source", nargs="?", metavar="RUN_DIR|MODEL.keras",
                      help="also describe this generator (image shape, latent size, classes)")
    info.add_argument("--data-dir")

    compare = sub.add_parser(
        "compare", help="runs side by side: the settings they differ in, their quality at "
                        "equal budget, and their grids at that point")
    compare.add_argument("runs", nargs="+", metavar="RUN_DIR",
                         help="two to six run folders")
    compare.add_argument("--by", choices=("step", "images", "time"), default="step",
                         help="line the runs up by step (default), images seen or minutes "
                              "trained; equal budget is the furthest point all reached")
    compare.add_argument("--grids", metavar="PNG",
                         help="also write each run's saved grid nearest to that point, side "
                              "by side, labelled")
    compare.add_argument("--json", action="store_true", help="print one JSON object")

    doctor = sub.add_parser("doctor", help="what the training doctor sees in a run: a "
                                           "discriminator that wins, oscillation, collapse, "
                                           "copying, checkerboards, stalls, NaNs; and remedies")
    doctor.add_argument("run", metavar="RUN_DIR")
    doctor.add_argument("--json", action="store_true",
                        help="print the findings as a JSON list (empty when healthy)")
    return parser


def _add_nearest(sub) -> None:
    nearest = sub.add_parser(
        "nearest", help="the training images nearest to a picture or to a generator's images "
                        "(is it copying?), as a contact sheet")
    nearest.add_argument("source", metavar="RUN_DIR|MODEL.keras")
    nearest.add_argument("image", nargs="?", metavar="IMAGE",
                         help="a picture of the generator's size and channels (not scaled)")
    nearest.add_argument("--latent", metavar="Z.npy", help="the generator's images of these "
                                                           "latents (File → Save Latent…)")
    nearest.add_argument("--samples", type=int, metavar="N",
                         help="N samples of the generator, drawn with --seed")
    nearest.add_argument("--k", type=int, default=nearest_command.DEFAULT_K,
                         help=f"neighbours per image (default {nearest_command.DEFAULT_K})")
    nearest.add_argument("--space", choices=nearest_command.SPACES, default="features",
                         help="features: the quality meter's (what an image shows; default); "
                              "pixels: the same picture")
    nearest.add_argument("--seed", type=int, default=0, help="seeds --samples")
    nearest.add_argument("--dataset", help="the training data (required for a .keras file; "
                                           "default: the run's)")
    nearest.add_argument("--out", required=True, help="the contact sheet, .png or .jpg")
    nearest.add_argument("--json", action="store_true", help="print one JSON object")
    _add_checkpoint(nearest)
    _add_common(nearest)


def _add_sweep(sub) -> None:
    sweep = sub.add_parser(
        "sweep", help="train runs that differ in one or two levers, one after another, and "
                      "rank them by the quality meter at equal budget")
    sweep.add_argument("--dataset", help="the data set every run trains on (as for train)")
    sweep.add_argument("--vary", action="append", metavar="NAME=V1,V2,...",
                       help="a lever and its values, e.g. lr=1e-4,2e-4,4e-4 (the field's "
                            "name or train's flag without dashes); give it once or twice: "
                            "the runs are every combination")
    budget = sweep.add_mutually_exclusive_group()
    budget.add_argument("--minutes", type=float, help="each run trains this many minutes")
    budget.add_argument("--steps", type=int, help="each run trains this many steps")
    budget.add_argument("--images", type=int, help="each run sees this many images (whole "
                                                   "steps of its batch)")
    sweep.add_argument("--preset", choices=sorted(PRESETS), default=None)
    sweep.add_argument("--seed", type=int, help="the seed of every run (default 0)")
    sweep.add_argument("--run-dir", help="folder that receives the sweep's folder "
                                         "(sweep-<data set>-<time>; default: as for train)")
    sweep.add_argument("--continue", dest="continue_dir", metavar="SWEEP_DIR",
                       help="continue a stopped sweep: its interrupted run resumes, the "
                            "pending ones follow, then the ranking")
    sweep.add_argument("--json", action="store_true",
                       help="print the ranking as one JSON object (progress goes to stderr)")
    _add_common(sweep)


def _add_lever(parser, lever: Lever) -> None:
    """`lever`'s option, from its row: its values are checked by its rule (`TrainConfig`)."""
    rule = lever.rule
    if rule.kind == "bool":
        kwargs = {"action": argparse.BooleanOptionalAction}
    elif rule.kind == "choice":
        kwargs = {"type": type(rule.choices[0]), "choices": rule.choices}
    else:
        kwargs = {"type": int if rule.kind == "int" else float}
    if lever.metavar:
        kwargs["metavar"] = lever.metavar
    parser.add_argument(lever.flag, dest=lever.name, help=lever.help, **kwargs)


def _add_strategy(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("devices and machines (tf.distribute)")
    group.add_argument("--strategy", choices=STRATEGIES,
                       help="; ".join(f"{name}: {text}" for name, text in STRATEGY_HELP.items()))
    group.add_argument("--devices", type=_device_list, metavar="LIST",
                       help="the devices of a mirrored run, comma-separated (/gpu:0,/gpu:1); "
                            "default: every GPU")


def _device_list(text: str) -> list[str]:
    devices = [part.strip() for part in text.split(",") if part.strip()]
    if not devices:
        raise argparse.ArgumentTypeError("name at least one device, e.g. /gpu:0,/gpu:1")
    return devices


def _add_checkpoint(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--checkpoint", help="for a run folder: best (lowest FD), last "
                                             "(default), a step number or a checkpoint prefix")


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data-dir", help="data set cache (default: $GAN_STUDIO_DATA_DIR, "
                                           "else the Keras cache ~/.keras/datasets)")


def _train_config(args: argparse.Namespace) -> TrainConfig:
    fields = ("preset", "epochs", "max_steps", "image_size", "channels", "steps_per_call",
              "data_dir", "strategy", "devices", "sync_batch_norm",
              *(name for name, lever in LEVERS.items() if lever.flag))
    values = {k: getattr(args, k) for k in fields if getattr(args, k, None) is not None}
    values["dataset"] = args.dataset
    values["runs_dir"] = args.run_dir or default_runs_dir()  # where the window looks too
    if "max_steps" in values and values["max_steps"] < 0:
        raise CliError("--max-steps must be 0 (no limit) or more")
    _check_one_length(args)
    if _minutes(args) is not None:
        values["max_minutes"] = _minutes(args)
    try:
        return TrainConfig(**values).resolved()
    except ConfigError as exc:
        raise CliError(str(exc)) from exc


def main(argv: list[str] | None = None) -> int:
    """Runs `gan-studio`; returns the exit status."""
    args = build_parser().parse_args(argv)
    if args.self_test:
        from gan_studio.self_test import run_self_test

        return run_self_test()
    if args.command is None:
        from gan_studio.app import main as gui_main

        return gui_main([])
    handlers = {"resume": training.resume, "sample": commands.sample,
                "export": commands.export, "evaluate": evaluate.evaluate, "info": commands.info,
                "project": project_command.project,
                "doctor": health_report.doctor, "compare": compare_command.compare,
                "nearest": nearest_command.nearest,
                "sweep": sweep_command.sweep}
    try:
        if args.command == "train":
            return training.train(_train_config(args))
        if args.command == "resume":
            _check_one_length(args)
            args.more_minutes = _minutes(args)
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return 130
    except Exception as exc:  # one line, never a traceback, for anything the user can fix
        message = commands.user_message(exc)
        if message is None:
            raise
        print(f"gan-studio: error: {message}", file=sys.stderr)
        return 2

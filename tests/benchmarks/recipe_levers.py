"""Which recipe draws better samples after the same wall-clock time? Paired runs, one per core.

    python tests/benchmarks/recipe_levers.py --data-dir /tmp/kcache --data cifar10 \\
        --minutes 10 old new "hinge_sn=loss:hinge,spectral_norm:1"

Each variant is `NAME=[BASE,]FIELD:VALUE,...` (TrainConfig fields over BASE, `old` unless
given) or one of the named recipes below (`old`: the `studio` preset before the recipe work,
every lever off; `new`: the `studio` preset as it is now). Before anything trains, every
variant goes through `TrainConfig.validate` (the rules of `FIELD_RULES`): a field that
TrainConfig does not have, or a value its rule refuses, ends the script with one line naming
the variant and the field. Every variant is compared with the `--baseline` variant (`old`
unless given; it must be one of those run), whose row the table marks.

Variants run two at a time, each pinned to a core of its own (`taskset -c 0` / `-c 1`) so
that both see the same machine noise (with `--whole-machine`: one after another, each on
every core, as a user's run trains); each trains for the same wall-clock minutes through the
project's Trainer and is then scored through the app's quality meter: FD (data-set features,
NOT Inception FID) and the classifier score against the data set's real test split, on 10,000
samples of the generator users see (the weight average, restored from the run as
`gan-studio sample` does).

`--data` takes `mnist`, `cifar10`, or a folder of images; a folder is scored against the test
split of `--score-as` (e.g. `cifar10` for a folder of CIFAR-10 training images), and its runs
keep the live quality meter on (every `--quality-every` minutes) and report its collapse
warnings, as the app shows them. Conditional runs (`conditional:1`) also report, per class,
how often the data set's classifier recognises the class that was asked for.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from preset_quality import quality_meter  # noqa: E402

OLD = {"loss": "bce", "spectral_norm": False, "learning_rate": 2e-4, "d_learning_rate": 2e-4,
       "r1_gamma": 0.0, "augment": "off", "kernel_size": 5, "d_dropout": 0.3, "batch_size": 64,
       "g_activation": "leaky_relu", "g_stride1_kernel": 0, "d_kernel_size": 5}
NAMED = {"old": OLD, "new": {}}


def parse_variant(text: str) -> tuple[str, dict]:
    """A variant's name and the `TrainConfig` fields it sets, not yet checked (`apply_fields`).

    Raises:
        ValueError: if `text` is neither a named recipe nor `NAME=...`.
    """
    if text in NAMED:
        return text, dict(NAMED[text])
    name, equals, spec = text.partition("=")
    if not equals or not name:
        raise ValueError(f"variant {text!r}: neither a named recipe ({', '.join(NAMED)}) nor "
                         "NAME=[BASE,]FIELD:VALUE,...")
    items = [item for item in spec.split(",") if item]
    base = items.pop(0) if items and items[0] in NAMED else "old"
    fields = dict(NAMED[base])
    for item in items:
        key, _, value = item.partition(":")
        try:
            fields[key] = json.loads(value)  # numbers, true/false
        except json.JSONDecodeError:
            fields[key] = value  # words: hinge, on, auto
    return name, fields


def apply_fields(config, fields: dict):
    """`config` with `fields` set, checked by the app's own rules (`TrainConfig.validate`).

    Raises:
        ValueError: naming a field that `TrainConfig` does not have (a mistyped lever would
            otherwise train the baseline under another name), or the first value its rule
            refuses.
    """
    known = [f.name for f in dataclasses.fields(config)]
    for key in fields:
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ValueError(f"unknown lever {key!r}: not a TrainConfig field{hint}")
    changed = dataclasses.replace(config, **fields)
    changed.validate()  # ConfigError is a ValueError
    return changed


def base_config(args, runs_dir: str):
    """What every variant starts from: the data, the seed, no grids, the meter on a folder."""
    from gan_studio.core.config import TrainConfig

    folder = os.path.isdir(args.data)
    return TrainConfig(dataset=args.data, seed=args.seed, data_dir=args.data_dir,
                       runs_dir=runs_dir, sample_every_steps=10**9,
                       sample_every_seconds=10**9, image_size=32 if folder else 28,
                       channels=3 if folder else None,
                       quality_every_minutes=args.quality_every if folder else 0.0)


def check_variants(args) -> None:
    """Checks every variant and the baseline before anything trains.

    Raises:
        ValueError: one line naming the variant and what is wrong with it.
    """
    base = base_config(args, args.runs_dir or "runs")
    base.validate()  # the command line's own values first: no variant is to blame for them
    names = []
    for text in args.variants:
        name, fields = parse_variant(text)
        try:
            apply_fields(base, fields)
        except ValueError as exc:
            raise ValueError(f"variant {name!r}: {exc}") from None
        names.append(name)
    if args.baseline not in names:
        raise ValueError(f"the baseline {args.baseline!r} is not among the variants "
                         f"({', '.join(names) or 'none'}): add it, or name another with "
                         "--baseline")


def child(args) -> None:
    """Trains one variant for the wall-clock budget and scores it; prints one JSON line."""
    from gan_studio.core.training.callbacks import TrainingCallbacks
    from gan_studio.core.training.control import TrainControl
    from gan_studio.ml.generators.export import generator_from_run
    from gan_studio.ml.training.trainer import Trainer

    name, fields = parse_variant(args.variant)
    # Every variant runs for the wall-clock budget: the old default length of a folder (50
    # epochs: 350 steps of 500 images) would end it after a minute.
    fields["epochs"] = 100_000
    control, state = TrainControl(), {"start": None, "step": 0, "collapse": [], "quality": []}

    class StopAfterMinutes(TrainingCallbacks):
        def on_progress(self, progress):
            state["step"] = progress.step
            if state["start"] is None:
                state["start"] = time.monotonic() - progress.elapsed_seconds
            if time.monotonic() - state["start"] >= args.minutes * 60:
                control.stop()

        def on_quality(self, report):
            state["quality"].append([report.step, round(time.monotonic() - state["start"]),
                                     report.fd, report.score])

        def on_collapse(self, warning):
            state["collapse"].append([state["step"], str(warning)])

    config = apply_fields(base_config(args, args.runs_dir), fields)
    trainer = Trainer.create(config, callbacks=StopAfterMinutes(), control=control)
    trainer.run()
    generator = generator_from_run(trainer.run_dir)
    meter = quality_meter(args.data_dir, args.samples, args.score_as or args.data, report=False)
    report = meter.evaluate(generator)
    result = {"name": name, "fields": fields, "steps": state["step"], "fd": report.fd,
              "score": report.score, "summary": report.summary(), "collapse": state["collapse"],
              "quality": state["quality"], "run_dir": trainer.run_dir}
    if args.judge_seed is not None:
        result.update(judged(args, meter, generator))
    if trainer.config.conditional:
        from gan_studio.ml.quality.class_accuracy import class_accuracy

        result["class_accuracy"] = [float(a) for a in class_accuracy(meter, generator, per_class=500)]
    print("RESULT " + json.dumps(result), flush=True)


def judged(args, meter, generator) -> dict:
    """The classifier score of `generator` by the meter's classifier and by an independent one
    (another seed, 4 epochs: not the cached network), each with the real test images' own."""
    from gan_studio.data import load_dataset
    from gan_studio.ml.quality import QualityMeter
    from gan_studio.ml.quality.features import FeatureBudget

    name = args.score_as or args.data
    train = load_dataset(name, data_dir=args.data_dir)
    test = load_dataset(name, data_dir=args.data_dir, split="test")
    judge = QualityMeter(train.images, train.labels, train.classes, test.images, args.data_dir,
                         args.samples, seed=args.judge_seed, name=name,
                         budget=FeatureBudget(epochs=4))
    judge.prepare()
    real = test.images[:args.samples]
    return {"real_score": meter.evaluate_images(real).score,
            "judge_score": judge.evaluate(generator).score,
            "judge_real_score": judge.evaluate_images(real).score}


def run_pair(variants: list[str], args, runs_dir: str) -> list[dict]:
    runs = []
    for core, variant in enumerate(variants):
        # --whole-machine: one run at a time on every core, as a user's run trains.
        pin = [] if args.whole_machine else ["taskset", "-c", str(core)]
        command = pin + [sys.executable, __file__, "--child",
                   "--variant", variant, "--data", args.data, "--data-dir", args.data_dir,
                   "--minutes", str(args.minutes), "--seed", str(args.seed),
                   "--samples", str(args.samples), "--runs-dir", runs_dir,
                   "--quality-every", str(args.quality_every)]
        if args.judge_seed is not None:
            command += ["--judge-seed", str(args.judge_seed)]
        if args.score_as:
            command += ["--score-as", args.score_as]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        runs.append((variant, proc, proc.communicate()[0] if args.whole_machine else None))
    results = []
    for variant, proc, out in runs:
        if out is None:
            out, _ = proc.communicate()
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        if not lines:
            print(f"{variant}: failed (exit {proc.returncode})", flush=True)
            continue
        results.append(json.loads(lines[-1][len("RESULT "):]))
    return results


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line; exits with one line if a variant or the baseline is wrong."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("variants", nargs="*", default=["old", "new"])
    parser.add_argument("--baseline", default="old",
                        help="the variant every other one is compared with (default: old)")
    parser.add_argument("--data-dir", required=True, help="Keras-layout cache (mnist, CIFAR-10)")
    parser.add_argument("--data", default="mnist")
    parser.add_argument("--score-as", help="built-in whose test split scores a folder's runs")
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--samples", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quality-every", type=float, default=2.5)
    parser.add_argument("--judge-seed", type=int, default=None,
                        help="also score each variant by a second classifier trained with this "
                             "seed (an independent judge), and print both classifiers' score "
                             "of the real test images")
    parser.add_argument("--whole-machine", action="store_true",
                        help="run the variants one after another, each on every core, instead "
                             "of two at a time pinned to a core each")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--variant", help=argparse.SUPPRESS)
    parser.add_argument("--runs-dir", help="keep the runs here (default: a temporary folder)")
    args = parser.parse_args(argv)
    if not args.child:
        try:
            check_variants(args)
        except ValueError as exc:
            sys.exit(f"{parser.prog}: {exc}")
    return args


def main() -> None:
    args = parse_args()
    if args.child:
        return child(args)
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    print(f"{args.data}, {args.minutes:g} min per variant, seed {args.seed}"
          f"{', one at a time on every core' if args.whole_machine else ''}"
          f"; baseline {args.baseline}", flush=True)
    quality_meter(args.data_dir, args.samples, args.score_as or args.data)  # trains it once
    with tempfile.TemporaryDirectory() as scratch:
        runs_dir = args.runs_dir or scratch
        results, base = [], None
        for i in range(0, len(args.variants), 2):
            pair = run_pair(args.variants[i:i + 2], args, runs_dir)
            results += pair
            for r in pair:
                if base is None and r["name"] == args.baseline:
                    base = r
                extra = f"; collapse warnings at steps {[c[0] for c in r['collapse']]}" \
                    if r["collapse"] else ""
                if "class_accuracy" in r:
                    extra += f"; class accuracy {[round(a, 3) for a in r['class_accuracy']]}"
                mark = " (baseline)" if r is base else ""
                if "judge_score" in r:
                    extra += (f"; score {r['score']:.2f} = {r['score'] / r['real_score']:.0%} "
                              f"of the real test images' {r['real_score']:.2f}; judge (seed "
                              f"{args.judge_seed}) {r['judge_score']:.2f} = "
                              f"{r['judge_score'] / r['judge_real_score']:.0%} of its "
                              f"{r['judge_real_score']:.2f}")
                print(f"{r['name']:>12}{mark}: {r['steps']} steps -> {r['summary']}{extra}"
                      f"\n{'':>14}live quality (step, s, FD, score): {r['quality']}", flush=True)
    if base is None:
        if results:
            print(f"the baseline {args.baseline} failed: no ratios")
        return
    print(f"against the baseline, {base['name']}:")
    for r in results:
        if r is not base:
            print(f"{r['name']} / {base['name']}: FD {r['fd'] / base['fd']:.3f}x, "
                  f"score {r['score']:.2f} vs {base['score']:.2f}")


if __name__ == "__main__":
    main()

"""Do a class-conditional run's samples vary within each class as the real images do?

    taskset -c 1 env ONEDNN_MAX_CPU_ISA=AVX2 python tests/benchmarks/conditional_diversity.py \\
        --data-dir /tmp/kcache --minutes 3 current "r1=r1_gamma:1"

Each arm is `NAME` or `NAME=LEVER:VALUE,...`, where a lever is a `TrainConfig` field (checked
by `TrainConfig.validate`) or one of `PENDING_LEVERS` (read by ml/ before TrainConfig holds
it: `mode_seeking`, the weight of `ml/training/gan.mode_seeking_penalty`); every arm starts from `TrainConfig(dataset="mnist",
conditional=True)` with the `studio` preset (its grey recipe) at `--precision`. Arms train
one after another, each in a process of its own (pin the whole script to a core with
`taskset`), for `--minutes` of training time (`max_minutes`), and are then scored by the
app's quality meter on `--samples` images of the weight-averaged generator, an even mix of
the classes (`QualityMeter.evaluate`):

- class accuracy: the share of samples the meter's MNIST classifier puts in the class asked for;
- within-class diversity: per class, the mean pairwise distance of the samples' classifier
  features divided by the same for the held-out test images the classifier puts in that
  class (`core/quality/statistics.class_diversity`); the mean over classes and the worst;
- FD (data-set features, NOT Inception's FID) against the test split.

It also prints real training images scored the same way (the floor: near 1 per class) and,
per arm, how much of the variance of the generator's first layer (`project`, before its batch
norm) the noise makes within a class, against what the class makes between classes.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from recipe_levers import parse_variant  # noqa: E402

PENDING_LEVERS = ("mode_seeking",)  # levers ml/ reads that TrainConfig does not hold yet


def parse_arm(text: str) -> tuple[str, dict]:
    """An arm's name and its `TrainConfig` fields (a bare name: none, the current recipe)."""
    if "=" not in text:
        return text, {}
    name, fields = parse_variant(text.replace("=", "=new,", 1))
    return name, fields


def project_variance(generator, per_class: int = 200, seed: int = 0) -> float | None:
    """The share of the `project` layer's variance (before its batch norm) that lies within
    classes: the noise's part, against the class's between classes (None: no such layer)."""
    import keras
    import numpy as np

    try:
        project = generator.get_layer("project")
    except ValueError:
        return None
    labels = np.repeat(np.arange(10), per_class).astype(np.int32)
    z = np.random.default_rng(seed).standard_normal((len(labels), generator.inputs[0].shape[-1]))
    h = keras.Model(generator.inputs, project.output)([z.astype(np.float32), labels]).numpy()
    h = h.reshape(len(h), -1).astype(np.float64)
    within = np.mean([h[labels == c].var(axis=0).sum() for c in range(10)])
    return float(within / h.var(axis=0).sum())


def child(args) -> None:
    """Trains one arm and scores it; prints one RESULT line of JSON."""
    import numpy as np

    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.generators.export import generator_from_run
    from gan_studio.ml.training.trainer import Trainer

    name, fields = parse_arm(args.arm)
    for lever in [key for key in fields if key in PENDING_LEVERS]:
        # Read by ml/ with getattr until TrainConfig has the field: a class attribute here
        # reaches every copy the trainer makes of the config.
        setattr(TrainConfig, lever, fields.pop(lever))
    config = TrainConfig(dataset="mnist", conditional=True, data_dir=args.data_dir,
                         runs_dir=args.runs_dir, seed=args.seed, precision=args.precision,
                         max_minutes=args.minutes, sample_every_steps=10**9,
                         sample_every_seconds=10**9, quality_every_minutes=0.0)
    config = dataclasses.replace(config, **fields)
    config.validate()
    trainer = Trainer.create(config)
    trainer.run()
    steps = int(trainer.gan.step.numpy())
    generator = generator_from_run(trainer.run_dir)
    from preset_quality import quality_meter

    meter = quality_meter(args.data_dir, args.samples, report=False)
    report = meter.evaluate(generator)
    result = {"name": name, "fields": fields, "steps": steps, "fd": report.fd,
              "diversity": report.diversity, "class_accuracy": report.class_accuracy,
              "class_diversity": report.class_diversity,
              "class_diversity_mean": report.class_diversity_mean,
              "worst": report.least_varied_class,
              "project_within": project_variance(generator), "run_dir": trainer.run_dir}
    if args.floor:
        from gan_studio.data import load_dataset

        train = load_dataset("mnist", data_dir=args.data_dir)
        pick = np.random.default_rng(1).choice(len(train.images), args.samples, replace=False)
        floor = meter.evaluate_images(train.images[pick], labels=train.labels[pick])
        result["floor"] = {"fd": floor.fd, "class_accuracy": floor.class_accuracy,
                           "class_diversity_mean": floor.class_diversity_mean,
                           "worst": floor.least_varied_class}
    print("RESULT " + json.dumps(result), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("arms", nargs="*", default=["current"])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--minutes", type=float, default=3.0)
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--precision", default="float32")
    parser.add_argument("--runs-dir", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--arm", help=argparse.SUPPRESS)
    parser.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args)
        return
    from gan_studio.core.machine import machine_report

    print(machine_report(), flush=True)  # the figures name the CPU they were measured on
    for arm in args.arms:  # every arm's levers are checked before anything trains
        parse_arm(arm)
    print(f"{args.minutes:g} min per arm, "
          f"{args.precision}, seed {args.seed}, {args.samples} samples", flush=True)
    runs_dir = args.runs_dir or tempfile.mkdtemp(prefix="conditional-diversity-")
    for i, arm in enumerate(args.arms):
        command = [sys.executable, __file__, "--child", "--arm", arm, "--data-dir",
                   args.data_dir, "--minutes", str(args.minutes), "--samples",
                   str(args.samples), "--seed", str(args.seed), "--precision", args.precision,
                   "--runs-dir", runs_dir] + (["--floor"] if i == 0 else [])
        out = subprocess.run(command, stdout=subprocess.PIPE, text=True).stdout
        lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
        if not lines:
            print(f"{arm}: failed", flush=True)
            continue
        r = json.loads(lines[-1][len("RESULT "):])
        if "floor" in r:
            f = r["floor"]
            print(f"real training images: class accuracy {f['class_accuracy']:.1%}, "
                  f"within-class diversity {f['class_diversity_mean']:.3f} (worst class "
                  f"{f['worst'][0]}: {f['worst'][1]:.3f}), FD {f['fd']:.2f}")
        within = r["project_within"]
        print(f"{r['name']:>16} {r['steps']:>6} steps  class accuracy {r['class_accuracy']:.1%}  "
              f"within-class diversity {r['class_diversity_mean']:.3f} (worst class "
              f"{r['worst'][0]}: {r['worst'][1]:.3f})  diversity {r['diversity']:.3f}  "
              f"FD {r['fd']:.2f}  project var within {'-' if within is None else f'{within:.2f}'}"
              f"  {r['fields']}", flush=True)
        print("    per class " + " ".join(f"{d:.2f}" for d in r["class_diversity"]), flush=True)


if __name__ == "__main__":
    main()

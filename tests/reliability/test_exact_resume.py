"""Resume is exact: 2N steps straight and N + resume + N give bit-identical state.

With TensorFlow's op determinism on (float32, CPU), nothing may differ: the generator's and
discriminator's weights (spectral norm's power-iteration vectors included), the weight
average, every optimizer slot, the step and epoch counters and the random generator's state.
Op determinism is process-wide, so each arm runs in a subprocess of its own. The first test
resumes inside that process (`Trainer.resume`); the second resumes as a user does, in a new
process through `gan-studio resume`, and also compares metrics.csv (and quality.csv, with the
live quality meter on).
"""

import csv
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from helpers import write_tiny_mnist

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import numpy as np
    import tensorflow as tf
    tf.config.experimental.enable_op_determinism()
    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.training.trainer import Trainer

    fields, plan, out = json.loads(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
    trainer = Trainer.create(TrainConfig(**fields, max_steps=plan[0]))
    trainer.run()
    for steps in plan[1:]:
        trainer = Trainer.resume(trainer.run_dir, max_steps=steps)
        trainer.run()
    gan = trainer.gan
    state = {}
    for name, variables in [("g", gan.generator.weights), ("d", gan.discriminator.weights),
                            ("sampler", gan.sampler.weights),
                            ("g_opt", gan.g_optimizer.variables),
                            ("d_opt", gan.d_optimizer.variables)]:
        for i, v in enumerate(variables):
            # by position: a second Trainer in a process gets uniquified names (adam_1/...)
            state[f"{name}/{i}"] = np.asarray(v.numpy())
    state["step"], state["epoch"] = gan.step.numpy(), gan.epoch.numpy()
    state["rng"] = gan.rng.state.numpy()
    np.savez(out, **state)
""")


def _train(tmp_path, name, fields, plan):
    out = str(tmp_path / f"{name}.npz")
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(fields), json.dumps(plan),
                           out], capture_output=True, text=True, env=env, timeout=500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    with np.load(out) as f:
        return {key: f[key] for key in f.files}


@pytest.mark.parametrize("levers", [
    {},  # the grey recipe: BCE, augmentation (a 48-image set is small), weight average
    {"loss": "hinge", "spectral_norm": True, "d_learning_rate": 4e-4, "steps_per_call": 2},
], ids=["grey-recipe", "colour-levers-two-steps-per-call"])
def test_straight_and_resumed_runs_are_bit_identical(tmp_path, levers):
    data = tmp_path / "data"
    write_tiny_mnist(str(data))
    fields = {"dataset": "mnist", "data_dir": str(data), "runs_dir": str(tmp_path / "runs"),
              "batch_size": 8, "epochs": 3, "grid_size": 2, "seed": 5,
              "precision": "float32", "quality_every_minutes": 0, **levers}
    straight = _train(tmp_path, "straight", fields, [8])
    resumed = _train(tmp_path, "resumed", fields, [4, 8])
    assert straight.keys() == resumed.keys()
    assert int(straight["step"]) == 8 and len(straight) > 20
    different = [key for key in straight
                 if not np.array_equal(straight[key], resumed[key])]
    assert different == []


# -- resumed in a new process, the way a user resumes -------------------------------------
# The first process trains N steps and exits; `gan-studio resume RUN --max-steps 2N` continues
# in a second one. TF_DETERMINISTIC_OPS=1 turns op determinism on in a process whose code
# does not (the CLI): TRAIN checks that this TensorFlow honours it.

# Quality-meter runs: preparation starts at the first step, not after PREPARE_AFTER seconds,
# and takes a slice after every step whatever its share, so a run of seconds trains its
# feature network between the GAN's steps and is measured while it trains.
QUICK_METER = textwrap.dedent("""
    from gan_studio.ml.training import live_quality
    live_quality.PREPARE_AFTER, live_quality.PREPARE_SHARE = 0.0, float("inf")
""")

TRAIN = textwrap.dedent("""
    import json, sys
    from tensorflow.python.framework import config as tf_config
    assert tf_config.is_op_determinism_enabled(), "TF_DETERMINISTIC_OPS=1 was not honoured"
    from gan_studio.core.config import TrainConfig
    from gan_studio.ml.training.trainer import Trainer

    trainer = Trainer.create(TrainConfig(**json.loads(sys.argv[1])), on_fault="raise")
    assert trainer.run() == "finished"
""")

CLI = "import sys\nfrom gan_studio.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def _env():
    return dict(os.environ, PYTHONHASHSEED="0", TF_DETERMINISTIC_OPS="1",
                TF_CPP_MIN_LOG_LEVEL="2")


def _train_new(fields, quick_meter):
    """Trains a new run in a process of its own; returns its run folder."""
    code = QUICK_METER + TRAIN if quick_meter else TRAIN
    proc = subprocess.run([sys.executable, "-c", code, json.dumps(fields)],
                          capture_output=True, text=True, env=_env(), timeout=500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    (run_dir,) = [entry.path for entry in os.scandir(fields["runs_dir"])]
    return run_dir


def _resume_with_cli(run_dir, steps, quick_meter):
    """`python -m gan_studio.cli resume RUN_DIR --max-steps STEPS` (with the quick meter: the
    CLI's `main` in a process that shortened the meter's wait first); returns its stdout."""
    args = ["resume", run_dir, "--max-steps", str(steps)]
    command = ([sys.executable, "-c", QUICK_METER + CLI, *args] if quick_meter
               else [sys.executable, "-m", "gan_studio.cli", *args])
    proc = subprocess.run(command, capture_output=True, text=True, env=_env(), timeout=500)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "quality meter is off" not in proc.stdout, proc.stdout
    return proc.stdout


def _checkpoint_state(run_dir, step):
    """Every value of the run's recent checkpoint of `step` (the one a later resume reads)."""
    from gan_studio.core.runs.layout import CHECKPOINT_DIR
    from gan_studio.ml.runtime.device import import_tensorflow

    tf = import_tensorflow()
    reader = tf.train.load_checkpoint(os.path.join(run_dir, CHECKPOINT_DIR, f"ckpt-{step}"))
    # save_counter counts saves (a best/ one too), which the trainer never reads.
    return {key: reader.get_tensor(key) for key in reader.get_variable_to_shape_map()
            if not key.startswith(("save_counter", "_CHECKPOINTABLE_OBJECT_GRAPH"))}


def _metric_rows(run_dir):
    """metrics.csv's rows without the wall-clock column, as written."""
    from gan_studio.core.runs.layout import METRICS_FILE
    from gan_studio.core.runs.metrics_log import METRIC_FIELDS

    with open(os.path.join(run_dir, METRICS_FILE), newline="", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    assert tuple(header) == METRIC_FIELDS and header[-1] == "time"
    return [row[:-1] for row in rows]


def _measured(run_dir):
    """quality.csv's evaluations without their timings: {step: numbers}."""
    from gan_studio.core.quality.report import read_quality

    return {r.step: dataclasses.replace(r, seconds=0.0, time=0.0) for r in read_quality(run_dir)}


def _without_copies(report):
    return dataclasses.replace(report, copy_rate=None, copy_floor=None)


@pytest.mark.parametrize("levers,half", [
    ({}, 4),  # the grey recipe; the resumed half crosses an epoch's end (6 steps)
    # resumed between two lazy R1 steps; with D's dropout (its SeedGenerators' state)
    ({"conditional": True, "loss": "hinge", "r1_gamma": 1.0, "r1_every": 2, "d_dropout": 0.3},
     5),
    ({"quality_every_minutes": 1e-4, "quality_samples": 100}, 8),  # the live quality meter
], ids=["grey-recipe", "conditional-hinge-r1", "live-quality-meter"])
def test_a_run_resumed_by_the_cli_in_a_new_process_is_bit_identical(tmp_path, levers, half):
    quick_meter = levers.get("quality_every_minutes", 0) > 0
    arms = {}
    for arm in ("straight", "split"):
        fields = {"dataset": "mnist", "data_dir": write_tiny_mnist(str(tmp_path / arm / "data")),
                  "runs_dir": str(tmp_path / arm / "runs"), "batch_size": 8, "epochs": 3,
                  "grid_size": 2, "seed": 5, "precision": "float32",
                  "quality_every_minutes": 0, **levers}
        steps = 2 * half if arm == "straight" else half
        arms[arm] = _train_new({**fields, "max_steps": steps}, quick_meter)
    straight, split = arms["straight"], arms["split"]
    if quick_meter:
        # The resumed process trains its own feature network between the GAN's steps (the
        # straight run trained its own at its start), and must not move the GAN's random state.
        # The training images' features (the copy rate's) go with the network: both go.
        features = tmp_path / "split" / "data" / "gan-studio-features"
        assert sorted(p.suffix for p in features.iterdir()) in ([".keras"], [".keras", ".npy"])
        shutil.rmtree(features)
    out = _resume_with_cli(split, 2 * half, quick_meter)
    assert f"Resumed from step {half}" in out and "Training finished" in out, out

    want, got = _checkpoint_state(straight, 2 * half), _checkpoint_state(split, 2 * half)
    assert len(want) > 20 and sorted(want) == sorted(got)
    assert any(key.startswith("rng/") for key in want)  # the noise and augmentation state
    step_key = next(key for key in want if key.startswith("step/"))
    assert int(got[step_key]) == 2 * half
    assert [key for key in want if not np.array_equal(want[key], got[key])] == []

    rows = _metric_rows(split)
    assert [int(row[0]) for row in rows] == list(range(1, 2 * half + 1))  # none lost or twice
    assert rows == _metric_rows(straight)
    if quick_meter:
        measured, resumed = _measured(straight), _measured(split)
        assert min(measured) < 2 * half  # measured between steps, not only at the end
        assert any(step > half for step in resumed), out  # and in the resumed process
        assert (tmp_path / "split" / "data" / "gan-studio-features").is_dir()
        # Each step measured after the resume is the straight run's generator at that step,
        # measured by the same (seeded) feature network: the same numbers. The copy rate comes
        # once the training images' features are ready, which the resumed process computes
        # again: where both runs have it, it is the same too.
        assert 2 * half in resumed and set(resumed) <= set(measured)
        for step, report in resumed.items():
            straight_report = measured[step]
            assert _without_copies(report) == _without_copies(straight_report), step
            if report.copy_rate is not None and straight_report.copy_rate is not None:
                assert (report.copy_rate, report.copy_floor) == (
                    straight_report.copy_rate, straight_report.copy_floor), step

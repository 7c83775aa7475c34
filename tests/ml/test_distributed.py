"""Training under tf.distribute: a mirrored run on two logical CPU devices trains what one
device trains at the same global batch, a two-process multi-worker run keeps both workers
identical with the chief alone writing, and a worker that dies ends the run on the other.

TensorFlow's devices and collectives are set up once per process, so every run here is a
subprocess of its own."""

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from helpers import write_tiny_mnist

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

MIRRORED = textwrap.dedent("""
    import json, os, sys
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "2"
    import numpy as np
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    tf.config.experimental.enable_op_determinism()
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.runs.metrics_log import read_metrics
    from gan_studio.ml.trainer import Trainer

    fields, out = json.loads(sys.argv[1]), sys.argv[2]
    trainer = Trainer.create(TrainConfig(**fields))
    assert trainer.run() == "finished"
    gan, state = trainer.gan, {"device": np.array(trainer.device)}
    for name, model in [("g", gan.generator), ("d", gan.discriminator), ("s", gan.sampler)]:
        for i, v in enumerate(model.weights):
            copies = [np.asarray(c) for c in getattr(v.value, "values", [v.value])]
            state[f"{name}/{i}"] = copies[0]
            # every replica's copy of every variable holds the same value
            state[f"{name}/{i}/in_sync"] = np.array(all(np.array_equal(copies[0], c)
                                                       for c in copies))
    logged = read_metrics(trainer.run_dir)
    state["metrics"] = np.stack([logged[k] for k in ("g_loss", "d_loss", "d_real", "d_fake")], 1)
    np.savez(out, **state)
""")


def _mirrored(tmp_path, name, fields):
    out = str(tmp_path / f"{name}.npz")
    proc = subprocess.run([sys.executable, "-c", MIRRORED, json.dumps(fields), out],
                          capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONHASHSEED="0"))
    assert proc.returncode == 0, proc.stderr[-3000:]
    with np.load(out) as f:
        return {key: f[key] for key in f.files}


def _fields(tmp_path, **extra):
    data = tmp_path / "data"
    if not data.exists():
        write_tiny_mnist(str(data))
    return {"dataset": "mnist", "data_dir": str(data), "runs_dir": str(tmp_path / "runs"),
            "batch_size": 8, "epochs": 2, "max_steps": 6, "grid_size": 2, "seed": 5,
            "precision": "float32", "quality_every_minutes": 0, "augment": "off", **extra}


def test_each_replica_gets_its_rows_of_every_global_batch():
    from gan_studio.ml.pipeline import replica_orders

    order = np.arange(24).reshape(3, 8)  # 3 steps of a global batch of 8
    assert [s.tolist() for s in replica_orders(order, 4, 2, 2)] == [
        [[4, 5], [12, 13], [20, 21]], [[6, 7], [14, 15], [22, 23]]]
    np.testing.assert_array_equal(np.concatenate(replica_orders(order, 4, 0, 4), axis=1), order)


@pytest.mark.parametrize("kind", ["bce", "hinge"])
def test_a_replicas_losses_are_its_share_of_the_global_batch_mean(kind):
    from gan_studio.ml.losses import adversarial_losses

    real = np.array([[2.0], [0.5], [-1.0], [0.3]], np.float32)
    fake = np.array([[-2.0], [0.0], [1.5], [0.7]], np.float32)
    whole = [float(x) for x in adversarial_losses(kind, real, fake)]
    halves = [adversarial_losses(kind, real[i:i + 2], fake[i:i + 2], global_batch=4)
              for i in (0, 2)]
    assert [float(a) + float(b) for a, b in zip(*halves)] == pytest.approx(whole)


# Float32 sums in another order (two half batches, then the sum over replicas): after six
# steps the weights differ from one device's by at most ~1.3e-4 (measured: 2.8e-5 with BCE,
# 1.3e-4 with the hinge loss), the losses by ~3e-6.
WEIGHTS_ATOL, METRICS_ATOL = 2e-4, 2e-5


@pytest.mark.slow
@pytest.mark.parametrize("levers", [
    # the grey recipe (BCE, the generator's batch norms, the weight average) with the seed's
    # dropout in D, whose mask each replica slices from the global batch's
    {"d_dropout": 0.3},
    # the learning rate, dropout and generator its bound was measured with (1.3e-4); with the
    # grey recipe's 4e-4 and no dropout this case's rounding grew to 8.6e-4 after six steps,
    # and with its ReLU and 3x3 stride-1 generator to 2.3e-4
    {"loss": "hinge", "r1_gamma": 1.0, "r1_every": 2, "steps_per_call": 2, "conditional": True,
     "generator_ema": 0.0, "learning_rate": 2e-4, "d_dropout": 0.3,
     "g_activation": "leaky_relu", "g_stride1_kernel": 0},
], ids=["grey-recipe", "hinge-r1-two-steps-per-call-conditional"])
def test_mirrored_on_two_devices_trains_what_one_device_trains(tmp_path, levers):
    one = _mirrored(tmp_path, "default", _fields(tmp_path, **levers))
    two = _mirrored(tmp_path, "mirrored", _fields(tmp_path, strategy="mirrored",
                                                  devices=["/cpu:0", "/cpu:1"], **levers))
    assert str(one["device"]) == "CPU"
    assert str(two["device"]) == "CPU, mirrored over 2 replicas"
    weights = [k for k in one if k.count("/") == 1]
    assert len(weights) > 20 and one["metrics"].shape == (6, 4)
    assert all(bool(two[f"{k}/in_sync"]) for k in weights)
    worst = max(float(np.max(np.abs(one[k] - two[k]))) for k in weights)
    assert worst < WEIGHTS_ATOL
    np.testing.assert_allclose(one["metrics"], two["metrics"], atol=METRICS_ATOL)


@pytest.mark.slow
def test_mirrored_with_spectral_norm_trains_alike_in_distribution(tmp_path):
    """With spectral norm D judges each replica's real and fake images in one call (its power
    iteration steps once per call), so D's dropout masks fall on other images than on one
    device: the same distribution, not the same values."""
    levers = {"loss": "hinge", "spectral_norm": True, "d_dropout": 0.3}
    one = _mirrored(tmp_path, "default", _fields(tmp_path, **levers))
    two = _mirrored(tmp_path, "mirrored", _fields(tmp_path, strategy="mirrored",
                                                  devices=["/cpu:0", "/cpu:1"], **levers))
    weights = [k for k in one if k.count("/") == 1]
    assert all(bool(two[f"{k}/in_sync"]) for k in weights)
    # measured after six steps: weights within 0.005, losses within 0.03
    assert max(float(np.max(np.abs(one[k] - two[k]))) for k in weights) < 0.05
    np.testing.assert_allclose(one["metrics"], two["metrics"], atol=0.2)


@pytest.mark.slow
def test_per_replica_batch_norm_keeps_the_replicas_copies_in_sync(tmp_path):
    two = _mirrored(tmp_path, "per-replica", _fields(tmp_path, strategy="mirrored",
                                                     devices=["/cpu:0", "/cpu:1"],
                                                     sync_batch_norm=False))
    synced = [k for k in two if k.endswith("/in_sync")]
    assert synced and all(bool(two[k]) for k in synced)  # moving averages: the replicas' mean
    assert np.all(np.isfinite(two["metrics"]))


def _free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def _start_workers(tmp_path, args, resume=None):
    """Starts two workers of a multi-worker run: `train` into `runs0`/`runs1`, or `resume`."""
    ports = _free_ports(2)
    procs = []
    for index in range(2):
        tf_config = {"cluster": {"worker": [f"127.0.0.1:{p}" for p in ports]},
                     "task": {"type": "worker", "index": index}}
        env = dict(os.environ, TF_CONFIG=json.dumps(tf_config), PYTHONHASHSEED="0")
        command = (["resume", str(resume), *args] if resume else
                   ["train", "--strategy", "multiworker", "--run-dir",
                    str(tmp_path / f"runs{index}"), *args])
        procs.append(subprocess.Popen([sys.executable, "-m", "gan_studio.cli", *command],
                                      env=env, text=True, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT))
    return procs


def _finish(procs, timeout=300):
    outputs = [p.communicate(timeout=timeout)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    return outputs


MEASURED_GENERATOR_FLAGS = ("--g-activation", "leaky_relu", "--g-stride1-kernel", "0")


def _train_args(tmp_path, steps):
    data = tmp_path / "data"
    write_tiny_mnist(str(data))
    # The generator its bound was measured with: with ReLU, 7 of the 1.25 million projection
    # weights ended 3.5e-4 apart after ten steps (units at the kink, where float32 sums in
    # another order decide whether a gradient passes, and Adam scales up the small ones).
    return ["--dataset", "mnist", "--data-dir", str(data), "--batch-size", "8",
            "--max-steps", str(steps), "--seed", "3", "--precision", "float32",
            "--augment", "off", *MEASURED_GENERATOR_FLAGS]


@pytest.mark.slow
def test_two_workers_train_alike_and_the_chief_alone_writes_the_run(tmp_path):
    from gan_studio.core.runs.layout import list_checkpoints
    from gan_studio.ml.trainer import Trainer

    outputs = _finish(_start_workers(tmp_path, _train_args(tmp_path, 10)))
    assert "multi-worker: 2 replicas on 2 workers, this is worker 0" in outputs[0]
    assert "This worker writes no run folder" in outputs[1]
    assert "batch 8 = 2×4" in outputs[0]  # the progress line: the global batch, split
    assert not (tmp_path / "runs1").exists()  # worker 1's saves went to scratch, deleted
    (run,) = (tmp_path / "runs0").iterdir()
    assert [step for step, _ in list_checkpoints(str(run))] == [10]
    assert (run / "metrics.csv").read_text().count("\n") == 11
    config = json.loads((run / "config.json").read_text())
    assert config["strategy"] == "multiworker"

    # ... they trained what one process trains at the same global batch (each worker fed its
    # replica's share of every batch): their checkpoints hold the same values
    from gan_studio.core.config import TrainConfig

    one = Trainer.create(TrainConfig(dataset="mnist", data_dir=str(tmp_path / "data"),
                                     runs_dir=str(tmp_path / "one"), batch_size=8, max_steps=10,
                                     seed=3, precision="float32", augment="off",
                                     g_activation="leaky_relu", g_stride1_kernel=0))
    assert one.run() == "finished"
    ours, theirs = (_checkpoint_values(list_checkpoints(folder)[-1][1])
                    for folder in (one.run_dir, str(run)))
    assert ours.keys() == theirs.keys() and len(ours) > 50
    for key, value in ours.items():
        np.testing.assert_allclose(theirs[key], value, atol=WEIGHTS_ATOL, err_msg=key)

    # ... both workers continue it from the chief's folder (here on the same disk) ...
    files = sorted(p.name for p in run.rglob("*"))
    outputs = _finish(_start_workers(tmp_path, ["--max-steps", "12"], resume=run))
    assert "Resume with: gan-studio resume" in outputs[0]
    assert [step for step, _ in list_checkpoints(str(run))] == [10, 12]
    added = set(p.name for p in run.rglob("*")) - set(files)
    assert {"ckpt-12.index", "ckpt-12.data-00000-of-00001"} <= added
    assert len([name for name in added if "tfevents" in name]) == 1, added  # the chief's alone

    # ... and so does a single process
    trainer = Trainer.resume(str(run), max_steps=14, strategy="default")
    assert trainer.run() == "finished"
    assert int(trainer.gan.step.numpy()) == 14
    assert [step for step, _ in list_checkpoints(str(run))] == [10, 12, 14]
    assert json.loads((run / "config.json").read_text())["strategy"] == "default"


def _checkpoint_values(prefix):
    import tensorflow as tf

    reader = tf.train.load_checkpoint(prefix)
    return {name: reader.get_tensor(name) for name in reader.get_variable_to_shape_map()
            if "OBJECT_GRAPH" not in name}


def _wait_for_steps(procs, runs, count, limit=240):
    """Waits until the chief has logged `count` steps (its metrics.csv)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        logs = list(runs.glob("*/metrics.csv"))
        if logs and logs[0].read_text().count("\n") > count:
            return
        assert procs[0].poll() is None, procs[0].communicate()[0]
        time.sleep(0.2)
    pytest.fail("the workers trained no step")


@pytest.mark.slow
def test_a_stop_asked_on_one_worker_stops_both_after_the_same_step(tmp_path):
    from gan_studio.core.runs.layout import list_checkpoints

    procs = _start_workers(tmp_path, _train_args(tmp_path, 100_000))
    try:
        _wait_for_steps(procs, tmp_path / "runs0", 3)
        procs[1].send_signal(signal.SIGTERM)  # the worker that is not the chief
        outputs = _finish(procs, timeout=120)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    (run,) = (tmp_path / "runs0").iterdir()
    (step,) = [step for step, _ in list_checkpoints(str(run))]  # saved by both, kept by one
    assert f"Stopped at step {step}" in outputs[0] and f"Stopped at step {step}" in outputs[1]
    assert "Resume with: gan-studio resume" in outputs[0]


# How long the chief may take to notice a dead worker: TensorFlow's health check (heartbeats
# every few seconds; 7-10 s measured) or, at the latest, the collective timeout.
DEATH_BOUND = 90


@pytest.mark.slow
def test_a_worker_that_dies_ends_the_run_on_the_other_with_one_clear_line(tmp_path):
    procs = _start_workers(tmp_path, _train_args(tmp_path, 100_000))
    try:
        _wait_for_steps(procs, tmp_path / "runs0", 3)
        procs[1].kill()
        killed = time.monotonic()
        output = procs[0].communicate(timeout=DEATH_BOUND + 30)[0]
        took = time.monotonic() - killed
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
    assert procs[0].returncode == 2
    assert took < DEATH_BOUND
    (line,) = [ln for ln in output.splitlines() if ln.startswith("gan-studio: error:")]
    assert "worker 0: another worker stopped answering at step" in line
    assert "Traceback" not in output

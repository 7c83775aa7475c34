"""The `gan-studio` command end to end on a tiny MNIST-format data set."""

import os
import re
import subprocess
import sys

import numpy as np
import pytest
from helpers import write_tiny_mnist

from gan_studio.cli import main


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    write_tiny_mnist(str(folder))
    return str(folder)


def _only_run(runs_dir):
    (name,) = os.listdir(runs_dir)
    return os.path.join(runs_dir, name)


def _tiny_run(tmp_path, data_dir, steps):
    """Trains `steps` steps of 8 tiny digits; returns the run folder."""
    runs_dir = str(tmp_path / "runs")
    assert main(["train", "--dataset", "mnist", "--data-dir", data_dir, "--max-steps", str(steps),
                 "--batch-size", "8", "--run-dir", runs_dir]) == 0
    return _only_run(runs_dir)


@pytest.mark.slow
def test_train_resume_sample_export(tmp_path, data_dir, capsys):
    runs_dir = str(tmp_path / "runs")
    assert main(["train", "--dataset", "mnist", "--data-dir", data_dir, "--max-steps", "2",
                 "--batch-size", "8", "--run-dir", runs_dir, "--seed", "1"]) == 0
    run = _only_run(runs_dir)
    assert "Resume with: gan-studio resume" in capsys.readouterr().out

    assert main(["resume", run, "--max-steps", "3", "--data-dir", data_dir]) == 0
    from gan_studio.core.runs.metrics_log import read_metrics

    assert list(read_metrics(run)["step"]) == [1, 2, 3]

    npz = str(tmp_path / "s.npz")
    assert main(["sample", run, "--count", "5", "--out", npz]) == 0
    with np.load(npz, allow_pickle=False) as f:
        assert f["images"].shape == (5, 28, 28) and f["images"].dtype == np.uint8

    keras_file = str(tmp_path / "g.keras")
    assert main(["export", run, "--out", keras_file]) == 0
    png_dir = str(tmp_path / "pngs")
    assert main(["sample", keras_file, "--count", "3", "--out", png_dir, "--seed", "2"]) == 0
    assert sorted(os.listdir(png_dir)) == ["sample-0.png", "sample-1.png", "sample-2.png"]
    grid = str(tmp_path / "grid.png")
    assert main(["sample", keras_file, "--count", "4", "--out", grid]) == 0
    from gan_studio.core.images import load_image

    assert load_image(grid).shape == (56, 56)


@pytest.mark.parametrize("argv,expected", [
    (["train", "--dataset", "no_such_set"], "no_such_set"),
    (["resume", "/nonexistent/run"], "not a GAN Studio run"),
    (["sample", "/nonexistent/model.keras", "--out", "x.npz"], "no such file"),
    (["train", "--dataset", "mnist", "--lr", "5"], "learning_rate"),
])
def test_errors_are_one_clear_line(argv, expected, capsys, tmp_path):
    status = main(argv + (["--data-dir", str(tmp_path)] if argv[0] == "train" else []))
    err = capsys.readouterr().err
    assert status == 2
    assert expected in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_offline_download_error_names_url_and_path(tmp_path, capsys, monkeypatch):
    # No cached file and an unreachable origin: the message says where to put the file.
    import gan_studio.data.download as download

    def refuse(*args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(download.urllib.request, "urlopen", refuse)
    status = main(["train", "--dataset", "mnist", "--data-dir", str(tmp_path), "--run-dir",
                   str(tmp_path / "runs")])
    err = capsys.readouterr().err
    assert status == 2
    assert "mnist.npz" in err and str(tmp_path) in err and "https://" in err


def test_console_script_runs_info(tmp_path):
    env = dict(os.environ, GAN_STUDIO_DATA_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-m", "gan_studio.cli", "info"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "TensorFlow" in out.stdout and "Device" in out.stdout and str(tmp_path) in out.stdout


@pytest.mark.slow
def test_ctrl_c_saves_a_checkpoint_and_exits_0(tmp_path, data_dir):
    import signal
    import time

    runs_dir = tmp_path / "runs"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gan_studio.cli", "train", "--dataset", "mnist", "--data-dir",
         data_dir, "--batch-size", "8", "--epochs", "1000", "--run-dir", str(runs_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        deadline = time.time() + 120
        metrics = None
        while time.time() < deadline:  # wait until a few steps are logged
            found = list(runs_dir.glob("*/metrics.csv"))
            if found and len(found[0].read_text().splitlines()) > 3:
                metrics = found[0]
                break
            time.sleep(0.2)
        assert metrics is not None, "training did not start"
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    finally:
        proc.kill()
    assert proc.returncode == 0, out
    assert "Stopped" in out and "Traceback" not in out
    from gan_studio.core.runs.layout import list_checkpoints
    from gan_studio.core.runs.metrics_log import read_metrics

    run = str(metrics.parent)
    assert list_checkpoints(run)[-1][0] == read_metrics(run)["step"][-1]


@pytest.mark.slow
def test_evaluate_a_run_its_best_checkpoint_and_a_generator_file(tmp_path, data_dir, capsys):
    import json
    import shutil

    run = _tiny_run(tmp_path, data_dir, 7)
    capsys.readouterr()
    assert main(["evaluate", run, "--count", "20", "--data-dir", data_dir]) == 0
    out = capsys.readouterr().out
    for label in ("FD (data-set features)", "KID", "diversity", "classifier score",
                  "class shares", "real vs real", "Features: the data set's classifier",
                  "copy rate", "Copy rate: the share of samples nearer"):
        assert label in out
    assert "FID" not in out

    # A best checkpoint (here a copy of the last) is what --checkpoint best scores and samples.
    os.makedirs(os.path.join(run, "best"))
    for name in os.listdir(os.path.join(run, "checkpoints")):
        if name.startswith("ckpt-7."):
            shutil.copy(os.path.join(run, "checkpoints", name),
                        os.path.join(run, "best", name.replace("ckpt", "best")))
    assert main(["evaluate", run, "--checkpoint", "best", "--count", "20", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["checkpoint"].endswith(os.path.join("best", "best-7"))
    assert (result["step"], result["epoch"]) == (7, 1)  # 6 steps an epoch
    assert result["samples"] == 20 and result["classes"] == 10 and result["features"] == "classifier"
    assert result["floor"]["samples"] > 0 and "warning" in result
    assert 0 <= result["copy_rate"] <= 1 and result["floor"]["copy_rate"] == result["copy_floor"]
    assert "copy_warning" in result
    npz = str(tmp_path / "best.npz")
    assert main(["sample", run, "--checkpoint", "best", "--count", "2", "--out", npz]) == 0
    assert main(["export", run, "--checkpoint", "7", "--out", str(tmp_path / "g.keras")]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(tmp_path / "g.keras"), "--dataset", "mnist", "--data-dir",
                 data_dir, "--count", "20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["step"] == 0


def test_evaluate_refuses_a_generator_of_another_shape(tmp_path, data_dir, capsys):
    import keras

    path = str(tmp_path / "cifar.keras")
    keras.Sequential([keras.Input((4,)), keras.layers.Dense(32 * 32 * 3),
                      keras.layers.Reshape((32, 32, 3))]).save(path)
    status = main(["evaluate", path, "--dataset", "mnist", "--data-dir", data_dir])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip() == "gan-studio: error: the generator makes 32×32×3 images; mnist has 28×28×1"


@pytest.mark.parametrize("argv,expected", [
    (["evaluate", "g.keras"], "needs --dataset"),
    (["evaluate", "/nonexistent/run"], "neither a run folder nor a .keras file"),
    (["sample", "g.keras", "--checkpoint", "best", "--out", "x.npz"], "needs a run folder"),
])
def test_evaluate_and_checkpoint_errors_are_one_line(argv, expected, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


def test_a_missing_best_checkpoint_or_too_few_samples_is_a_clear_error(tmp_path, data_dir, capsys):
    run = _tiny_run(tmp_path, data_dir, 1)
    capsys.readouterr()
    for command in (["evaluate", run], ["resume", run], ["export", run, "--out", "g.keras"]):
        assert main(command + ["--checkpoint", "best"]) == 2
        err = capsys.readouterr().err
        assert "has no checkpoint 'best'" in err and len(err.strip().splitlines()) == 1
    assert main(["evaluate", run, "--count", "1", "--data-dir", data_dir]) == 2
    assert capsys.readouterr().err.strip().endswith("scoring needs 2 images or more, got 1")


def test_recipe_flags_reach_the_runs_config(tmp_path):
    from gan_studio.cli.parser import _train_config, build_parser

    args = build_parser().parse_args([
        "train", "--dataset", "mnist", "--loss", "hinge", "--spectral-norm", "--d-lr", "4e-4",
        "--r1-gamma", "0.5", "--augment", "on", "--kernel-size", "4", "--d-dropout", "0.2",
        "--g-activation", "leaky_relu", "--g-stride1-kernel", "5"])
    config = _train_config(args)
    assert (config.loss, config.spectral_norm, config.d_learning_rate, config.r1_gamma,
            config.augment, config.kernel_size, config.d_dropout, config.g_activation,
            config.g_stride1_kernel) == ("hinge", True, 4e-4, 0.5, "on", 4, 0.2, "leaky_relu", 5)
    plain = _train_config(build_parser().parse_args(
        ["train", "--dataset", "mnist", "--preset", "paper", "--no-spectral-norm"]))
    assert (plain.loss, plain.spectral_norm, plain.kernel_size) == ("bce", False, 5)


def test_train_help_explains_each_lever(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for flag in ("--loss", "--spectral-norm", "--d-lr", "--r1-gamma", "--augment", "--kernel-size",
                 "--d-dropout", "--g-activation", "--g-stride1-kernel"):
        assert flag in text
    assert "Zhao et al. 2020" in text and "Odena et al. 2016" in text


@pytest.mark.slow
def test_conditional_train_sample_a_class_info_and_evaluate(tmp_path, data_dir, capsys):
    import json

    runs_dir = str(tmp_path / "runs")
    assert main(["train", "--dataset", "mnist", "--data-dir", data_dir, "--max-steps", "2",
                 "--batch-size", "8", "--run-dir", runs_dir, "--conditional"]) == 0
    run = _only_run(runs_dir)
    npz = str(tmp_path / "threes.npz")
    assert main(["sample", run, "--count", "3", "--class", "3", "--out", npz]) == 0
    with np.load(npz, allow_pickle=False) as f:
        assert f["images"].shape == (3, 28, 28)
    capsys.readouterr()
    assert main(["sample", run, "--class", "10", "--out", npz]) == 2
    err = capsys.readouterr().err
    assert "--class 10 is out of range" in err and "0 to 9" in err
    assert len(err.strip().splitlines()) == 1

    assert main(["info", run]) == 0
    out = capsys.readouterr().out
    assert "conditional" in out and "yes, 10 classes" in out and "28×28×1" in out
    assert re.search(r"trained with +the default strategy", out) and "Strategies" in out

    assert main(["evaluate", run, "--count", "20", "--data-dir", data_dir]) == 0
    line = [x for x in capsys.readouterr().out.splitlines() if x.startswith("class accuracy")]
    assert len(line) == 1 and line[0].count("%") == 11  # the mean and one per class
    assert main(["evaluate", run, "--count", "20", "--data-dir", data_dir, "--json"]) == 0
    accuracy = json.loads(capsys.readouterr().out)["class_accuracy"]
    assert len(accuracy) == 10 and all(0 <= a <= 1 for a in accuracy)


def test_sample_a_class_of_an_unconditional_generator_is_one_line(tmp_path, data_dir, capsys):
    run = _tiny_run(tmp_path, data_dir, 1)
    capsys.readouterr()
    assert main(["sample", run, "--class", "1", "--out", str(tmp_path / "x.npz")]) == 2
    err = capsys.readouterr().err
    assert "needs a conditional generator" in err and len(err.strip().splitlines()) == 1
    assert main(["info", run]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert ["conditional", "no"] in rows


@pytest.mark.slow
def test_resume_continues_with_changed_levers_checked_by_their_rules(tmp_path, data_dir, capsys):
    """What `gan-studio doctor` prints as "Apply:": a run continued with other learning
    rates, the rest as it was; a value a lever's rule refuses is one line, exit 2."""
    import json

    run = _tiny_run(tmp_path, data_dir, 3)
    with open(os.path.join(run, "config.json"), encoding="utf-8") as f:
        before = json.load(f)
    capsys.readouterr()
    assert main(["resume", run, "--max-steps", "4", "--lr", "2", "--data-dir", data_dir]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gan-studio: error: ") and len(err.strip().splitlines()) == 1
    assert "learning_rate" in err or "--lr" in err
    assert main(["resume", run, "--checkpoint", "3", "--max-steps", "5", "--lr", "0.0001",
                 "--d-lr", "0.0003", "--data-dir", data_dir]) == 0
    with open(os.path.join(run, "config.json"), encoding="utf-8") as f:
        after = json.load(f)
    assert (after["learning_rate"], after["d_learning_rate"]) == (0.0001, 0.0003)
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed <= {"learning_rate", "d_learning_rate", "max_steps", "epochs",
                       "max_minutes", "data_dir"}, changed

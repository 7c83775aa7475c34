"""Hostile and mistaken configurations: one line naming the field or file, before any data loads."""

import json
import math

import pytest
from helpers import write_tiny_mnist

from gan_studio.cli import main
from gan_studio.core.config import ConfigError, TrainConfig

# (field, value): what a user's edit of config.json, or a script calling the engine, may hold.
BAD_VALUES = [
    ("batch_size", 8.5), ("batch_size", "32"), ("batch_size", True), ("batch_size", 0),
    ("seed", "x"), ("seed", -1), ("seed", 2**64), ("seed", 1.5),
    ("grid_size", 2.5), ("grid_size", 17), ("epochs", 0), ("epochs", 2.0),
    ("max_steps", -1), ("max_steps", "many"), ("learning_rate", math.nan),
    ("learning_rate", math.inf), ("learning_rate", "fast"), ("beta1", 1.0),
    ("sample_every_seconds", 0), ("sample_every_steps", 0), ("keep_every_epochs", 0),
    ("keep_checkpoints", 0), ("steps_per_call", 10**6), ("quality_samples", 10),
    ("preset", ["studio"]), ("preset", "fastest"), ("preset", None), ("extra", "text"),
    ("extra", [1]), ("class_names", "digits"), ("class_names", [1, 2]),
    ("dataset", ""), ("dataset", "   "), ("dataset", 5), ("dataset", None),
    ("runs_dir", ""), ("data_dir", ""), ("image_size", 50), ("image_size", "64"),
    ("channels", 2), ("latent_dim", 0), ("spectral_norm", "yes"), ("conditional", 2),
    ("loss", "wasserstein"), ("augment", True), ("augment_policy", "blur"),
    ("generator_ema", -0.1), ("r1_gamma", -1), ("precision", "float16"),
    ("weight_init", "zeros"), ("kernel_size", 7), ("num_classes", -1),
]


@pytest.mark.parametrize("name,value", BAD_VALUES, ids=[f"{n}={v!r}" for n, v in BAD_VALUES])
def test_every_bad_field_is_refused_with_one_line_naming_it(name, value):
    with pytest.raises(ConfigError) as caught:
        TrainConfig(**{name: value}).resolved()
    message = str(caught.value)
    assert message.startswith(f"invalid {name}: ") and "\n" not in message


@pytest.mark.parametrize("name,value", [("batch_size", 64), ("seed", 0), ("seed", 2**32 - 1),
                                        ("learning_rate", 1e-3), ("sample_every_seconds", 0.5),
                                        ("quality_every_minutes", 0), ("extra", {"note": "a"}),
                                        ("class_names", ["cat", "dog"]), ("channels", None),
                                        ("spectral_norm", 1), ("conditional", 0),
                                        ("sample_every_seconds", 1e9)])
def test_good_values_pass(name, value):
    assert getattr(TrainConfig(**{name: value}).resolved(), name) == value


def test_zero_and_one_in_a_file_are_read_as_false_and_true(tmp_path):
    path = tmp_path / "config.json"
    path.write_text('{"dataset": "cifar10", "spectral_norm": 1, "conditional": 0}')
    cfg = TrainConfig.load(path)
    assert cfg.spectral_norm is True and cfg.conditional is False


def test_the_message_says_what_the_field_takes():
    with pytest.raises(ConfigError, match=r"invalid batch_size: 8.5 \(takes a whole number "
                                          r"from 1 to 65,536, or left unset\)"):
        TrainConfig(batch_size=8.5).resolved()
    with pytest.raises(ConfigError, match=r"invalid preset: \['studio'\] \(takes one of "
                                          r"'tutorial', 'paper', 'studio'\)"):
        TrainConfig(preset=["studio"]).resolved()


@pytest.mark.parametrize("content,problem", [
    (b"\xff\xfe{\x00}", "not UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"dataset": "mnist", "seed": -1}', "invalid seed"),
    (b'{"dataset": "mnist", "preset": ["studio"]}', "invalid preset"),
    (b'{"dataset": "mnist", "extra": "x"}', "invalid extra"),
    (b'{"dataset": "mnist", "batch_size": 8.5}', "invalid batch_size"),
    (b'"studio"', "JSON object"),
    (b"", "cannot read"),
    (b" " * (2 << 20), "larger than"),
])
def test_a_bad_config_file_gives_one_line_naming_it(tmp_path, content, problem):
    path = tmp_path / "config.json"
    path.write_bytes(content)
    with pytest.raises(ConfigError) as caught:
        TrainConfig.load(path)
    message = str(caught.value)
    assert problem in message and "config.json" in message and "\n" not in message


@pytest.fixture
def data_dir(tmp_path):
    folder = tmp_path / "data"
    write_tiny_mnist(str(folder))
    return str(folder)


@pytest.mark.parametrize("flags,field", [
    (["--dataset", ""], "dataset"), (["--seed", "-1"], "seed"),
    (["--seed", str(2**64)], "seed"), (["--lr", "2"], "learning_rate"),
    (["--latent-dim", "5000"], "latent_dim"), (["--d-lr", "nan"], "d_learning_rate"),
])
def test_the_cli_refuses_bad_values_before_loading_data(tmp_path, data_dir, capsys, monkeypatch,
                                                       flags, field):
    loaded = []
    import gan_studio.ml.training.data as training_data

    monkeypatch.setattr(training_data, "load_training_data", lambda *a, **k: loaded.append(a))
    runs = tmp_path / "runs"
    args = ["train", "--data-dir", data_dir, "--run-dir", str(runs), "--max-steps", "1"]
    if "--dataset" not in flags:
        args += ["--dataset", "mnist"]
    assert main(args + flags) == 2
    err = capsys.readouterr().err.strip()
    assert field in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not loaded and not runs.exists()  # nothing loaded, no run folder left behind


def test_resume_with_a_broken_config_gives_one_line(tmp_path, capsys):
    run = tmp_path / "run"
    (run / "checkpoints").mkdir(parents=True)
    (run / "config.json").write_bytes(json.dumps({"dataset": "mnist", "seed": "x"}).encode())
    assert main(["resume", str(run)]) == 2
    err = capsys.readouterr().err.strip()
    assert "seed" in err and "config.json" in err and len(err.splitlines()) == 1

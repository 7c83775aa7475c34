"""The benchmark scripts' own checks, without a training run: a lever that does not exist or a
value its rule refuses stops `recipe_levers.py` before anything trains, its baseline is the one
named, and the throughput scripts measure their two arms in turn first."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

BENCHMARKS = Path(__file__).parent / "benchmarks"


@pytest.fixture
def load_script(monkeypatch):
    """Imports a script of tests/benchmarks by path (a folder of scripts, not a package)."""
    # The scripts put their folder on sys.path to import each other: undone after the test.
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    before = set(sys.modules)

    def load(name: str):
        spec = importlib.util.spec_from_file_location(f"benchmark_{name}", BENCHMARKS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    yield load
    for name in set(sys.modules) - before:  # their siblings, imported by bare name
        if str(BENCHMARKS) in str(getattr(sys.modules[name], "__file__", "") or ""):
            del sys.modules[name]


def refusal(levers, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as stopped:
        levers.parse_args(argv)
    message = stopped.value.code
    assert isinstance(message, str) and "\n" not in message  # one line, not argparse's usage
    return message


def test_a_mistyped_lever_is_refused_by_name(load_script, tmp_path):
    levers = load_script("recipe_levers")
    message = refusal(levers, ["--data-dir", str(tmp_path), "old", "nodrop=d_dropuot:0"])
    assert "'nodrop'" in message and "unknown lever 'd_dropuot'" in message
    assert "did you mean 'd_dropout'" in message


@pytest.mark.parametrize("variant, field", [
    ("x=d_dropout:2", "d_dropout"),
    ("x=new,loss:hing", "loss"),
    ("x=batch_size:8.5", "batch_size"),
    ("x=new,spectral_norm:maybe", "spectral_norm"),
    ("x=g_stride1_kernel:7", "g_stride1_kernel"),
])
def test_a_value_the_rules_refuse_is_refused(load_script, tmp_path, variant, field):
    message = refusal(load_script("recipe_levers"), ["--data-dir", str(tmp_path), "old", variant])
    assert f"invalid {field}:" in message and "'x'" in message


def test_a_variant_that_is_no_recipe_is_refused(load_script, tmp_path):
    message = refusal(load_script("recipe_levers"), ["--data-dir", str(tmp_path), "old", "nwe"])
    assert "'nwe'" in message


def test_the_baseline_is_named_and_must_be_run(load_script, tmp_path):
    levers = load_script("recipe_levers")
    assert levers.parse_args(["--data-dir", str(tmp_path)]).baseline == "old"
    args = levers.parse_args(["--data-dir", str(tmp_path), "--baseline", "new", "new",
                              "hinge=new,loss:hinge"])
    assert args.baseline == "new"
    message = refusal(levers, ["--data-dir", str(tmp_path), "new", "hinge=new,loss:hinge"])
    assert "baseline 'old'" in message


def test_a_variant_reaches_the_config_it_trains(load_script, tmp_path):
    levers = load_script("recipe_levers")
    args = levers.parse_args(["--data-dir", str(tmp_path)])
    base = levers.base_config(args, str(tmp_path))
    config = levers.apply_fields(base, levers.parse_variant("x=new,loss:hinge,d_dropout:0.1")[1])
    assert (config.loss, config.d_dropout, config.batch_size) == ("hinge", 0.1, None)
    old = levers.apply_fields(base, levers.parse_variant("old")[1])
    assert (old.loss, old.d_dropout, old.batch_size) == ("bce", 0.3, 64)


def test_arms_alternate_from_round_to_round(load_script):
    arm_order = load_script("paired_rounds").arm_order
    assert [arm_order(r, ["a", "b"]) for r in range(4)] == [["a", "b"], ["b", "a"]] * 2


def test_distributed_throughput_alternates_its_arms(load_script, monkeypatch, capsys):
    script = load_script("distributed_throughput")
    measured = []
    monkeypatch.setattr(script, "measure", lambda _args, arm: measured.append(arm) or
                        (100.0 if arm == "default" else 90.0))
    monkeypatch.setattr(sys, "argv", ["distributed_throughput.py", "--data-dir", "x",
                                      "--rounds", "3"])
    script.main()
    assert measured == ["default", "mirrored", "mirrored", "default", "default", "mirrored"]
    out = capsys.readouterr().out
    assert "round 2 (mirrored first)" in out and "round 3 (default first)" in out


def test_train_throughput_alternates_its_arms(load_script, monkeypatch, capsys):
    script = load_script("train_throughput")
    measured = []
    monkeypatch.setattr("gan_studio.data.load_dataset",
                        lambda *_args, **_kw: SimpleNamespace(images=None))
    monkeypatch.setattr(script, "TutorialLoop", lambda _images: object())
    monkeypatch.setattr(script, "time_tutorial",
                        lambda _loop, _steps: measured.append("tutorial") or 100.0)
    monkeypatch.setattr(script, "time_trainer", lambda *_args, preset="tutorial", **_kw:
                        measured.append("studio" if preset == "studio" else "ours") or (120.0, 32))
    script.compare("data", "mnist", rounds=4, steps=2, steps_per_call=1)
    assert measured == ["tutorial", "ours", "ours", "tutorial", "tutorial", "ours", "ours",
                        "tutorial", "studio"]
    out = capsys.readouterr().out
    assert "round 1 (tutorial first)" in out and "round 2 (GAN Studio first)" in out

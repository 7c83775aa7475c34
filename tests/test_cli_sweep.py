"""`gan-studio sweep`: one clear line for a bad --vary, a ranking table, and one JSON object."""

import json
import os

import pytest
from helpers import write_tiny_mnist

from gan_studio.cli import main
from gan_studio.core.quality.report import QualityReport, append_quality
from gan_studio.core.runs.layout import CHECKPOINT_DIR, CONFIG_FILE
from gan_studio.core.sweep.sweep_file import DONE, load_sweep, new_sweep
from gan_studio.core.sweep.sweep_plan import make_plan


@pytest.mark.parametrize("vary, message", [
    (["learning_rate=abc"], "--vary learning_rate=abc: learning_rate takes a number above 0 "
                            "below 1, not 'abc'"),
    (["lr=1e-4,1e-4"], "--vary lr=1e-4,1e-4: 1e-4 is given twice"),
    (["loss=bce,l2"], "--vary loss=bce,l2: loss takes one of 'bce', 'hinge', not 'l2'"),
    (["lr=1e-4,2e-4", "beta1=0.5,0.6", "d-lr=1e-4,2e-4"],
     "a sweep varies at most 2 levers, got 3: learning_rate, beta1, d_learning_rate"),
])
def test_a_bad_vary_is_one_line_and_exit_2(capsys, tmp_path, vary, message):
    argv = ["sweep", "--dataset", "mnist", "--steps", "5", "--run-dir", str(tmp_path)]
    for text in vary:
        argv += ["--vary", text]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert err == f"gan-studio: error: {message}\n" and out == ""
    assert os.listdir(tmp_path) == []  # nothing made


def test_an_unknown_lever_names_the_levers(capsys, tmp_path):
    assert main(["sweep", "--dataset", "mnist", "--vary", "lrate=1e-4,2e-4", "--steps", "5",
                 "--run-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("gan-studio: error: --vary lrate=1e-4,2e-4: lrate is not a lever; "
                          "vary one of: batch_size (batch-size), learning_rate (lr),")
    assert err.count("\n") == 1


def test_continue_refuses_a_new_plan_and_a_damaged_sweep(capsys, tmp_path):
    assert main(["sweep", "--continue", str(tmp_path), "--steps", "3"]) == 2
    assert capsys.readouterr().err == ("gan-studio: error: --continue trains the sweep's own "
                                       "plan: leave out --steps\n")
    (tmp_path / "sweep.json").write_text("{")
    assert main(["sweep", "--continue", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"gan-studio: error: cannot read {tmp_path / 'sweep.json'}: it is "
                          "not JSON") and err.count("\n") == 1


def _done_sweep(tmp_path):
    """A sweep whose runs have all trained (their files as training leaves them)."""
    sweep = new_sweep(make_plan("mnist", ["lr=1e-4,2e-4", "loss=bce,hinge"], steps=20,
                                runs_dir=str(tmp_path)))
    for index, fd in enumerate([30.0, 12.5, 40.0, None]):
        name = f"mnist-run-{index}"
        folder = os.path.join(sweep.folder, name)
        os.makedirs(os.path.join(folder, CHECKPOINT_DIR))
        sweep.plan.run_configs()[index].save(os.path.join(folder, CONFIG_FILE))
        open(os.path.join(folder, CHECKPOINT_DIR, "ckpt-20.index"), "wb").close()
        if fd is not None:
            append_quality(folder, QualityReport(step=20, epoch=0, fd=fd, kid=fd / 1000,
                                                 kid_error=0.0, diversity=0.5, samples=100,
                                                 score=9.0, classes=10))
        sweep.runs[index].state, sweep.runs[index].run_dir = DONE, name
    sweep.runs[3].state, sweep.runs[3].reason = "failed", "cannot write metrics.csv"
    sweep.save()
    return sweep


def test_the_ranking_table_lists_every_run_best_first(capsys, tmp_path):
    sweep = _done_sweep(tmp_path)
    assert main(["sweep", "--continue", sweep.folder]) == 0
    out = capsys.readouterr().out
    lines = out[out.index("Ranking"):].splitlines()
    assert lines[0] == "Ranking by FD (data-set features) at 20 steps each (lower is better):"
    assert lines[1].split() == ["rank", "levers", "FD", "KID", "score", "diversity", "steps",
                                "images", "minutes", "run", "folder"]
    assert lines[2].split()[:7] == ["1", "lr", "0.0001", "·", "loss", "hinge", "12.500"]
    assert lines[3].split()[0:2] == ["2", "lr"] and "30.000" in lines[3]
    assert lines[4].split()[0] == "3" and "40.000" in lines[4]
    assert lines[5].split()[0] == "–" and lines[5].endswith("mnist-run-3")
    assert lines[6] == "lr 0.0002 · loss hinge: failed: cannot write metrics.csv"


def test_json_is_one_object_with_the_table_s_data(capsys, tmp_path):
    sweep = _done_sweep(tmp_path)
    assert main(["sweep", "--continue", sweep.folder, "--json"]) == 0
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["outcome"] == "finished" and data["sweep"] == sweep.folder
    assert data["levers"] == ["learning_rate", "loss"]
    assert [(r["rank"], r["fd"], r["levers"]) for r in data["runs"]] == [
        (1, 12.5, {"learning_rate": 1e-4, "loss": "hinge"}),
        (2, 30.0, {"learning_rate": 1e-4, "loss": "bce"}),
        (3, 40.0, {"learning_rate": 2e-4, "loss": "bce"}),
        (None, None, {"learning_rate": 2e-4, "loss": "hinge"})]
    assert data["runs"][0]["score"] == 9.0 and data["runs"][0]["steps"] == 20


def test_a_real_sweep_trains_and_prints_json_only_on_stdout(capsys, tmp_path):
    data_dir = write_tiny_mnist(tmp_path / "data")
    assert main(["sweep", "--dataset", "mnist", "--vary", "batch_size=8,16", "--steps", "2",
                 "--data-dir", data_dir, "--run-dir", str(tmp_path / "runs"), "--json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)  # the progress went to stderr
    assert "Run 1/2 (batch-size 8)" in err and "Run 2/2 (batch-size 16)" in err
    assert data["outcome"] == "finished"
    runs = sorted(data["runs"], key=lambda r: r["index"])
    assert [(r["steps"], r["images"]) for r in runs] == [(2, 16), (2, 32)]
    assert all(r["rank"] is not None and r["fd"] is not None for r in runs)  # each measured
    assert sorted(r["fd"] for r in data["runs"]) == [r["fd"] for r in data["runs"]]
    sweep = load_sweep(data["sweep"])
    assert [r.state for r in sweep.runs] == [DONE, DONE]

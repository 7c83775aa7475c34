"""`gan-studio doctor RUN_DIR`: findings as text or JSON, exit 0; bad input is one line, exit 2."""

import json
import os
import re

import numpy as np
import pytest
from synthetic_runs import healthy_metrics, make_run

from gan_studio.cli import main


def winning_run(folder):
    metrics = healthy_metrics()
    metrics["d_real"][1500:], metrics["d_fake"][1500:] = 0.97, 0.03
    return make_run(folder, metrics)


def test_a_healthy_run_says_so_and_an_empty_json_list(tmp_path, capsys):
    run_dir = make_run(tmp_path / "run")
    assert main(["doctor", run_dir]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No problems found (checked losses of 2,000 steps")
    assert main(["doctor", run_dir, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_findings_are_printed_with_evidence_and_remedy_and_exit_0(tmp_path, capsys):
    run_dir = winning_run(tmp_path / "run")
    assert main(["doctor", run_dir]) == 0
    lines = capsys.readouterr().out.splitlines()
    # the stretch starts once the running mean of D's outputs crossed the thresholds
    assert re.fullmatch(r"The discriminator is winning \(steps 1,5\d\d–2,000\)", lines[0])
    assert re.match(r"  Evidence: From step 1,5\d\d to 2,000, D\(x\) averaged 0.97", lines[1])
    assert lines[2].startswith("  Remedy: Continue from step 1,500 with augment on (ckpt-1500)")
    assert lines[3] == f"  Apply: gan-studio resume {run_dir} --checkpoint 1500 --augment on"
    assert main(["doctor", run_dir, "--json"]) == 0
    (finding,) = json.loads(capsys.readouterr().out)
    assert finding["code"] == "discriminator_winning"
    assert finding["remedy"]["checkpoint"].endswith("ckpt-1500")


def test_the_untrained_start_is_named(tmp_path, capsys):
    run_dir = make_run(tmp_path / "run", reports=[])
    assert main(["doctor", run_dir]) == 0
    assert capsys.readouterr().out.startswith("Still in its untrained start")


def _damage_metrics(run_dir):
    path = os.path.join(run_dir, "metrics.csv")
    with open(path, "rb") as f:
        rows = f.read()
    with open(path, "wb") as f:  # its header overwritten: not text (rows after it only skip)
        f.write(np.random.default_rng(0).bytes(64) + b"\xff\n" + rows)


@pytest.mark.parametrize("name, damage, expected", [
    ("missing", None, "no such folder"),
    ("plain", lambda d: os.remove(os.path.join(d, "config.json")), "not a GAN Studio run"),
    ("config", lambda d: open(os.path.join(d, "config.json"), "w").write("[1, 2"),
     "cannot read config"),
    ("metrics", _damage_metrics, "metrics.csv: it is not UTF-8 text"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, name, damage, expected):
    run_dir = str(tmp_path / name)
    if damage is not None:
        make_run(run_dir)
        damage(run_dir)
    assert main(["doctor", run_dir]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and len(captured.err.strip().splitlines()) == 1
    assert captured.err.startswith("gan-studio: error: ") and expected in captured.err
    assert "Traceback" not in captured.err

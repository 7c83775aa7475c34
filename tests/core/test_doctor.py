"""The training doctor: each finding fires on a run made to show it, and a healthy run has none."""

import json
import os

import numpy as np
import pytest
from synthetic_runs import (
    HEALTHY_FDS,
    healthy_metrics,
    make_run,
    natural_images,
    plant_checkerboard,
    report,
)

from gan_studio.core.grid import tile_grid
from gan_studio.core.health.doctor import RunUnreadable, diagnose, examine, read_run
from gan_studio.core.health.findings import FindingKind


def codes(run_dir):
    return [f.code for f in diagnose(run_dir)]


def test_a_healthy_run_has_no_finding(tmp_path):
    diagnosis = examine(make_run(tmp_path))
    assert diagnosis.findings == () and not diagnosis.untrained
    assert diagnosis.checked == ("losses of 2,000 steps", "5 quality evaluations",
                                 "the sample grid of step 2,000")


def winning_metrics(start=1500):
    metrics = healthy_metrics()
    metrics["d_real"][start:], metrics["d_fake"][start:] = 0.97, 0.03
    return metrics


def test_a_discriminator_that_wins_is_named_with_its_numbers(tmp_path):
    (finding,) = diagnose(make_run(tmp_path, winning_metrics()))
    assert finding.code == FindingKind.DISCRIMINATOR_WINNING
    assert finding.first_step > 1500 and finding.last_step == 2000
    assert "D(x) averaged 0.97 and D(G(z)) 0.03" in finding.evidence
    # augmentation off: the remedy turns it on, from the checkpoint before D began winning
    assert finding.remedy.overrides == {"augment": "on"} and finding.remedy.step == 1500
    assert finding.remedy.action == "Continue from step 1,500 with augment on"
    augmented = diagnose(make_run(tmp_path / "aug", winning_metrics(), augment="on"))
    assert augmented[0].remedy.overrides == {"d_learning_rate": 0.0001}
    # a blip is no stretch: D winning for the last 100 steps only
    assert codes(make_run(tmp_path / "blip", winning_metrics(start=1900))) == []


def test_oscillation_is_named(tmp_path):
    metrics = healthy_metrics()
    swing = 0.3 * np.sin(np.arange(2000) * 2 * np.pi / 400)
    metrics["d_real"] = np.clip(metrics["d_real"] + swing, 0, 1)
    metrics["d_fake"] = np.clip(metrics["d_fake"] - swing, 0, 1)
    (finding,) = diagnose(make_run(tmp_path, metrics, beta1=0.9))
    assert finding.code == FindingKind.OSCILLATION and "swung" in finding.evidence
    assert finding.remedy.overrides == {"beta1": 0.5} and finding.remedy.step == 2000
    calm = diagnose(make_run(tmp_path / "calm", metrics))  # β1 already 0.5: slower steps
    assert calm[0].remedy.overrides == {"learning_rate": 0.0001, "d_learning_rate": 0.0001}


def test_quality_that_stalls_for_a_long_stretch_is_named(tmp_path):
    stalled = [report(s, fd) for s, fd in HEALTHY_FDS[:3]] + [
        report(1000 + 250 * i, 16.5 + 0.1 * i) for i in range(1, 5)]
    (finding,) = diagnose(make_run(tmp_path, reports=stalled, best=1000))
    assert finding.code == FindingKind.QUALITY_STALLED
    assert "16.00, was measured at step 1,000; the 4 evaluations since" in finding.evidence
    assert finding.remedy.step == 1000 and "best-1000" in finding.remedy.checkpoint
    assert codes(make_run(tmp_path / "short", reports=stalled[:-1], best=1000)) == []


def test_collapse_and_memorisation_are_named(tmp_path):
    collapsed = [report(s, fd) for s, fd in HEALTHY_FDS] + [report(2000, 20.0, diversity=0.2)]
    (finding,) = diagnose(make_run(tmp_path, reports=collapsed, best=1500))
    assert finding.code == FindingKind.MODE_COLLAPSE and "varied" in finding.evidence
    assert finding.remedy.step == 1500  # the best checkpoint, before the warning
    copying = [report(s, fd) for s, fd in HEALTHY_FDS[:-1]] + [report(2000, 12.0,
                                                                      copy_rate=0.5)]
    (finding,) = diagnose(make_run(tmp_path / "copy", reports=copying))
    assert finding.code == FindingKind.MEMORISATION and "50%" in finding.evidence
    assert finding.remedy.overrides == {"augment": "on"} and finding.remedy.step == 1500


def test_a_checkerboard_in_the_samples_is_named(tmp_path):
    grid = tile_grid(plant_checkerboard(natural_images(64)), columns=8)
    (finding,) = diagnose(make_run(tmp_path, grid=grid, kernel_size=5))
    assert finding.code == FindingKind.CHECKERBOARD and "8, 8 cycles" in finding.evidence
    assert finding.remedy.new_run and finding.remedy.overrides == {"kernel_size": 4}
    assert finding.remedy.action == "Start a new run with kernel_size 4"


def test_non_finite_losses_are_named_even_in_the_untrained_start(tmp_path):
    metrics = healthy_metrics()
    metrics["g_loss"][1200:] = np.nan
    (finding,) = diagnose(make_run(tmp_path, metrics))
    assert finding.code == FindingKind.NON_FINITE
    assert "g_loss became NaN or infinite at step 1,201; 800 logged" in finding.evidence
    assert finding.remedy.step == 1000  # before the first bad step
    assert finding.remedy.overrides == {"learning_rate": 0.0001, "d_learning_rate": 0.0001}
    early = diagnose(make_run(tmp_path / "early", metrics, reports=[report(250, 60.0)]))
    assert [f.code for f in early] == [FindingKind.NON_FINITE]


def test_nothing_else_fires_in_the_untrained_start(tmp_path):
    """A young generator's discriminator wins, its samples are alike and patterned: that is
    how every run starts, so none of it is a finding while FD is still falling fast."""
    young = [report(100, 300.0, diversity=0.16, commonest_class=0.93, rarest_class=0.0),
             report(200, 150.0, diversity=0.2, commonest_class=0.9, rarest_class=0.0)]
    grid = tile_grid(plant_checkerboard(natural_images(64)), columns=8)
    diagnosis = examine(make_run(tmp_path, winning_metrics(), reports=young, grid=grid))
    assert diagnosis.untrained and diagnosis.findings == ()
    assert examine(make_run(tmp_path / "none", winning_metrics(), reports=[])).untrained


def test_findings_serialise_to_json(tmp_path):
    (finding,) = diagnose(make_run(tmp_path, winning_metrics()))
    data = json.loads(json.dumps(finding.to_dict()))
    assert data["code"] == "discriminator_winning" and data["steps"][1] == 2000
    assert data["remedy"]["changes"] == {"augment": "on"} and data["remedy"]["step"] == 1500


@pytest.mark.parametrize("damage, named", [
    (lambda d: os.remove(os.path.join(d, "config.json")), "not a GAN Studio run folder"),
    (lambda d: open(os.path.join(d, "config.json"), "w").write("{broken"), "config"),
    (lambda d: open(os.path.join(d, "metrics.csv"), "wb").write(b"\xff\xfe\x00garbage"),
     "metrics.csv"),
    (lambda d: open(os.path.join(d, "quality.csv"), "w").write("a,b,c\n1,2,3\n"),
     "quality.csv: it is not a GAN Studio quality log"),
])
def test_a_damaged_run_is_one_line_naming_the_file(tmp_path, damage, named):
    run_dir = make_run(tmp_path / "run")
    damage(run_dir)
    with pytest.raises(RunUnreadable, match=named.replace("(", r"\(").replace(")", r"\)")):
        diagnose(run_dir)
    with pytest.raises(RunUnreadable, match="no such folder"):
        diagnose(tmp_path / "missing")


def test_an_unreadable_grid_skips_the_spectrum_with_a_note(tmp_path):
    run_dir = make_run(tmp_path)
    with open(os.path.join(run_dir, "samples", "last.png"), "wb") as f:
        f.write(b"not a png")
    diagnosis = examine(run_dir)
    assert diagnosis.findings == () and "cannot be read" in diagnosis.notes[0]


def test_the_newest_grid_of_the_steps_logged_is_measured(tmp_path):
    from gan_studio.core.images import save_png

    planted = tile_grid(plant_checkerboard(natural_images(64)), columns=8)
    run_dir = make_run(tmp_path, kernel_size=5)  # last.png: clean
    samples = os.path.join(run_dir, "samples")
    save_png(os.path.join(samples, "grid-step-00001900.png"), planted)
    save_png(os.path.join(samples, "grid-step-00002400.png"), tile_grid(natural_images(64),
                                                                       columns=8))
    # step grids win over a last.png (a resumed run's is stale); one past the newest step
    # logged belongs to a future the run rolled back from
    (finding,) = diagnose(run_dir)
    assert finding.code == FindingKind.CHECKERBOARD and finding.first_step == 1900
    assert examine(run_dir).checked[-1] == "the sample grid of step 1,900"


def test_damaged_rows_of_metrics_are_passed_over_not_the_run(tmp_path):
    """Bytes that are not text after the header (a write cut short) lose their rows only:
    the doctor judges the rest, as Open Run shows it."""
    run_dir = make_run(tmp_path, winning_metrics())
    with open(os.path.join(run_dir, "metrics.csv"), "ab") as f:
        f.write(b"\xff\xfe\x00,1\n")
    (finding,) = diagnose(read_run(run_dir))
    assert finding.code.value == "discriminator_winning"

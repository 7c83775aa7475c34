"""`gan-studio compare`: runs side by side headless: the quality at equal budget as a table or
one JSON object, the grids at that point as one image, and one clear line for what it refuses."""

import json

import numpy as np
import pytest
from core.test_comparison import write_run

from gan_studio.cli import main
from gan_studio.core.images import load_image


@pytest.fixture
def runs(tmp_path):
    """A fast small-batch run and a slow large-batch one: by step the fast one is ahead in
    quality at step 100, by images seen the slow one (4× the images a step)."""
    fast = write_run(tmp_path / "fast", 200, 0.5, batch_size=32, grid_every=50,
                     fds=[(100, 30.0), (200, 20.0)], learning_rate=4e-4)
    slow = write_run(tmp_path / "slow", 100, 2.0, batch_size=128, grid_every=50,
                     fds=[(50, 28.0), (100, 25.0)], learning_rate=1e-4)
    return fast, slow


def test_a_table_at_equal_budget_by_step_and_by_images(capsys, runs):
    fast, slow = runs
    assert main(["compare", fast, slow]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("Lined up by step: quality at step 100, the most all runs reached "
                        "(* best FD):")
    assert lines[2].split()[:7] == ["batch-size", "32", "·", "lr", "0.0004", "30.00", "0.0300"]
    assert lines[3].split()[:7] == ["*", "batch-size", "128", "·", "lr", "0.0001", "25.00"]
    assert main(["compare", fast, slow, "--by", "images"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "at 6,400 images seen" in lines[0]  # the fast run's 200 steps × 32
    assert lines[2].split()[0] == "*" and "20.00" in lines[2] and "step 200" in lines[2]
    assert "28.00" in lines[3] and "step 50" in lines[3]  # the slow run's 50 steps × 128


def test_json_and_the_grids_at_that_point(capsys, runs, tmp_path):
    fast, slow = runs
    sheet = tmp_path / "grids.png"
    assert main(["compare", fast, slow, "--by", "time", "--grids", str(sheet), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["axis"] == "time" and data["differing"] == ["batch-size", "lr"]
    assert data["budget"] == pytest.approx(100 / 60)  # the fast run's 200 steps of 0.5 s
    fast_run, slow_run = data["runs"]
    assert fast_run["run_dir"] == fast and fast_run["best"] and not slow_run["best"]
    assert fast_run["settings"] == {"batch-size": "32", "lr": "0.0004"}
    assert fast_run["quality"] == {"step": 200, "fd": 20.0, "kid": 0.02, "score": 8.5,
                                   "diversity": 0.9, "copy_rate": 0.05}
    assert (slow_run["quality"]["step"], slow_run["quality"]["fd"]) == (50, 28.0)
    assert data["grids"] == str(sheet)
    image = load_image(str(sheet))
    # Each run's grid nearest to 100 s: the fast run's of step 200, the slow run's of step 50
    # (the fixture's grids hold their step in every pixel), side by side on a white sheet.
    values = set(np.unique(image[..., 0]).tolist())
    assert {200, 50} <= values and 255 in values


@pytest.mark.parametrize("argv, message", [
    (["one"], "compare takes 2 to 6 run folders, not 1"),
    (["a", "b", "c", "d", "e", "f", "g"], "compare takes 2 to 6 run folders, not 7"),
])
def test_how_many_runs(capsys, argv, message):
    assert main(["compare", *argv]) == 2
    assert capsys.readouterr().err == f"gan-studio: error: {message}\n"


def test_a_folder_that_is_no_run_is_one_line(capsys, runs, tmp_path):
    assert main(["compare", runs[0], str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err == (f"gan-studio: error: {tmp_path} is not a GAN Studio run folder (it has no "
                   "config.json)\n")
    assert main(["compare", runs[0], runs[0]]) == 2
    assert capsys.readouterr().err == "gan-studio: error: a run folder is named twice\n"


def test_grids_of_runs_without_any_are_refused(capsys, tmp_path):
    a = write_run(tmp_path / "a", 10, 1.0, grid_every=0)
    b = write_run(tmp_path / "b", 10, 1.0, grid_every=0, learning_rate=1e-4)
    assert main(["compare", a, b, "--grids", str(tmp_path / "g.png")]) == 2
    assert "none of the runs has a saved grid" in capsys.readouterr().err
    assert not (tmp_path / "g.png").exists()

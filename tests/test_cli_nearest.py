"""`gan-studio nearest`: a picture, latents or samples next to their nearest training images."""

import json
import os
import shutil

import numpy as np
import pytest
from PIL import Image

from gan_studio.cli import main
from gan_studio.core.quality.nearest_sheet import sheet_size, tile_scale


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A one-step run on the tiny MNIST (48 noise digits): (run folder, data folder)."""
    from helpers import write_tiny_mnist

    folder = tmp_path_factory.mktemp("nearest")
    data = write_tiny_mnist(str(folder / "data"))
    runs = str(folder / "runs")
    assert main(["train", "--dataset", "mnist", "--data-dir", data, "--max-steps", "1",
                 "--batch-size", "8", "--run-dir", runs]) == 0
    return os.path.join(runs, os.listdir(runs)[0]), data


def _training_digit(data, index):
    return np.load(os.path.join(data, "mnist.npz"))["x_train"][index]


@pytest.mark.parametrize("space", ["features", "pixels"])
def test_a_training_image_finds_itself_first(run, tmp_path, capsys, space):
    run_dir, data = run
    picture = tmp_path / "digit.png"
    Image.fromarray(_training_digit(data, 17)).save(picture)
    sheet = tmp_path / "sheet.png"
    capsys.readouterr()
    assert main(["nearest", run_dir, str(picture), "--k", "3", "--space", space,
                 "--out", str(sheet), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    (query,) = result["queries"]
    assert query["query"] == "digit.png" and query["indices"][0] == 17
    assert query["distances"][0] < 1e-2 < query["distances"][1]
    assert query["distances"] == sorted(query["distances"])
    assert result["training_images"] == 48 and result["space"] == space
    assert (result["copy_threshold"] is None) == (space == "pixels")
    assert Image.open(sheet).size == sheet_size(1, 3, 28 * tile_scale(28))


def test_samples_make_a_row_each_and_a_line_each(run, tmp_path, capsys):
    run_dir, _ = run
    sheet = tmp_path / "sheet.jpg"
    capsys.readouterr()
    assert main(["nearest", run_dir, "--samples", "3", "--k", "2", "--space", "pixels",
                 "--out", str(sheet)]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].startswith("Nearest of the 48 mnist training images in pixel space")
    assert [line.split(":")[0] for line in lines[1:4]] == ["sample 0", "sample 1", "sample 2"]
    assert lines[-1].startswith(f"Wrote {sheet}")
    assert Image.open(sheet).size == sheet_size(3, 2, 28 * tile_scale(28))


def test_latents_are_drawn_by_the_generator(run, tmp_path, capsys):
    run_dir, _ = run
    latents = tmp_path / "z.npy"
    np.save(latents, np.random.default_rng(0).standard_normal((2, 100)).astype(np.float32))
    capsys.readouterr()
    assert main(["nearest", run_dir, "--latent", str(latents), "--space", "pixels", "--k", "1",
                 "--out", str(tmp_path / "s.png"), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert [q["query"] for q in result["queries"]] == ["latent 0", "latent 1"]


def _write_inputs(folder, data):
    Image.fromarray(_training_digit(data, 0)).save(folder / "digit.png")
    Image.fromarray(np.zeros((20, 28), np.uint8)).save(folder / "small.png")
    colour = np.zeros((28, 28, 3), np.uint8)
    colour[..., 0] = 200
    Image.fromarray(colour).save(folder / "colour.png")
    (folder / "notes.png").write_text("not an image")
    np.save(folder / "z7.npy", np.zeros((2, 7), np.float32))


@pytest.mark.parametrize("args, expected", [
    (["missing.png"], "cannot use missing.png: unreadable (no such file or directory)"),
    (["notes.png"], "cannot use notes.png: not an image file Pillow can read"),
    (["small.png"], "cannot use small.png: it is 28×20 pixels; the generator's images are "
                    "28×28"),
    (["colour.png"], "cannot use colour.png: it is a colour image; the generator's images are "
                     "grey"),
    (["--latent", "z7.npy"], "z7.npy holds latents of size 7; this generator takes 100"),
    (["digit.png", "--k", "0"], "--k must be from 1 to 64, not 0"),
    (["digit.png", "--k", "60"], "k must be between 1 and 48, got 60"),
    (["digit.png", "--samples", "2"], "give one query: an IMAGE file, --latent z.npy or "
                                      "--samples N (not IMAGE and --samples)"),
    ([], "give one query"),
    (["digit.png", "--out", "sheet.gif"], "the contact sheet must be a .png or .jpg file"),
])
def test_bad_input_is_one_line_and_exit_2(run, tmp_path, capsys, monkeypatch, args, expected):
    run_dir, data = run
    _write_inputs(tmp_path, data)
    monkeypatch.chdir(tmp_path)
    out = [] if "--out" in args else ["--out", "sheet.png"]
    capsys.readouterr()
    assert main(["nearest", run_dir, *args, "--space", "pixels", *out]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("gan-studio: error: ") and expected in captured.err
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert not os.path.exists(tmp_path / "sheet.png")


def test_a_run_without_its_data_set_says_where_it_looked(run, tmp_path, capsys):
    run_dir, data = run
    moved = shutil.copytree(run_dir, tmp_path / "run")
    config = json.loads((moved / "config.json").read_text())
    config["data_dir"] = str(tmp_path / "gone")
    (moved / "config.json").write_text(json.dumps(config))
    Image.fromarray(_training_digit(data, 0)).save(tmp_path / "digit.png")
    capsys.readouterr()
    assert main(["nearest", str(moved), str(tmp_path / "digit.png"),
                 "--out", str(tmp_path / "s.png")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"gan-studio: error: the training images of mnist are not at hand: looked for "
                   f"{tmp_path / 'gone' / 'mnist.npz'} (use --data-dir, or save "
                   "https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz there)")

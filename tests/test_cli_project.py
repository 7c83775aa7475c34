"""`gan-studio project`: a picture in, the latent that draws it out (a .npy the explorer opens)."""

import os

import numpy as np
import pytest
from PIL import Image

from gan_studio.cli import main


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    from helpers import write_tiny_mnist

    folder = tmp_path_factory.mktemp("project")
    write_tiny_mnist(str(folder / "data"))
    runs = str(folder / "runs")
    assert main(["train", "--dataset", "mnist", "--data-dir", str(folder / "data"),
                 "--max-steps", "1", "--batch-size", "8", "--run-dir", runs]) == 0
    return os.path.join(runs, os.listdir(runs)[0])


def test_a_picture_becomes_a_latent_and_its_image(run, tmp_path, capsys):
    from gan_studio.core.latent.files import load_latents

    picture = tmp_path / "photo.jpg"  # colour, 40x30: made gray 28x28 like the training data
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (30, 40, 3), np.uint8)).save(picture)
    out, found = tmp_path / "z.npy", tmp_path / "found.png"
    assert main(["project", run, str(picture), "--out", str(out), "--steps", "4",
                 "--restarts", "2", "--image-out", str(found)]) == 0
    latent = np.load(out, allow_pickle=False)
    assert latent.shape == (100,) and latent.dtype == np.float32
    assert np.asarray(Image.open(found)).shape == (28, 28)
    printed = capsys.readouterr().out
    assert "mean pixel error of" in printed and "(4 steps," in printed
    np.testing.assert_array_equal(load_latents(str(out), 100)[0], latent)  # as the explorer reads


@pytest.mark.parametrize("extra, image, expected", [
    (["--out", "z.txt"], "picture.png", "the latent file must end in .npy"),
    (["--out", "z.npy"], "missing.png", "cannot read"),
    (["--out", "z.npy"], "notes.png", "cannot read"),
    (["--out", "z.npy", "--steps", "200000"], "picture.png", "--steps must be from 1 to"),
])
def test_mistakes_are_one_line_and_write_nothing(run, tmp_path, capsys, monkeypatch, extra, image,
                                                expected):
    Image.fromarray(np.zeros((28, 28), np.uint8)).save(tmp_path / "picture.png")
    (tmp_path / "notes.png").write_text("not an image")
    monkeypatch.chdir(tmp_path)  # the relative --out lands here; the next test runs where it began
    assert main(["project", run, str(tmp_path / image), *extra]) == 2
    error = capsys.readouterr().err.strip()
    assert "\n" not in error and expected in error and "Traceback" not in error
    assert not [n for n in os.listdir(tmp_path) if n.startswith("z")]

"""`gan-studio train` on a folder of the user's images: the size it trains at, and the files it
left out, named on the terminal and in the run folder's skipped.txt."""

import json
import os

import pytest
from PIL import Image

from gan_studio.cli import main
from gan_studio.cli.parser import _train_config, build_parser


def write_folder(folder, side, count=8):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        Image.new("RGB", (side, side), (30 * i, 80, 160)).save(folder / f"img{i}.png")
    return folder


@pytest.mark.parametrize("argv,expected", [([], None), (["--image-size", "auto"], None),
                                           (["--image-size", "128"], 128),
                                           (["--image-size", "32"], 32)])
def test_the_image_size_is_automatic_unless_given(argv, expected):
    args = build_parser().parse_args(["train", "--dataset", "/data/faces", *argv])
    assert _train_config(args).image_size == expected


def test_help_says_the_size_is_automatic(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--help"])
    assert "auto: the default, the images' own size up to 64" in \
        " ".join(capsys.readouterr().out.split())


@pytest.mark.slow
def test_train_on_a_folder_with_bad_files_names_them_and_trains_at_their_size(
        tmp_path, capsys, monkeypatch):
    monkeypatch.setattr("gan_studio.data.limits.MAX_IMAGE_PIXELS", 40 * 40)
    folder = write_folder(tmp_path / "faces", 32)
    (folder / "corrupt.png").write_bytes((folder / "img0.png").read_bytes()[:50])
    (folder / "empty.jpg").write_bytes(b"")
    (folder / "x.png").write_text("shopping list\n")
    Image.new("RGB", (50, 50)).save(folder / "huge.png")
    runs = tmp_path / "runs"
    assert main(["train", "--dataset", str(folder), "--max-steps", "1", "--batch-size", "4",
                 "--run-dir", str(runs)]) == 0
    out = capsys.readouterr().out
    (run,) = os.listdir(runs)
    listed = runs / run / "skipped.txt"
    assert "Images are 32×32: training at 32×32 (pass --image-size to change)" in out
    assert "4 image files skipped:" in out and f"The full list: {listed}" in out
    for line in ("  corrupt.png: corrupt (", "  empty.jpg: empty (0 bytes)",
                 "  x.png: not an image file Pillow can read",
                 "  huge.png: too large (50 × 50 pixels, more than the 40 × 40 an image may "
                 "have)"):
        assert line in out
    lines = listed.read_text().splitlines()[1:]
    assert sorted(line.split("\t")[0] for line in lines) == ["corrupt.png", "empty.jpg",
                                                             "huge.png", "x.png"]
    config = json.loads((runs / run / "config.json").read_text())
    assert config["image_size"] == 32 and config["channels"] == 3

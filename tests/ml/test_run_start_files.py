"""What a run learns from a folder of images before it trains (no TensorFlow): the automatic
image size, and the skipped files in skipped.txt and in a `skipped` event."""

import os

import pytest
from PIL import Image

from gan_studio.core.config import TrainConfig
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.control import TrainControl
from gan_studio.ml.training.data import (
    fit_config_to_data,
    load_training_data,
    resolve_image_size,
    save_started_run,
)


def write_images(folder, side, count=4, bad=()):
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        Image.new("RGB", (side, side), (10 * i, 50, 90)).save(folder / f"{i}.png")
    for name in bad:
        (folder / name).write_bytes(b"" if name.endswith(".jpg") else b"not a picture")
    return str(folder)


class Events(list):
    def __call__(self, event):
        self.append(event)

    def kinds(self, kind):
        return [e for e in self if e.kind == kind]


def load(config):
    events = Events()
    data = load_training_data(config, TrainingCallbacks(), TrainControl(), events)
    return data, events


@pytest.mark.parametrize("side,expected", [(32, 32), (100, 64), (28, 28), (40, 32)])
def test_an_automatic_size_is_the_images_own_up_to_64(tmp_path, side, expected):
    config = TrainConfig(dataset=write_images(tmp_path / "faces", side), batch_size=2)
    data, events = load(config)
    assert data.images.shape[1:3] == (expected, expected)
    (said,) = events.kinds("image_size")
    assert said.message.startswith(f"Images are {side}×{side}: training at "
                                   f"{expected}×{expected}")
    assert said.data["size"] == expected
    assert fit_config_to_data(config, data)  # changed: config.json gets the concrete size
    assert config.image_size == expected


@pytest.mark.parametrize("size", [28, 64, 128])
def test_an_explicit_size_wins(tmp_path, size):
    config = TrainConfig(dataset=write_images(tmp_path / "faces", 32), image_size=size,
                         batch_size=2)
    data, events = load(config)
    assert data.images.shape[1:3] == (size, size) and not events.kinds("image_size")
    fit_config_to_data(config, data)
    assert config.image_size == size


def test_a_recorded_size_is_kept_by_a_resumed_run(tmp_path):
    folder = write_images(tmp_path / "faces", 32)
    config = TrainConfig(dataset=folder, batch_size=2).resolved()
    config.image_size = 64  # as config.json recorded it when the folder held 64 x 64 images
    assert resolve_image_size(config, Events()) == 64
    saved = tmp_path / "config.json"
    config.save(saved)
    assert TrainConfig.load(saved).image_size == 64


def test_a_builtin_data_set_has_no_size_to_say(tmp_path):
    events = Events()
    resolve_image_size(TrainConfig(dataset="mnist"), events)
    assert not events


def test_skipped_files_are_listed_in_the_run_folder_and_an_event(tmp_path):
    folder = write_images(tmp_path / "faces", 32, bad=("notes.png", "empty.jpg"))
    config = TrainConfig(dataset=folder, batch_size=2)
    data, events = load(config)
    assert "(2 files skipped)" in events.kinds("data")[-1].message
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    save_started_run(str(run_dir), config, data, folder, events)
    assert (run_dir / "config.json").is_file()
    lines = (run_dir / "skipped.txt").read_text().splitlines()
    assert lines[1:] == ["empty.jpg\tempty (0 bytes)",
                         "notes.png\tnot an image file Pillow can read"]
    (said,) = events.kinds("skipped")
    assert said.data["count"] == 2 and said.data["path"] == str(run_dir / "skipped.txt")
    assert [f.path for f in said.data["files"]] == ["empty.jpg", "notes.png"]
    assert "empty.jpg (empty)" in said.message and "skipped.txt" in said.message
    assert not [name for name in os.listdir(run_dir) if name.endswith(".tmp")]


def test_a_resumed_run_whose_data_skips_nothing_drops_the_old_list(tmp_path):
    folder = write_images(tmp_path / "faces", 32)
    data, _ = load(TrainConfig(dataset=folder, batch_size=2))
    (tmp_path / "skipped.txt").write_text("old.png\tempty (0 bytes)\n")
    events = Events()
    save_started_run(str(tmp_path), None, data, folder, events)
    assert not (tmp_path / "skipped.txt").exists() and not events
    assert not (tmp_path / "config.json").exists()  # None: config.json left as it was


def test_a_list_the_disk_refuses_is_one_line_naming_it(tmp_path, monkeypatch):
    from gan_studio.ml.training.data import TrainingError

    folder = write_images(tmp_path / "faces", 32, bad=("notes.png",))
    data, _ = load(TrainConfig(dataset=folder, batch_size=2))

    def full_disk(path, text):
        raise OSError(28, "No space left on device", path + ".tmp")

    monkeypatch.setattr("gan_studio.core.atomic.atomic_write_text", full_disk)
    with pytest.raises(TrainingError) as err:
        save_started_run(str(tmp_path), None, data, folder, Events())
    assert str(err.value) == (f"cannot write {tmp_path / 'skipped.txt'}: No space left on "
                              "device")

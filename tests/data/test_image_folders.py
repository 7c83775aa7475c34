"""Folders and .zip archives of ordinary images."""

import io
import threading
import zipfile

import numpy as np
import pytest
from PIL import Image

from gan_studio.data import DatasetCancelledError, DatasetError, load_dataset

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def save(path, mode="RGB", size=(20, 12), color=RED, fmt=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path, format=fmt)
    return path


def image_bytes(mode="RGB", size=(10, 10), color=RED, fmt="PNG"):
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def test_folder_with_class_subfolders_and_a_corrupt_file(tmp_path):
    save(tmp_path / "cats" / "a.png")
    save(tmp_path / "cats" / "b.jpg", color=GREEN)
    save(tmp_path / "cats" / "sub" / "c.bmp", color=BLUE)
    save(tmp_path / "dogs" / "d.webp")
    save(tmp_path / "dogs" / "e.gif", mode="P", color=3)
    (tmp_path / "dogs" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    (tmp_path / "dogs" / "notes.txt").write_text("not an image")
    save(tmp_path / ".thumbnails" / "hidden.png")
    ds = load_dataset(str(tmp_path), image_size=16)
    assert ds.images.shape == (5, 16, 16, 3) and ds.images.dtype == np.uint8
    assert ds.skipped == 1
    assert ds.classes == ("cats", "dogs")
    assert ds.labels.tolist() == [0, 0, 0, 1, 1]
    assert ds.name == tmp_path.name


def test_resize_shorter_side_then_centre_crop(tmp_path):
    image = Image.new("RGB", (60, 20), RED)
    image.paste(GREEN, (20, 0, 40, 20))
    image.paste(BLUE, (40, 0, 60, 20))
    image.save(tmp_path / "wide.png")
    ds = load_dataset(str(tmp_path), image_size=8)
    assert ds.images.shape == (1, 8, 8, 3) and ds.labels is None
    centre = ds.images[0, :, 1:7].reshape(-1, 3)
    assert (centre[:, 1] > 200).all() and (centre[:, [0, 2]] < 60).all()


def test_all_grayscale_gives_one_channel(tmp_path):
    save(tmp_path / "a.png", mode="L", color=100)
    save(tmp_path / "b.jpg", mode="L", color=200)
    ds = load_dataset(str(tmp_path), image_size=8)
    assert ds.images.shape == (2, 8, 8, 1)
    assert abs(int(ds.images[0].mean()) - 100) <= 2


def test_mixed_modes_give_rgb_and_channels_can_be_forced(tmp_path):
    save(tmp_path / "a.png", mode="L", color=100)
    save(tmp_path / "b.png", color=BLUE)
    ds = load_dataset(str(tmp_path), image_size=8)
    assert ds.images.shape == (2, 8, 8, 3)
    assert (ds.images[0] == 100).all()
    gray = load_dataset(str(tmp_path), image_size=8, channels=1)
    assert gray.images.shape == (2, 8, 8, 1)
    assert gray.images[1, 0, 0, 0] == round(0.114 * 255)
    rgb = load_dataset(str(tmp_path), image_size=8, channels=3)
    assert rgb.images.shape[-1] == 3


def test_transparency_is_composited_on_white(tmp_path):
    save(tmp_path / "clear.png", mode="RGBA", color=(0, 0, 0, 0))
    ds = load_dataset(str(tmp_path), image_size=4)
    assert (ds.images == 255).all()


def test_gif_uses_its_first_frame(tmp_path):
    frames = [Image.new("RGB", (8, 8), c) for c in (GREEN, RED)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    ds = load_dataset(str(tmp_path), image_size=8)
    assert ds.images[0, 4, 4, 1] > 200 and ds.images[0, 4, 4, 0] < 50


def test_no_images_is_an_error(tmp_path):
    (tmp_path / "readme.txt").write_text("hello")
    with pytest.raises(DatasetError, match="No images were found"):
        load_dataset(str(tmp_path))


def test_only_corrupt_images_is_an_error(tmp_path):
    (tmp_path / "a.jpg").write_bytes(b"nope")
    with pytest.raises(DatasetError, match="None of the 1 image files"):
        load_dataset(str(tmp_path))


def test_folder_has_no_test_split(tmp_path):
    save(tmp_path / "a.png")
    with pytest.raises(DatasetError, match="only a 'train' split"):
        load_dataset(str(tmp_path), split="test")


def test_progress_and_cancel(tmp_path):
    for i in range(5):
        save(tmp_path / f"{i}.png")
    calls = []
    load_dataset(str(tmp_path), image_size=4, progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5, 5) and calls == sorted(calls)
    cancel = threading.Event()

    def cancel_after_two(done, total):
        if done == 2:
            cancel.set()
    with pytest.raises(DatasetCancelledError, match="cancelled"):
        load_dataset(str(tmp_path), image_size=4, progress=cancel_after_two, cancel=cancel)


def test_zip_with_wrapper_folder_classes_and_hostile_names(tmp_path):
    path = tmp_path / "pets.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("pets/", b"")
        archive.writestr("pets/cats/a.png", image_bytes(color=RED))
        archive.writestr("pets/cats/b.jpg", image_bytes(color=GREEN, fmt="JPEG"))
        archive.writestr("pets/dogs/c.png", image_bytes(color=BLUE))
        archive.writestr("pets/dogs/corrupt.png", b"definitely not a png")
        archive.writestr("__MACOSX/pets/cats/._a.png", b"resource fork")
        archive.writestr("../escape.png", image_bytes())
        archive.writestr("/absolute.png", image_bytes())
    before = sorted(p.name for p in tmp_path.iterdir())
    ds = load_dataset(str(path), image_size=6)
    assert ds.name == "pets" and ds.images.shape == (3, 6, 6, 3)
    assert ds.classes == ("cats", "dogs") and ds.labels.tolist() == [0, 0, 1]
    assert ds.skipped == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_flat_zip_of_grayscale_images(tmp_path):
    path = tmp_path / "flat.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(3):
            archive.writestr(f"img{i}.png", image_bytes(mode="L", color=50 * i))
    ds = load_dataset(str(path), image_size=5)
    assert ds.images.shape == (3, 5, 5, 1) and ds.labels is None
    assert ds.images[:, 2, 2, 0].tolist() == [0, 50, 100]


def test_broken_zip_is_an_error(tmp_path):
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(DatasetError, match="not a readable zip"):
        load_dataset(str(tmp_path / "bad.zip"))


def test_unknown_file_type_is_an_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DatasetError, match="not a data set this app can read"):
        load_dataset(str(tmp_path / "notes.txt"))

import numpy as np
import pytest
from PIL import Image

from gan_studio.core.atomic import atomic_path
from gan_studio.core.grid import upscale_nearest
from gan_studio.core.images import load_image, save_image, save_png


@pytest.mark.parametrize("shape", [(5, 7), (5, 7, 1), (5, 7, 3)])
def test_png_round_trip_is_lossless(tmp_path, shape):
    image = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    save_png(tmp_path / "a.png", image)
    back = load_image(tmp_path / "a.png")
    np.testing.assert_array_equal(back, image.reshape(back.shape))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.png"]


def test_jpeg_by_extension(tmp_path):
    save_image(tmp_path / "a.jpg", np.zeros((8, 8, 3), np.uint8), quality=95)
    assert (tmp_path / "a.jpg").read_bytes()[:2] == b"\xff\xd8"


def test_failed_write_leaves_no_file(tmp_path):
    target = tmp_path / "out.bin"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        open(tmp, "wb").write(b"partial")
        raise RuntimeError("disk full")
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ValueError):
        save_png(tmp_path / "f.png", np.zeros((4, 4), np.float32))


@pytest.mark.parametrize("channels", [1, 3])
def test_save_png_is_the_nearest_neighbour_upscale(tmp_path, channels):
    image = np.random.default_rng(channels).integers(0, 256, (16, 16, channels), np.uint8)
    path = tmp_path / "out.png"
    save_png(str(path), image, scale=3)
    saved = np.asarray(Image.open(path))
    expected = upscale_nearest(image[:, :, 0] if channels == 1 else image, 3)
    assert np.array_equal(saved, expected)
    assert [p.name for p in tmp_path.iterdir()] == ["out.png"]  # no temporary left

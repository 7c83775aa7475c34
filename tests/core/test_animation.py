"""Animations: every frame and pixel kept (GIF, APNG, WebP), MP4 where PyAV is, the timelapse."""

import numpy as np
import pytest
from PIL import Image, ImageSequence

from gan_studio.core import animation
from gan_studio.core.animation import evenly_spaced, save_animation, save_timelapse


@pytest.mark.parametrize("ext", [".gif", ".png", ".webp"])
@pytest.mark.parametrize("channels", [1, 3])
def test_animations_keep_every_frame_and_pixel(tmp_path, ext, channels):
    rng = np.random.default_rng(channels)
    shape = (9, 6, 5) if channels == 1 else (9, 6, 5, 3)
    frames = rng.integers(0, 256, shape, dtype=np.uint8)
    path = tmp_path / f"a{ext}"
    assert save_animation(path, frames, fps=20, loop=True, scale=3) == 9
    with Image.open(path) as image:
        mode = "L" if channels == 1 else "RGB"
        got = [np.asarray(f.convert(mode)) for f in ImageSequence.Iterator(image)]
        assert image.info.get("loop") == 0
    assert len(got) == 9
    for frame, expected in zip(got, frames):
        np.testing.assert_array_equal(frame, np.repeat(np.repeat(expected, 3, 0), 3, 1))


def test_mp4_export_keeps_every_frame(tmp_path):
    import av  # the video extra, a test dependency: this must run, not skip

    frames = np.stack([np.full((8, 8, 3), 16 * i, np.uint8) for i in range(10)])
    assert save_animation(tmp_path / "a.mp4", frames, fps=10, scale=4) == 10
    with av.open(str(tmp_path / "a.mp4")) as video:
        decoded = [f.to_ndarray(format="rgb24") for f in video.decode(video=0)]
    assert len(decoded) == 10 and decoded[0].shape == (32, 32, 3)
    for got, expected in zip(decoded, frames):
        assert np.abs(got.astype(int) - expected[0, 0].astype(int)).mean() < 4  # lossy, close


def test_mp4_without_pyav_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(animation, "video_supported", lambda: False)
    with pytest.raises(ValueError, match="PyAV"):
        save_animation(tmp_path / "a.mp4", np.zeros((2, 8, 8), np.uint8))


def test_timelapse_gif_writes_every_frame(tmp_path):
    frames = [np.full((16, 16, 1), 40 * i, np.uint8) for i in range(5)]
    path = tmp_path / "t.gif"
    assert save_timelapse(str(path), frames, scale=2) == 5
    with Image.open(path) as gif:
        assert gif.n_frames == 5 and gif.size == (32, 32)
    assert len(evenly_spaced(list(range(1000)), 300)) == 300
    with pytest.raises(ValueError):
        save_timelapse(str(path), [], 1)

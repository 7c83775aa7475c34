"""Latent .npy files: written atomically, read defensively."""

import os

import numpy as np
import pytest

from gan_studio.core.latent.files import LatentFileError, load_latents, save_latents


def test_latents_round_trip(tmp_path):
    one = np.random.default_rng(0).standard_normal(8).astype(np.float32)
    save_latents(tmp_path / "one.npy", one)
    np.testing.assert_array_equal(load_latents(tmp_path / "one.npy", 8), one[None])
    many = np.random.default_rng(1).standard_normal((5, 8))
    save_latents(tmp_path / "many.npy", many)
    loaded = load_latents(tmp_path / "many.npy")
    assert loaded.dtype == np.float32 and loaded.shape == (5, 8)
    np.testing.assert_array_equal(loaded, many.astype(np.float32))
    assert sorted(os.listdir(tmp_path)) == ["many.npy", "one.npy"]  # no temporary files left


@pytest.mark.parametrize("content,message", [
    (np.array([{"evil": 1}], dtype=object), "not a readable"),
    (np.zeros((2, 7), np.float32), "size 7"),
    (np.full(8, np.nan, np.float32), "NaN"),
    (np.array([1e39] * 8, np.float64), "NaN or infinite"),
    (np.zeros((2, 2, 8), np.float32), "shape"),
    (np.zeros(8, bool), "not numbers"),
    (np.array(["a"] * 8), "not numbers"),
    (np.zeros((0, 8), np.float32), "shape"),
])
def test_bad_latent_files_are_refused(tmp_path, content, message):
    path = tmp_path / "bad.npy"
    np.save(path, content, allow_pickle=True)
    with pytest.raises(LatentFileError, match=message):
        load_latents(path, 8)


def test_files_that_are_not_npy_are_refused(tmp_path):
    (tmp_path / "text.npy").write_text("hello")
    with pytest.raises(LatentFileError, match="not a readable"):
        load_latents(tmp_path / "text.npy", 8)
    np.savez(tmp_path / "archive.npy", a=np.zeros(8))
    with pytest.raises(LatentFileError):
        load_latents(tmp_path / "archive.npy", 8)
    with pytest.raises(LatentFileError, match="not a readable"):
        load_latents(tmp_path / "missing.npy", 8)

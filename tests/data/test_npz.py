"""MNIST from a Keras-layout `mnist.npz`, and what happens with broken ones."""

import numpy as np
import pytest

from gan_studio.data import DatasetError, cached_status, load_dataset

RNG = np.random.default_rng(1)


def write_mnist_npz(path, train=12, test=5):
    """Writes an archive like Keras' mnist.npz: uint8 images (N, 28, 28), uint8 labels (N,)."""
    arrays = {
        "x_train": RNG.integers(0, 256, (train, 28, 28), dtype=np.uint8),
        "y_train": RNG.integers(0, 10, train, dtype=np.uint8),
        "x_test": RNG.integers(0, 256, (test, 28, 28), dtype=np.uint8),
        "y_test": RNG.integers(0, 10, test, dtype=np.uint8),
    }
    np.savez(path, **arrays)
    return arrays


def test_mnist_from_cache(tmp_path):
    arrays = write_mnist_npz(tmp_path / "mnist.npz")
    assert cached_status(str(tmp_path)) == {"mnist": True, "fashion_mnist": False,
                                            "cifar10": False}
    ds = load_dataset("mnist", data_dir=str(tmp_path), download=False)
    assert ds.name == "mnist" and ds.skipped == 0 and len(ds) == 12
    assert ds.images.shape == (12, 28, 28, 1) and ds.images.dtype == np.uint8
    np.testing.assert_array_equal(ds.images[..., 0], arrays["x_train"])
    np.testing.assert_array_equal(ds.labels, arrays["y_train"])
    test = load_dataset("MNIST", data_dir=str(tmp_path), split="test", download=False)
    np.testing.assert_array_equal(test.images[..., 0], arrays["x_test"])


def test_cached_copy_is_not_rehashed(tmp_path):
    # A re-packed copy has another digest than the official file; it must still load.
    write_mnist_npz(tmp_path / "mnist.npz", train=3)
    assert len(load_dataset("mnist", data_dir=str(tmp_path), download=False)) == 3


def test_channels_are_converted(tmp_path):
    arrays = write_mnist_npz(tmp_path / "mnist.npz")
    rgb = load_dataset("mnist", data_dir=str(tmp_path), channels=3, download=False)
    assert rgb.images.shape == (12, 28, 28, 3)
    np.testing.assert_array_equal(rgb.images[..., 2], arrays["x_train"])
    gray = load_dataset("mnist", data_dir=str(tmp_path), channels=1, download=False)
    assert gray.image_shape == (28, 28, 1)


def test_npz_path_as_source(tmp_path):
    arrays = write_mnist_npz(tmp_path / "digits.npz")
    ds = load_dataset(str(tmp_path / "digits.npz"), split="test")
    assert ds.name == "digits"
    np.testing.assert_array_equal(ds.labels, arrays["y_test"])


def test_truncated_npz_gives_a_clear_error(tmp_path):
    write_mnist_npz(tmp_path / "mnist.npz", train=200)
    data = (tmp_path / "mnist.npz").read_bytes()
    (tmp_path / "mnist.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="mnist.npz is truncated or corrupt") as err:
        load_dataset("mnist", data_dir=str(tmp_path), download=False)
    assert "delete it" in str(err.value)


def test_garbage_npz_gives_a_clear_error(tmp_path):
    (tmp_path / "mnist.npz").write_bytes(b"not a zip archive at all")
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        load_dataset("mnist", data_dir=str(tmp_path), download=False)


def test_pickled_arrays_are_refused(tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=np.array([{"a": 1}], dtype=object),
             y_train=np.zeros(1, np.uint8))
    with pytest.raises(DatasetError):
        load_dataset("mnist", data_dir=str(tmp_path), download=False)


def test_npz_without_images_is_refused(tmp_path):
    np.savez(tmp_path / "other.npz", weights=np.zeros(3))
    with pytest.raises(DatasetError, match="x_train"):
        load_dataset(str(tmp_path / "other.npz"))


def test_float_images_are_refused(tmp_path):
    np.savez(tmp_path / "f.npz", x_train=np.zeros((2, 4, 4), np.float32))
    with pytest.raises(DatasetError, match="uint8"):
        load_dataset(str(tmp_path / "f.npz"))

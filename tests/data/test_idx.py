"""idx files (MNIST / Fashion-MNIST format): raw, gzip, folders, and the Fashion-MNIST cache."""

import gzip
import struct

import numpy as np
import pytest

from gan_studio.data import DatasetError, cached_status, load_dataset
from gan_studio.data.idx import read_idx

RNG = np.random.default_rng(0)


def idx_bytes(array: np.ndarray) -> bytes:
    codes = {np.dtype("u1"): 0x08, np.dtype(">i4"): 0x0C}
    array = array.astype(array.dtype.newbyteorder(">")) if array.dtype.itemsize > 1 else array
    header = bytes([0, 0, codes[array.dtype], array.ndim])
    return header + struct.pack(f">{array.ndim}I", *array.shape) + array.tobytes()


def write_idx(path, array, compress=False):
    data = idx_bytes(array)
    with open(path, "wb") as f:
        f.write(gzip.compress(data) if compress else data)
    return str(path)


def make_split(folder, prefix, count, compress, suffix=""):
    images = RNG.integers(0, 256, (count, 28, 28), dtype=np.uint8)
    labels = RNG.integers(0, 10, count, dtype=np.uint8)
    write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, compress)
    write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels, compress)
    return images, labels


def test_raw_idx_file_with_sibling_labels(tmp_path):
    images, labels = make_split(tmp_path, "train", 5, compress=False)
    ds = load_dataset(str(tmp_path / "train-images-idx3-ubyte"))
    assert ds.images.shape == (5, 28, 28, 1) and ds.images.dtype == np.uint8
    np.testing.assert_array_equal(ds.images[..., 0], images)
    np.testing.assert_array_equal(ds.labels, labels)
    assert ds.labels.dtype == np.int64


def test_gzip_idx_folder_picks_the_split(tmp_path):
    train = make_split(tmp_path, "train", 6, compress=True, suffix=".gz")
    test = make_split(tmp_path, "t10k", 3, compress=True, suffix=".gz")
    ds = load_dataset(str(tmp_path))
    np.testing.assert_array_equal(ds.images[..., 0], train[0])
    np.testing.assert_array_equal(ds.labels, train[1])
    ds = load_dataset(str(tmp_path), split="test")
    np.testing.assert_array_equal(ds.images[..., 0], test[0])
    np.testing.assert_array_equal(ds.labels, test[1])


def test_single_images_file_without_labels(tmp_path):
    images = RNG.integers(0, 256, (4, 8, 9), dtype=np.uint8)
    path = write_idx(tmp_path / "shapes.idx", images, compress=True)
    ds = load_dataset(path)
    assert ds.labels is None and ds.images.shape == (4, 8, 9, 1)


def test_multibyte_types_are_read_big_endian(tmp_path):
    values = np.array([1, 256, -3, 70000], dtype=">i4")
    path = write_idx(tmp_path / "values-idx1-int", values)
    result = read_idx(path)
    np.testing.assert_array_equal(result, [1, 256, -3, 70000])
    assert result.dtype.isnative


def test_bad_magic_is_refused(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x12\x34\x08\x03" + b"\x00" * 40)
    with pytest.raises(DatasetError, match="magic"):
        read_idx(str(path))


def test_raw_size_mismatch_is_refused(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(idx_bytes(np.zeros((3, 4, 4), np.uint8))[:-5])
    with pytest.raises(DatasetError, match="does not match its idx header"):
        load_dataset(str(path))


def test_truncated_gzip_is_refused(tmp_path):
    data = gzip.compress(idx_bytes(RNG.integers(0, 256, (50, 28, 28), dtype=np.uint8)))
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="truncated|corrupt"):
        read_idx(str(path))


def test_gzip_with_extra_data_is_refused(tmp_path):
    path = tmp_path / "x-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros(4, np.uint8)) + b"junk"))
    with pytest.raises(DatasetError, match="more data"):
        read_idx(str(path))


def test_label_count_must_match_images(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", np.zeros((4, 5, 5), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.zeros(3, np.uint8))
    with pytest.raises(DatasetError, match="3 labels"):
        load_dataset(str(tmp_path))


def test_folder_without_the_split_is_refused(tmp_path):
    make_split(tmp_path, "train", 2, compress=False)
    with pytest.raises(DatasetError, match="test split"):
        load_dataset(str(tmp_path), split="test")


def fashion_cache(data_dir):
    folder = data_dir / "fashion-mnist"
    folder.mkdir(parents=True)
    train = make_split(folder, "train", 7, compress=True, suffix=".gz")
    test = make_split(folder, "t10k", 2, compress=True, suffix=".gz")
    return train, test


def test_fashion_mnist_from_keras_cache(tmp_path):
    train, test = fashion_cache(tmp_path)
    assert cached_status(str(tmp_path))["fashion_mnist"]
    ds = load_dataset("fashion_mnist", data_dir=str(tmp_path), download=False)
    assert ds.name == "fashion_mnist" and ds.classes[9] == "Ankle boot"
    np.testing.assert_array_equal(ds.images[..., 0], train[0])
    np.testing.assert_array_equal(ds.labels, train[1])
    ds = load_dataset("Fashion-MNIST", data_dir=str(tmp_path), split="test", download=False)
    np.testing.assert_array_equal(ds.images[..., 0], test[0])


def test_fashion_mnist_accepts_gunzipped_copies(tmp_path):
    folder = tmp_path / "fashion-mnist"
    folder.mkdir()
    images, _ = make_split(folder, "train", 3, compress=False)
    ds = load_dataset("fashion_mnist", data_dir=str(tmp_path), download=False)
    np.testing.assert_array_equal(ds.images[..., 0], images)

"""Built-in sources, the cache folder, argument checks, and the layering of the package."""

import os
import subprocess
import sys

import pytest

from gan_studio.data import (
    BUILTIN_DATASETS,
    DatasetError,
    DataUnavailableError,
    cached_status,
    dataset_source,
    default_data_dir,
    load_dataset,
)

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"


def test_official_origins_and_digests():
    mnist = dataset_source("mnist").files
    assert [(f.url, f.filename, f.sha256) for f in mnist] == [(
        KERAS_ORIGIN + "mnist.npz", "mnist.npz",
        "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1")]
    cifar = dataset_source("cifar10")
    assert cifar.files[0].url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert cifar.files[0].sha256 == (
        "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce")
    fashion = {f.filename: (f.url, f.sha256) for f in dataset_source("fashion_mnist").files}
    assert fashion["fashion-mnist/train-images-idx3-ubyte.gz"] == (
        KERAS_ORIGIN + "train-images-idx3-ubyte.gz",
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84")
    assert fashion["fashion-mnist/t10k-labels-idx1-ubyte.gz"][1] == (
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5")
    assert len(fashion) == 4
    assert [f.filename for f in dataset_source("fashion_mnist").files_for("test")] == [
        "fashion-mnist/t10k-labels-idx1-ubyte.gz", "fashion-mnist/t10k-images-idx3-ubyte.gz"]


def test_names_are_forgiving_and_unknown_ones_refused():
    assert dataset_source("Fashion-MNIST").name == "fashion_mnist"
    assert dataset_source("CIFAR-10").name == "cifar10"
    with pytest.raises(DatasetError, match="Unknown data set 'svhn'"):
        dataset_source("svhn")


def test_default_data_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("GAN_STUDIO_DATA_DIR", raising=False)
    monkeypatch.delenv("KERAS_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_data_dir() == str(tmp_path / ".keras" / "datasets")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "kh"))
    assert default_data_dir() == str(tmp_path / "kh" / "datasets")
    monkeypatch.setenv("GAN_STUDIO_DATA_DIR", str(tmp_path / "mine"))
    assert default_data_dir() == str(tmp_path / "mine")


def test_data_dir_defaults_to_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("GAN_STUDIO_DATA_DIR", str(tmp_path))
    (tmp_path / "mnist.npz").write_bytes(b"")
    assert cached_status()["mnist"]
    with pytest.raises(DataUnavailableError) as err:
        load_dataset("cifar10", download=False)
    assert err.value.folder == str(tmp_path)


def test_cached_status_of_empty_and_keras_layouts(tmp_path):
    assert cached_status(str(tmp_path / "none")) == dict.fromkeys(BUILTIN_DATASETS, False)
    (tmp_path / "cifar-10-batches-py-target_archive").write_bytes(b"")
    assert cached_status(str(tmp_path))["cifar10"]
    fashion = tmp_path / "fashion-mnist"
    fashion.mkdir()
    for f in dataset_source("fashion_mnist").files[:3]:
        (tmp_path / f.filename).write_bytes(b"")
    assert not cached_status(str(tmp_path))["fashion_mnist"]
    (fashion / "t10k-images-idx3-ubyte").write_bytes(b"")
    assert cached_status(str(tmp_path))["fashion_mnist"]


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(DatasetError, match="split"):
        load_dataset("mnist", data_dir=str(tmp_path), split="validation")
    with pytest.raises(DatasetError, match="1 or 3 channels"):
        load_dataset("mnist", data_dir=str(tmp_path), channels=4)
    with pytest.raises(DatasetError, match="neither a built-in data set"):
        load_dataset(str(tmp_path / "missing"))
    (tmp_path / "a.png").write_bytes(b"")
    with pytest.raises(DatasetError, match="image size"):
        load_dataset(str(tmp_path), image_size=0)


def test_a_path_spelled_like_a_builtin_is_a_path(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mnist").mkdir()
    with pytest.raises(DatasetError, match="No images were found"):
        load_dataset("./mnist")


def test_importing_loads_neither_tensorflow_nor_qt():
    code = ("import sys, gan_studio.data; "
            "bad = [m for m in ('tensorflow', 'keras', 'PySide6') if m in sys.modules]; "
            "sys.exit(str(bad) if bad else 0)")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    result = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr

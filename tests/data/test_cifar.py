"""CIFAR-10: pickled batches (safely), the extracted folder, the .tar.gz, hostile files."""

import io
import os
import pickle
import tarfile

import numpy as np
import pytest

from gan_studio.data import DatasetError, cached_status, load_dataset
from gan_studio.data.cifar import load_batch

RNG = np.random.default_rng(2)
PER_BATCH = 4


def batch_bytes(images: np.ndarray, labels, old_numpy_name: bool) -> bytes:
    """Pickles a batch as CIFAR's python version does: a dict with bytes keys, protocol 2."""
    rows = images.transpose(0, 3, 1, 2).reshape(len(images), 3072)
    batch = {b"batch_label": b"testing", b"labels": [int(v) for v in labels],
             b"data": np.ascontiguousarray(rows), b"filenames": [b"x.png"] * len(images)}
    raw = pickle.dumps(batch, protocol=2)
    assert b"c_codecs\nencode\n" in raw
    if old_numpy_name:  # the spelling of the published files, which predate numpy._core
        raw = raw.replace(b"cnumpy._core.multiarray\n", b"cnumpy.core.multiarray\n")
        assert b"cnumpy.core.multiarray\n_reconstruct" in raw
    return raw


def write_batches(folder):
    """Writes data_batch_1..5 and test_batch; returns (train, test) image/label pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    splits = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        images = RNG.integers(0, 256, (PER_BATCH, 32, 32, 3), dtype=np.uint8)
        labels = RNG.integers(0, 10, PER_BATCH)
        (folder / name).write_bytes(batch_bytes(images, labels, name == "data_batch_1"))
        splits.setdefault("test" if name == "test_batch" else "train", []).append((images, labels))
    (folder / "batches.meta").write_bytes(pickle.dumps({b"label_names": [b"a"]}, protocol=2))
    return {k: (np.concatenate([p[0] for p in v]), np.concatenate([p[1] for p in v]))
            for k, v in splits.items()}


def test_batch_planes_become_channels_last(tmp_path):
    images = np.zeros((1, 32, 32, 3), np.uint8)
    images[0, 1, 2] = (10, 20, 30)
    (tmp_path / "b").write_bytes(batch_bytes(images, [7], old_numpy_name=True))
    loaded, labels = load_batch(str(tmp_path / "b"))
    assert tuple(loaded[0, 1, 2]) == (10, 20, 30) and labels.tolist() == [7]
    assert loaded.sum() == 60


def test_extracted_folder_in_cache(tmp_path):
    expected = write_batches(tmp_path / "cifar-10-batches-py")
    assert cached_status(str(tmp_path))["cifar10"]
    ds = load_dataset("cifar10", data_dir=str(tmp_path), download=False)
    assert ds.images.shape == (5 * PER_BATCH, 32, 32, 3) and ds.images.dtype == np.uint8
    np.testing.assert_array_equal(ds.images, expected["train"][0])
    np.testing.assert_array_equal(ds.labels, expected["train"][1])
    assert ds.classes[0] == "airplane"
    test = load_dataset("CIFAR-10", data_dir=str(tmp_path), split="test", download=False)
    np.testing.assert_array_equal(test.images, expected["test"][0])


def test_keras3_layout_is_found(tmp_path):
    expected = write_batches(tmp_path / "cifar-10-batches-py-target" / "cifar-10-batches-py")
    ds = load_dataset("cifar10", data_dir=str(tmp_path), download=False)
    np.testing.assert_array_equal(ds.labels, expected["train"][1])


def test_batch_folder_as_source_and_grayscale(tmp_path):
    write_batches(tmp_path / "mine")
    ds = load_dataset(str(tmp_path / "mine"), channels=1)
    assert ds.images.shape == (5 * PER_BATCH, 32, 32, 1)


def test_archive_in_cache_is_extracted(tmp_path):
    expected = write_batches(tmp_path / "src" / "cifar-10-batches-py")
    cache = tmp_path / "cache"
    cache.mkdir()
    with tarfile.open(cache / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    assert cached_status(str(cache))["cifar10"]
    ds = load_dataset("cifar10", data_dir=str(cache), download=False)
    np.testing.assert_array_equal(ds.images, expected["train"][0])
    assert sorted(os.listdir(cache)) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]


class RunsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return os.system, (f"touch {self.marker}",)


def test_pickle_that_runs_code_is_refused(tmp_path):
    write_batches(tmp_path / "cifar-10-batches-py")
    marker = tmp_path / "pwned"
    evil = {b"data": RunsCode(marker), b"labels": [1]}
    (tmp_path / "cifar-10-batches-py" / "data_batch_1").write_bytes(
        pickle.dumps(evil, protocol=2))
    with pytest.raises(DatasetError, match="posix.system|os.system|nt.system"):
        load_dataset("cifar10", data_dir=str(tmp_path), download=False)
    assert not marker.exists()


class ExecsCode:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return exec, (f"open({str(self.marker)!r}, 'w').close()",)


def test_pickle_calling_builtins_is_refused(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "b").write_bytes(pickle.dumps([ExecsCode(marker)], protocol=2))
    with pytest.raises(DatasetError, match=r"__builtin__\.exec|builtins\.exec"):
        load_batch(str(tmp_path / "b"))
    assert not marker.exists()


def test_truncated_batch_gives_a_clear_error(tmp_path):
    write_batches(tmp_path / "cifar-10-batches-py")
    path = tmp_path / "cifar-10-batches-py" / "data_batch_3"
    path.write_bytes(path.read_bytes()[:500])
    with pytest.raises(DatasetError, match="data_batch_3 is corrupt or truncated"):
        load_dataset("cifar10", data_dir=str(tmp_path), download=False)


def test_batch_of_wrong_shape_is_refused(tmp_path):
    (tmp_path / "b").write_bytes(pickle.dumps({b"data": np.zeros((2, 10), np.uint8),
                                               b"labels": [0, 1]}, protocol=2))
    with pytest.raises(DatasetError, match="3072"):
        load_batch(str(tmp_path / "b"))


def add_bytes(tar, name, data=b"x", kind=tarfile.REGTYPE, link=""):
    info = tarfile.TarInfo(name)
    info.type, info.linkname, info.size = kind, link, len(data) if kind == tarfile.REGTYPE else 0
    tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


@pytest.mark.parametrize("name,kind,link", [
    ("cifar-10-batches-py/../../escaped", tarfile.REGTYPE, ""),
    ("/tmp/escaped-absolute", tarfile.REGTYPE, ""),
    ("cifar-10-batches-py/link", tarfile.SYMTYPE, "../../escaped"),
])
def test_tar_path_traversal_is_refused(tmp_path, name, kind, link):
    cache = tmp_path / "a" / "cache"
    cache.mkdir(parents=True)
    with tarfile.open(cache / "cifar-10-python.tar.gz", "w:gz") as tar:
        add_bytes(tar, "cifar-10-batches-py/data_batch_1")
        add_bytes(tar, name, kind=kind, link=link)
    with pytest.raises(DatasetError, match="unsafe"):
        load_dataset("cifar10", data_dir=str(cache), download=False)
    assert not (tmp_path / "a" / "escaped").exists() and not (tmp_path / "escaped").exists()
    assert sorted(os.listdir(cache)) == ["cifar-10-python.tar.gz"]


def test_truncated_archive_gives_a_clear_error(tmp_path):
    write_batches(tmp_path / "src" / "cifar-10-batches-py")
    with tarfile.open(tmp_path / "cifar-10-python.tar.gz", "w:gz") as tar:
        tar.add(tmp_path / "src" / "cifar-10-batches-py", arcname="cifar-10-batches-py")
    data = (tmp_path / "cifar-10-python.tar.gz").read_bytes()
    (tmp_path / "cifar-10-python.tar.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(DatasetError, match="truncated or corrupt"):
        load_dataset("cifar10", data_dir=str(tmp_path), download=False)
    assert not (tmp_path / "cifar-10-batches-py").exists()

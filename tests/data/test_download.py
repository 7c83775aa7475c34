"""Downloads, from a tiny HTTP server on 127.0.0.1 and file:// URLs; never the network."""

import dataclasses
import functools
import gzip
import hashlib
import http.server
import os
import pathlib
import threading

import numpy as np
import pytest

from gan_studio.core import catalog
from gan_studio.data import (
    DatasetCancelledError,
    DatasetError,
    DataUnavailableError,
    cache_location,
    download_file,
    load_dataset,
)
from gan_studio.data import download as download_module

UNREACHABLE = "http://127.0.0.1:9/"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    # A proxy from the environment would otherwise receive the requests for 127.0.0.1.
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(tmp_path):
    """Serves tmp_path/'www' over HTTP; yields (folder, base URL)."""
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(QuietHandler, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_download_reports_progress_and_checks_the_digest(server, tmp_path, monkeypatch):
    monkeypatch.setattr(download_module, "CHUNK_SIZE", 1000)
    root, base = server
    data = os.urandom(4500)
    (root / "blob.bin").write_bytes(data)
    calls = []
    dest = tmp_path / "cache" / "blob.bin"
    result = download_file(base + "blob.bin", str(dest), sha(data),
                           progress=lambda done, total: calls.append((done, total)))
    assert result == str(dest) and dest.read_bytes() == data
    assert calls == [(1000, 4500), (2000, 4500), (3000, 4500), (4000, 4500), (4500, 4500)]
    assert not pathlib.Path(str(dest) + ".part").exists()


def test_file_url_works(tmp_path):
    data = b"local bytes"
    (tmp_path / "src.bin").write_bytes(data)
    dest = tmp_path / "dest.bin"
    download_file((tmp_path / "src.bin").as_uri(), str(dest), sha(data))
    assert dest.read_bytes() == data


def test_digest_mismatch_is_rejected_and_removed(server, tmp_path):
    root, base = server
    (root / "blob.bin").write_bytes(b"tampered")
    dest = tmp_path / "blob.bin"
    with pytest.raises(DatasetError, match="corrupt.*SHA-256"):
        download_file(base + "blob.bin", str(dest), sha(b"original"))
    assert not dest.exists() and not pathlib.Path(str(dest) + ".part").exists()


def test_cancel_stops_and_removes_the_part_file(server, tmp_path, monkeypatch):
    monkeypatch.setattr(download_module, "CHUNK_SIZE", 100)
    root, base = server
    data = os.urandom(1000)
    (root / "blob.bin").write_bytes(data)
    cancel = threading.Event()
    seen = []

    def progress(done, total):
        seen.append(done)
        cancel.set()
    dest = tmp_path / "blob.bin"
    with pytest.raises(DatasetCancelledError, match="download cancelled"):
        download_file(base + "blob.bin", str(dest), sha(data), progress, cancel)
    assert seen == [100]
    assert not dest.exists() and not pathlib.Path(str(dest) + ".part").exists()


def test_unreachable_server_names_url_and_path(tmp_path):
    dest = tmp_path / "cache" / "mnist.npz"
    with pytest.raises(DataUnavailableError) as err:
        download_file(UNREACHABLE + "mnist.npz", str(dest), "0" * 64, timeout=5)
    assert err.value.url == UNREACHABLE + "mnist.npz"
    assert err.value.path == str(dest) and err.value.folder == str(tmp_path / "cache")
    assert UNREACHABLE + "mnist.npz" in str(err.value) and str(dest) in str(err.value)
    assert not dest.exists() and not pathlib.Path(str(dest) + ".part").exists()


def test_missing_file_on_server_is_unavailable(server, tmp_path):
    _, base = server
    with pytest.raises(DataUnavailableError, match="404"):
        download_file(base + "nothing.bin", str(tmp_path / "x"), None)


def mnist_npz_bytes(tmp_path, count=9):
    images = np.random.default_rng(3).integers(0, 256, (count, 28, 28), dtype=np.uint8)
    np.savez(tmp_path / "built.npz", x_train=images, y_train=np.arange(count, dtype=np.uint8),
             x_test=images[:2], y_test=np.zeros(2, np.uint8))
    return (tmp_path / "built.npz").read_bytes()


def point_builtin(monkeypatch, name, base, digests=None):
    """Makes the built-in `name` download from `base` (with the given digests)."""
    source = cache_location.dataset_source(name)
    files = tuple(dataclasses.replace(
        f, url=base + f.filename.split("/")[-1],
        sha256=(digests or {}).get(f.filename, f.sha256)) for f in source.files)
    monkeypatch.setitem(catalog._SOURCES, name, dataclasses.replace(source, files=files))


def test_builtin_is_downloaded_into_the_cache_then_found_offline(server, tmp_path,
                                                                 monkeypatch):
    root, base = server
    data = mnist_npz_bytes(tmp_path)
    (root / "mnist.npz").write_bytes(data)
    point_builtin(monkeypatch, "mnist", base, {"mnist.npz": sha(data)})
    cache = tmp_path / "cache"
    calls = []
    ds = load_dataset("mnist", data_dir=str(cache), progress=lambda d, t: calls.append((d, t)))
    assert ds.images.shape == (9, 28, 28, 1) and ds.labels.tolist() == list(range(9))
    assert calls[-1] == (len(data), len(data))
    assert (cache / "mnist.npz").read_bytes() == data
    (root / "mnist.npz").unlink()
    assert len(load_dataset("mnist", data_dir=str(cache), download=False)) == 9


def test_builtin_download_with_wrong_digest_is_refused(server, tmp_path, monkeypatch):
    root, base = server
    (root / "mnist.npz").write_bytes(mnist_npz_bytes(tmp_path))
    point_builtin(monkeypatch, "mnist", base)  # keeps the official digest
    with pytest.raises(DatasetError, match="SHA-256"):
        load_dataset("mnist", data_dir=str(tmp_path / "cache"))
    assert not (tmp_path / "cache" / "mnist.npz").exists()


def test_fashion_mnist_progress_spans_all_files(server, tmp_path, monkeypatch):
    root, base = server
    digests = {}
    for prefix, count in (("train", 6), ("t10k", 2)):
        for kind, shape in (("images-idx3", (count, 28, 28)), ("labels-idx1", (count,))):
            raw = bytes([0, 0, 8, len(shape)]) + b"".join(n.to_bytes(4, "big") for n in shape)
            data = gzip.compress(raw + bytes(int(np.prod(shape))))
            name = f"{prefix}-{kind}-ubyte.gz"
            (root / name).write_bytes(data)
            digests["fashion-mnist/" + name] = sha(data)
    point_builtin(monkeypatch, "fashion_mnist", base, digests)
    calls = []
    ds = load_dataset("fashion_mnist", data_dir=str(tmp_path / "c"),
                      progress=lambda d, t: calls.append((d, t)))
    assert ds.images.shape == (6, 28, 28, 1)
    done = [d for d, _ in calls]
    assert done == sorted(done) and calls[-1][0] == calls[-1][1]
    assert sorted(os.listdir(tmp_path / "c" / "fashion-mnist")) == [
        "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"]


@pytest.mark.parametrize("name,filename", [("mnist", "mnist.npz"),
                                           ("cifar10", "cifar-10-python.tar.gz"),
                                           ("fashion_mnist",
                                            "fashion-mnist/train-labels-idx1-ubyte.gz")])
def test_offline_builtin_names_url_and_path(tmp_path, monkeypatch, name, filename):
    point_builtin(monkeypatch, name, UNREACHABLE)
    cache = tmp_path / "cache"
    with pytest.raises(DataUnavailableError) as err:
        load_dataset(name, data_dir=str(cache))
    expected = str(cache.joinpath(*filename.split("/")))
    assert err.value.path == expected and expected in str(err.value)
    assert err.value.url.startswith(UNREACHABLE) and err.value.url in str(err.value)
    assert not any(p.name.endswith(".part") for p in cache.rglob("*"))


def test_download_turned_off_gives_the_official_url(tmp_path):
    with pytest.raises(DataUnavailableError) as err:
        load_dataset("cifar10", data_dir=str(tmp_path), download=False)
    assert err.value.url == "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
    assert err.value.path == str(tmp_path / "cifar-10-python.tar.gz")
    assert "downloading is turned off" in str(err.value)

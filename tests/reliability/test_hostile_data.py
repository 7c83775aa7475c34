"""Hostile and broken data files: each is refused with one line naming the file, and nothing
it asks for is executed, allocated or left behind.

Every fixture is written here, in the real format, by hand where a well-behaved writer would
refuse to produce it (pickles built from `__reduce__`, tar headers, zip and idx bytes).
"""

import io
import os
import pickle
import subprocess
import sys
import tarfile
import textwrap
import zipfile

import numpy as np
import pytest
from helpers import declare_member_size

from gan_studio.data import DatasetError, load_dataset
from gan_studio.data.cifar import extract_archive, load_batch

try:
    from numpy._core.multiarray import _reconstruct
except ImportError:  # numpy < 2
    from numpy.core.multiarray import _reconstruct

ROW = 3072
BATCHES = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]


def refused(call, *names: str) -> str:
    """Calls `call`; asserts a `DatasetError` of one line naming each of `names`."""
    with pytest.raises(DatasetError) as err:
        call()
    message = str(err.value)
    assert message and "\n" not in message and "Traceback" not in message, message
    for name in names:
        assert name in message, message
    return message


# --- pickles: CIFAR-10 batches --------------------------------------------------------------

class Reduce:
    """Pickles as `func(*args)` followed by BUILD with `state` (when not None)."""

    def __init__(self, func, args, state=None):
        self.reduced = (func, args) if state is None else (func, args, state)

    def __reduce__(self):
        return self.reduced


def dtype_of(code: str, byte_order="|", flags=0) -> Reduce:
    """A pickled `numpy.dtype(code)` with the state numpy writes (flags 63: object)."""
    return Reduce(np.dtype, (code, False, True), (3, byte_order, None, None, None, -1, -1, flags))


def array_of(state) -> Reduce:
    """A pickled array as numpy writes one: `_reconstruct(ndarray, (0,), b'b')` then BUILD."""
    return Reduce(_reconstruct, (np.ndarray, (0,), b"b"), state)


def strided(shape, dtype: Reduce, strides) -> Reduce:
    """`numpy.ndarray(shape, dtype, buffer, 0, strides)`: a view of 8 bytes as any shape."""
    return Reduce(np.ndarray, (shape, dtype, b"\0" * 8, 0, strides))


def write_batch(path, data, labels) -> str:
    path.write_bytes(pickle.dumps({b"batch_label": b"x", b"data": data, b"labels": labels},
                                  protocol=2))
    return str(path)


def good_rows(n=2) -> np.ndarray:
    return np.arange(n * ROW, dtype=np.uint64).astype(np.uint8).reshape(n, ROW)


def run_isolated(code: str) -> subprocess.CompletedProcess:
    """Runs `code` in a fresh interpreter, so that a crash fails the test instead of pytest."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=root,
                          capture_output=True, text=True, timeout=120)


def test_object_dtype_batch_is_refused_without_crashing(tmp_path):
    # Defect 1: only allowed globals (numpy.dtype, _reconstruct), yet an object array whose
    # state is a list shorter than its shape made numpy crash the process (SIGSEGV).
    path = write_batch(tmp_path / "data_batch_1",
                       array_of((1, (100_000,), dtype_of("O8", flags=63), False, [1])), [0])
    result = run_isolated(f"""
        from gan_studio.data import DatasetError
        from gan_studio.data.cifar import load_batch
        try:
            load_batch({path!r})
        except DatasetError as err:
            print("REFUSED", err)
        """)
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    assert result.stdout.startswith("REFUSED") and "data_batch_1" in result.stdout
    assert len(result.stdout.strip().splitlines()) == 1 and not result.stderr


@pytest.mark.parametrize("case,data", [
    ("object dtype", array_of((1, (2, ROW), dtype_of("O8", flags=63), False, [1, 2]))),
    ("string dtype", array_of((1, (2, ROW), dtype_of("U1"), False, b"\0" * 8 * ROW))),
    ("void dtype", array_of((1, (2, ROW), dtype_of("V1"), False, b"\0" * 2 * ROW))),
    ("structured dtype state", array_of((1, (2, ROW), Reduce(
        np.dtype, ("V1", False, True),
        (3, "|", None, ("a",), {"a": (np.dtype("u1"), 0)}, 1, 1, 0)), False, b"\0" * 2 * ROW))),
    ("object flag on uint8", array_of((1, (2, ROW), dtype_of("u1", flags=63), False,
                                       b"\0" * 2 * ROW))),
    ("float rows", array_of((1, (2, ROW), dtype_of("f8", "<"), False, b"\0" * 16 * ROW))),
    ("short raw data", array_of((1, (2, ROW), dtype_of("u1"), False, b"\0" * 100))),
    ("long raw data", array_of((1, (2, ROW), dtype_of("u1"), False, b"\0" * 3 * ROW))),
    ("list as raw data", array_of((1, (2, ROW), dtype_of("u1"), False, [0] * 2 * ROW))),
    ("Fortran order", array_of((1, (2, ROW), dtype_of("u1"), True, b"\0" * 2 * ROW))),
    ("negative shape", array_of((1, (-1, ROW), dtype_of("u1"), False, b""))),
    ("rank 3 data", array_of((1, (2, 3, 1024), dtype_of("u1"), False, b"\0" * 2 * ROW))),
    ("rows of 3071 bytes", array_of((1, (2, ROW - 1), dtype_of("u1"), False,
                                     b"\0" * 2 * (ROW - 1)))),
    ("strides (0, 0), 60,000 rows", strided((60_000, ROW), dtype_of("u1"), (0, 0))),
    ("strides (0, 0), 10^8 rows", strided((10**8, ROW), dtype_of("u1"), (0, 0))),
    ("ndarray called directly", Reduce(np.ndarray, ((2, ROW), dtype_of("u1")))),
    ("_reconstruct of a dtype", Reduce(_reconstruct, (np.dtype, (0,), b"b"))),
    ("array state never built", Reduce(_reconstruct, (np.ndarray, (0,), b"b"))),
    ("dtype of a list", Reduce(np.dtype, ([("a", "O")],))),
    ("no data", None),
])
def test_forged_arrays_are_refused(tmp_path, case, data):
    labels = strided((10**8,), dtype_of("i8", "<"), (0,)) if "strides" in case else [0, 1]
    path = write_batch(tmp_path / "data_batch_2", data, labels)
    refused(lambda: load_batch(path), "data_batch_2")


@pytest.mark.parametrize("case,labels", [
    ("too few", [0]),
    ("out of range", [0, 10]),
    ("negative", [0, -1]),
    ("huge integer", [0, 2**80]),
    ("strings", [b"cat", b"dog"]),
    ("nested", [[0], [1, 2]]),
    ("a dict", {0: 1}),
    ("object array", array_of((1, (2,), dtype_of("O8", flags=63), False, [0, 1]))),
])
def test_bad_labels_are_refused(tmp_path, case, labels):
    path = write_batch(tmp_path / "test_batch", good_rows(2), labels)
    refused(lambda: load_batch(path), "test_batch")


def test_too_many_rows_for_a_cifar_batch(tmp_path):
    # A CIFAR-10 batch holds 10,000 rows; a larger one is not CIFAR-10 (and would be huge).
    path = write_batch(tmp_path / "data_batch_3", good_rows(10_001), [0] * 10_001)
    refused(lambda: load_batch(path), "data_batch_3", "10000")


@pytest.mark.parametrize("protocol", [0, 1, 2, 3, 4])
def test_genuine_batches_still_load(tmp_path, protocol):
    rows = good_rows(3)
    raw = pickle.dumps({b"data": rows, b"labels": [1, 2, 3]}, protocol=protocol)
    # Protocol 4 names globals with length-prefixed strings: no spelling can be swapped in.
    spellings = [b"numpy._core.multiarray"] + ([b"numpy.core.multiarray"] if protocol < 4 else [])
    for spelling in spellings:
        (tmp_path / "b").write_bytes(raw.replace(b"numpy._core.multiarray", spelling))
        images, labels = load_batch(str(tmp_path / "b"))
        assert images.shape == (3, 32, 32, 3) and labels.tolist() == [1, 2, 3]
        np.testing.assert_array_equal(images.transpose(0, 3, 1, 2).reshape(3, ROW), rows)


def test_python2_batches_with_bytes_for_str_still_load(tmp_path):
    # The published files come from Python 2: read with encoding="bytes", their str are bytes.
    dtype = Reduce(np.dtype, (b"u1", 0, 1), (3, b"|", None, None, None, -1, -1, 0))
    data = array_of((1, (2, ROW), dtype, False, good_rows(2).tobytes()))
    labels = array_of((1, (2,), Reduce(np.dtype, (b"i8", 0, 1),
                                       (3, b"<", None, None, None, -1, -1, 0)),
                       False, np.array([3, 4], "<i8").tobytes()))
    images, loaded = load_batch(write_batch(tmp_path / "b", data, labels))
    assert loaded.tolist() == [3, 4] and images.shape == (2, 32, 32, 3)


class Gadget:
    """A pickle that calls `func(*args)`: each would create `marker` if it ran."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def gadgets(marker, folder):
    """Pickled calls that would each create `marker`, by name of what they call."""
    import builtins
    import importlib

    from numpy.testing._private import utils as numpy_testing

    touch = f"open({str(marker)!r}, 'w').close()"
    inner = os.path.join(folder, "inner.npy")
    with open(inner, "wb") as f:  # a pickle that np.load(allow_pickle=True) would run
        pickle.dump(Gadget(os.system, f"touch {marker}"), f)
    return {
        "os.system": Gadget(os.system, f"touch {marker}"),
        "builtins.eval": Gadget(builtins.eval, touch),
        "builtins.exec": Gadget(builtins.exec, touch),
        "builtins.open": Gadget(builtins.open, str(marker), "w"),
        # Python's own import function, not `builtins.__import__`: PySide6's lazy import may
        # have replaced that one by a function pickle cannot name (an earlier test's Qt import).
        "builtins.getattr": Gadget(builtins.getattr, Gadget(importlib.__import__, "os"),
                                   "system"),
        "subprocess.call": Gadget(subprocess.call, ["touch", str(marker)]),
        "subprocess.Popen": Gadget(subprocess.Popen, ["touch", str(marker)]),
        "numpy.load(allow_pickle=True)": Gadget(np.load, inner, None, True),
        "numpy.testing runstring (exec)": Gadget(numpy_testing.runstring, touch, {}),
    }


@pytest.mark.parametrize("gadget", ["os.system", "builtins.eval", "builtins.exec",
                                    "builtins.open", "builtins.getattr", "subprocess.call",
                                    "subprocess.Popen", "numpy.load(allow_pickle=True)",
                                    "numpy.testing runstring (exec)"])
@pytest.mark.parametrize("where", ["data", "labels", "top level"])
def test_code_running_pickles_are_refused(tmp_path, gadget, where):
    marker = tmp_path / "pwned"
    payload = gadgets(marker, tmp_path)[gadget]
    path = tmp_path / "data_batch_4"
    if where == "top level":
        path.write_bytes(pickle.dumps(payload, protocol=2))
    else:
        write_batch(path, payload if where == "data" else good_rows(1),
                    payload if where == "labels" else [0])
    message = refused(lambda: load_batch(str(path)), "data_batch_4")
    assert "may be malicious" in message
    assert not marker.exists()


def test_codecs_encode_is_only_the_latin1_bytes_of_a_string(tmp_path):
    # _codecs.encode is allowed (Python 3 pickles bytes with it); any other codec is refused.
    import codecs

    evil = Reduce(codecs.encode, (b"x" * 100, "zlib_codec"))
    path = write_batch(tmp_path / "data_batch_5",
                       array_of((1, (1, ROW), dtype_of("u1"), False, evil)), [0])
    refused(lambda: load_batch(path), "data_batch_5")


@pytest.mark.parametrize("content", [b"", b"\x80\x02", b"not a pickle", b"\x80\x05N.",
                                     pickle.dumps([1, 2, 3], protocol=2),
                                     pickle.dumps({b"data": b"rows"}, protocol=2)])
def test_empty_truncated_or_other_pickles_are_refused(tmp_path, content):
    (tmp_path / "data_batch_1").write_bytes(content)
    refused(lambda: load_batch(str(tmp_path / "data_batch_1")), "data_batch_1")


def test_oversized_batch_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "data_batch_1"
    with open(path, "wb") as f:  # sparse: 2 GiB of nothing
        f.truncate(2 << 30)
    refused(lambda: load_batch(str(path)), "data_batch_1")


def test_folder_at_a_batch_name_is_refused(tmp_path):
    (tmp_path / "data_batch_1").mkdir()
    refused(lambda: load_batch(str(tmp_path / "data_batch_1")), "data_batch_1")


# --- tar: the CIFAR-10 archive -------------------------------------------------------------

def genuine_members() -> dict[str, bytes]:
    """The official archive's files, with 2-image batches."""
    batch = pickle.dumps({b"data": good_rows(2), b"labels": [0, 1]}, protocol=2)
    files = {name: batch for name in BATCHES}
    files.update({"batches.meta": pickle.dumps({b"label_names": [b"a"]}, protocol=2),
                  "readme.html": b"<html></html>"})
    return {f"cifar-10-batches-py/{name}": data for name, data in files.items()}


def write_archive(path, extra=(), files=None) -> str:
    """Writes a .tar.gz of `files` (default: genuine ones), then the TarInfo/bytes `extra`."""
    with tarfile.open(path, "w:gz", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(dir_info("cifar-10-batches-py"))
        for name, data in (genuine_members() if files is None else files).items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for info, data in extra:
            tar.addfile(info, None if data is None else io.BytesIO(data))
    return str(path)


def dir_info(name):
    info = tarfile.TarInfo(name)
    info.type, info.mode = tarfile.DIRTYPE, 0o755
    return info


def entry(name, kind=tarfile.REGTYPE, link="", size=None, pax=None):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    data = b"x" if kind == tarfile.REGTYPE else None
    info.size = len(data) if data is not None else 0
    if pax:
        info.pax_headers = pax
    return info, data


def sparse(name, size):
    """A GNU sparse member: 1 byte stored, `size` bytes once unpacked."""
    return entry(name, pax={"GNU.sparse.map": "0,1", "GNU.sparse.realsize": str(size)})


def cache_listing(cache) -> list[str]:
    return sorted(str(p.relative_to(cache)) for p in cache.rglob("*"))


def test_genuine_archive_unpacks_only_its_known_files(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    zeros = tarfile.TarInfo("cifar-10-batches-py/extra.bin")
    zeros.size = 2 << 20  # defect 4: such a member (300 MB of zeros) was kept in the cache
    extra = [(zeros, bytes(zeros.size)), entry("cifar-10-batches-py/notes.txt"),
             entry("elsewhere.txt"), (dir_info("cifar-10-batches-py/sub"), None),
             entry("cifar-10-batches-py/sub/data_batch_1")]
    write_archive(cache / "cifar-10-python.tar.gz", extra)
    assert len(load_dataset("cifar10", data_dir=str(cache), download=False)) == 10
    assert cache_listing(cache) == ["cifar-10-batches-py"] + sorted(
        f"cifar-10-batches-py/{n}" for n in BATCHES + ["batches.meta", "readme.html"]) + [
        "cifar-10-python.tar.gz"]


@pytest.mark.parametrize("case,extra", [
    ("sparse 10 GiB batch", [sparse("cifar-10-batches-py/data_batch_1", 10 << 30)]),
    ("sparse 10 GiB extra member", [sparse("cifar-10-batches-py/huge", 10 << 30)]),
    ("sparse member outside the folder", [sparse("huge", 10 << 30)]),
    ("too many entries", [entry(f"cifar-10-batches-py/x{i}") for i in range(80)]),
])
def test_oversized_archives_are_refused(tmp_path, case, extra):
    cache = tmp_path / "cache"
    cache.mkdir()
    path = write_archive(cache / "cifar-10-python.tar.gz", extra)
    refused(lambda: extract_archive(path, str(cache)), "cifar-10-python.tar.gz")
    assert cache_listing(cache) == ["cifar-10-python.tar.gz"]


@pytest.mark.parametrize("case,extra", [
    ("climbs out with ..", entry("cifar-10-batches-py/../../escaped")),
    ("absolute path", entry("/tmp/escaped-absolute-gan-studio")),
    ("Windows drive", entry("C:/escaped")),
    ("backslash ..", entry("cifar-10-batches-py\\..\\..\\escaped")),
    ("symlink out", entry("cifar-10-batches-py/link", tarfile.SYMTYPE, "../../escaped")),
    ("symlink at a batch name", entry("cifar-10-batches-py/test_batch", tarfile.SYMTYPE,
                                      "/etc/passwd")),
    ("hard link", entry("cifar-10-batches-py/hard", tarfile.LNKTYPE,
                        "cifar-10-batches-py/data_batch_1")),
    ("character device", entry("cifar-10-batches-py/zero", tarfile.CHRTYPE)),
    ("block device", entry("cifar-10-batches-py/disk", tarfile.BLKTYPE)),
    ("FIFO", entry("cifar-10-batches-py/fifo", tarfile.FIFOTYPE)),
])
def test_unsafe_tar_entries_are_refused(tmp_path, case, extra):
    cache = tmp_path / "a" / "cache"
    cache.mkdir(parents=True)
    path = write_archive(cache / "cifar-10-python.tar.gz", [extra])
    refused(lambda: load_dataset("cifar10", data_dir=str(cache), download=False),
            "cifar-10-python.tar.gz", "unsafe")
    assert cache_listing(tmp_path) == ["a", "a/cache", "a/cache/cifar-10-python.tar.gz"]
    assert not os.path.exists("/tmp/escaped-absolute-gan-studio")
    assert os.path.exists(path)


@pytest.mark.parametrize("case,content", [
    ("empty file", b""),
    ("text", b"not an archive\n" * 10),
    ("truncated", "truncate"),
    ("no batch folder", "empty"),
])
def test_broken_archives_are_refused(tmp_path, case, content):
    path = tmp_path / "cifar-10-python.tar.gz"
    if content == "truncate":
        write_archive(path)
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    elif content == "empty":
        write_archive(path, files={"other/readme.html": b"x"})
    else:
        path.write_bytes(content)
    refused(lambda: load_dataset("cifar10", data_dir=str(tmp_path), download=False),
            "cifar-10-python.tar.gz")
    assert not (tmp_path / "cifar-10-batches-py").exists()
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]


def test_incomplete_batch_folder_with_the_users_files_is_left_alone(tmp_path):
    # Defect 4: the incomplete folder was moved aside and deleted, with the user's files.
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    (folder / "my notes.txt").write_text("mine")
    (folder / "data_batch_1").write_bytes(b"partial")
    write_archive(tmp_path / "cifar-10-python.tar.gz")
    message = refused(lambda: load_dataset("cifar10", data_dir=str(tmp_path), download=False),
                      str(folder), "test_batch")
    assert "move or delete" in message
    assert (folder / "my notes.txt").read_text() == "mine"
    assert sorted(os.listdir(folder)) == ["data_batch_1", "my notes.txt"]
    assert sorted(os.listdir(tmp_path)) == ["cifar-10-batches-py", "cifar-10-python.tar.gz"]


def test_disk_full_while_unpacking_leaves_nothing(tmp_path, monkeypatch):
    import errno

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    path = write_archive(tmp_path / "cifar-10-python.tar.gz")
    monkeypatch.setattr(tarfile.TarFile, "extractall", full)
    refused(lambda: extract_archive(path, str(tmp_path)), "cifar-10-python.tar.gz",
            "No space left on device")
    assert os.listdir(tmp_path) == ["cifar-10-python.tar.gz"]


# --- npz: Keras' mnist.npz layout ----------------------------------------------------------

def npy_bytes(shape, data=None, descr="|u1", fortran=False) -> bytes:
    """A .npy member with any header; `data` defaults to exactly what the header claims."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": descr, "fortran_order": fortran, "shape": shape})
    if data is None:
        data = bytes(int(np.prod(shape)) * np.dtype(descr).itemsize)
    return header.getvalue() + data


def write_npz(path, members: dict, compression=zipfile.ZIP_STORED) -> str:
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return str(path)


def digits(n=4) -> bytes:
    return npy_bytes((n, 28, 28))


@pytest.mark.parametrize("case,members", [
    ("header claims 730 GiB", {"x_train.npy": npy_bytes((10**9, 28, 28), b"\0" * 100)}),
    ("header claims more than it holds", {"x_train.npy": npy_bytes((4, 28, 28), b"\0" * 99)}),
    ("data after the array", {"x_train.npy": digits() + b"extra"}),
    ("object array", {"x_train.npy": npy_bytes((1,), b"\x80\x02N.", "|O")}),
    ("structured array", {"x_train.npy": npy_bytes((4,), descr=[("a", "u1"), ("b", "u1")])}),
    ("strings", {"x_train.npy": npy_bytes((4, 28, 28), descr="<U1")}),
    ("datetimes", {"x_train.npy": npy_bytes((4, 28, 28), descr="<M8[s]")}),
    ("float images", {"x_train.npy": npy_bytes((4, 28, 28), descr="<f4")}),
    ("rank 2 images", {"x_train.npy": npy_bytes((4, 784))}),
    ("two channels", {"x_train.npy": npy_bytes((4, 28, 28, 2))}),
    ("bad magic", {"x_train.npy": b"\x93NUMPX" + digits()[6:]}),
    ("bad header", {"x_train.npy": b"\x93NUMPY\x01\x00\x10\x00{'descr': os.sy}\n"}),
    ("truncated header", {"x_train.npy": digits()[:20]}),
    ("empty member", {"x_train.npy": b""}),
    ("no x_train", {"x_test.npy": digits()}),
    ("labels of another length", {"x_train.npy": digits(4), "y_train.npy": npy_bytes((3,))}),
    ("float labels", {"x_train.npy": digits(4), "y_train.npy": npy_bytes((4,), descr="<f8")}),
    ("labels of rank 3", {"x_train.npy": digits(4), "y_train.npy": npy_bytes((4, 1, 1))}),
])
def test_forged_npz_members_are_refused(tmp_path, case, members):
    write_npz(tmp_path / "mnist.npz", members)
    refused(lambda: load_dataset("mnist", data_dir=str(tmp_path), download=False), "mnist.npz")


def test_npz_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, monkeypatch):
    from gan_studio.data import limits

    monkeypatch.setattr(limits, "memory_bytes", lambda: 8 << 20)  # an 8 MB computer
    path = write_npz(tmp_path / "mnist.npz", {"x_train.npy": npy_bytes((20_000, 28, 28))},
                     zipfile.ZIP_DEFLATED)  # 15 MB of zeros in 15 kB
    assert os.path.getsize(path) < 100_000
    refused(lambda: load_dataset("mnist", data_dir=str(tmp_path), download=False),
            "mnist.npz", "memory")


@pytest.mark.parametrize("declared", ["smaller", "larger", "over 1100 times the compressed"])
def test_npz_member_sizes_that_lie_are_refused(tmp_path, declared):
    member = digits(50)
    path = write_npz(tmp_path / "mnist.npz", {"x_train.npy": member}, zipfile.ZIP_DEFLATED)
    with zipfile.ZipFile(path) as archive:
        compressed = archive.getinfo("x_train.npy").compress_size
    size = {"smaller": len(member) // 2, "larger": len(member) + 1000,
            "over 1100 times the compressed": compressed * 1200}[declared]
    declare_member_size(path, "x_train.npy", size)
    refused(lambda: load_dataset("mnist", data_dir=str(tmp_path), download=False), "mnist.npz")


@pytest.mark.parametrize("case", ["plain .npy", "pickle", "empty", "text", "truncated zip",
                                  "encrypted member"])
def test_files_that_are_not_npz_archives_are_refused(tmp_path, case):
    path = tmp_path / "mnist.npz"
    if case == "plain .npy":
        np.save(tmp_path / "x.npy", np.zeros((3, 28, 28), np.uint8))
        os.replace(tmp_path / "x.npy", path)
    elif case == "pickle":
        path.write_bytes(pickle.dumps(Gadget(os.system, f"touch {tmp_path / 'pwned'}")))
    elif case == "text":
        path.write_text("x_train = [1, 2, 3]\n")
    elif case == "empty":
        path.write_bytes(b"")
    elif case == "truncated zip":
        write_npz(path, {"x_train.npy": digits(100)})
        path.write_bytes(path.read_bytes()[:3000])
    elif case == "encrypted member":
        write_npz(path, {"x_train.npy": digits()})
        data = bytearray(path.read_bytes())
        data[6] |= 1  # general purpose flag bit 0: encrypted
        central = data.rindex(b"PK\x01\x02")
        data[central + 8] |= 1
        path.write_bytes(bytes(data))
    refused(lambda: load_dataset("mnist", data_dir=str(tmp_path), download=False), "mnist.npz")
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("name,cached", [
    ("mnist", "mnist.npz"),
    ("fashion_mnist", "fashion-mnist/train-images-idx3-ubyte.gz"),
    ("cifar10", "cifar-10-python.tar.gz"),
])
@pytest.mark.parametrize("kind", ["folder", "broken link"])
def test_something_else_at_a_cached_files_path_is_not_downloaded_over(tmp_path, monkeypatch,
                                                                     name, cached, kind):
    # Defect 7: a folder at the mnist.npz path started a download (which then failed).
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("a download was started")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    path = tmp_path.joinpath(*cached.split("/"))
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "folder":
        path.mkdir()
    else:
        path.symlink_to(tmp_path / "nowhere")
    message = refused(lambda: load_dataset(name, data_dir=str(tmp_path)), path.name)
    assert "not a file" in message
    assert os.path.lexists(path) and not os.path.exists(str(path) + ".part")


def test_a_plain_npy_gets_a_message_saying_what_it_is(tmp_path):
    np.save(tmp_path / "x.npy", np.zeros((3, 28, 28), np.uint8))
    os.replace(tmp_path / "x.npy", tmp_path / "digits.npz")
    message = refused(lambda: load_dataset(str(tmp_path / "digits.npz")), "digits.npz")
    assert ".npy" in message and "savez" in message


def test_fortran_ordered_and_big_endian_npz_arrays_load(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint64).astype(np.uint8).reshape(2, 28, 28)
    labels = np.array([3, 7], dtype=">i4")
    np.savez(tmp_path / "d.npz", x_train=np.asfortranarray(images), y_train=labels)
    ds = load_dataset(str(tmp_path / "d.npz"))
    np.testing.assert_array_equal(ds.images[..., 0], images)
    assert ds.labels.tolist() == [3, 7] and ds.images.flags.writeable


# --- idx: MNIST's own format ---------------------------------------------------------------

def idx_header(code=0x08, dims=(2, 28, 28), zeros=b"\0\0") -> bytes:
    return zeros + bytes([code, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)


def idx_file(code=0x08, dims=(2, 28, 28), data=None, zeros=b"\0\0") -> bytes:
    itemsize = {0x08: 1, 0x09: 1, 0x0B: 2, 0x0C: 4, 0x0D: 4, 0x0E: 8}.get(code, 1)
    size = int(np.prod(dims, dtype=np.int64)) * itemsize if data is None else 0
    return idx_header(code, dims, zeros) + (bytes(size) if data is None else data)


@pytest.mark.parametrize("case,content", [
    ("zero bytes", b""),
    ("text", b"hello, these are not digits\n"),
    ("bad magic", idx_file(zeros=b"\x01\0")),
    ("unknown type code", idx_file(code=0x0A)),
    ("rank 0", idx_header(dims=())),
    ("rank 5", idx_file(dims=(1, 1, 1, 1, 1))),
    ("truncated header", idx_header()[:9]),
    ("header claims 10^12 bytes", idx_file(dims=(10**6, 10**3, 10**3), data=b"\0" * 100)),
    ("header claims 4 * 2^96 bytes", idx_file(dims=(2**32 - 1,) * 4, data=b"")),
    ("one byte short", idx_file()[:-1]),
    ("one byte over", idx_file() + b"\0"),
    ("gzip claims 10^12 bytes", "gzip-huge"),
    ("truncated gzip", "gzip-cut"),
    ("gzip of garbage", b"\x1f\x8b" + b"\0" * 40),
    ("int32 images", idx_file(code=0x0C)),
    ("float images", idx_file(code=0x0D)),
    ("rank 1 images", idx_file(dims=(784,))),
    ("two channels", idx_file(dims=(2, 28, 28, 2))),
])
def test_broken_idx_images_are_refused(tmp_path, case, content):
    import gzip

    if content == "gzip-cut":
        content = gzip.compress(idx_file(dims=(50, 28, 28)) + os.urandom(1000))[:300]
    elif content == "gzip-huge":
        content = gzip.compress(idx_file(dims=(10**6, 10**3, 10**3), data=b"\0" * 100))
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(content)
    refused(lambda: load_dataset(str(path)), "train-images-idx3-ubyte")


@pytest.mark.parametrize("case,labels", [
    ("count mismatch", idx_file(dims=(3,))),
    ("float labels", idx_file(code=0x0E, dims=(2,))),
    ("rank 2 labels", idx_file(dims=(2, 1))),
    ("truncated", idx_file(dims=(2,))[:-1]),
])
def test_broken_idx_labels_are_refused(tmp_path, case, labels):
    (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_file())
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(labels)
    refused(lambda: load_dataset(str(tmp_path / "train-images-idx3-ubyte")),
            "train-labels-idx1-ubyte")


def test_idx_larger_than_memory_is_refused_before_allocating(tmp_path, monkeypatch):
    import gzip

    from gan_studio.data import limits

    monkeypatch.setattr(limits, "memory_bytes", lambda: 1 << 20)
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_file(dims=(3000, 28, 28))))  # 2.4 MB in 3 kB
    refused(lambda: load_dataset(str(path)), "train-images-idx3-ubyte.gz", "memory")


# --- downloads -----------------------------------------------------------------------------

class FakeResponse(io.BytesIO):
    """What `urllib.request.urlopen` returns, serving `data` (headers: Content-Length)."""

    def __init__(self, data: bytes, length=None):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data) if length is None else length)}


class DownloadCancelled(Exception):
    """Like the window's own: a plain Exception raised from the progress callback."""


@pytest.fixture
def fake_server(monkeypatch):
    """Makes every URL serve 3 chunks of bytes, without a network; yields the URLs opened."""
    from gan_studio.data import download

    opened = []
    monkeypatch.setattr(download, "CHUNK_SIZE", 10)

    def urlopen(url, timeout=None):
        opened.append(url)
        return FakeResponse(b"0123456789" * 3)

    monkeypatch.setattr(download.urllib.request, "urlopen", urlopen)
    return opened


@pytest.mark.parametrize("error", [DownloadCancelled, KeyboardInterrupt, MemoryError,
                                   SystemExit])
def test_an_exception_from_the_progress_callback_leaves_no_part_file(tmp_path, fake_server,
                                                                    error):
    # Defect 9: only DatasetError and OSError removed <dest>.part.
    from gan_studio.data import download_file

    def progress(done, total):
        if done >= 20:
            raise error("stop")

    dest = tmp_path / "cache" / "x.bin"
    with pytest.raises(error):
        download_file("https://example.invalid/x.bin", str(dest), None, progress)
    assert fake_server and os.listdir(tmp_path / "cache") == []


def test_a_folder_at_the_destination_is_refused_before_downloading(tmp_path, fake_server):
    from gan_studio.data import download_file

    (tmp_path / "x.bin").mkdir()
    refused(lambda: download_file("https://example.invalid/x.bin", str(tmp_path / "x.bin"),
                                  None), "x.bin")
    assert fake_server == [] and os.listdir(tmp_path) == ["x.bin"]


@pytest.mark.parametrize("case", ["short transfer", "wrong digest", "folder is a file"])
def test_failed_downloads_leave_nothing_under_any_name(tmp_path, monkeypatch, fake_server,
                                                       case):
    from gan_studio.data import download, download_file

    if case == "short transfer":
        monkeypatch.setattr(download.urllib.request, "urlopen",
                            lambda url, timeout=None: FakeResponse(b"abc", length=1000))
    dest = tmp_path / "cache" / "x.bin"
    if case == "folder is a file":
        (tmp_path / "cache").write_bytes(b"")
    refused(lambda: download_file("https://example.invalid/x.bin", str(dest),
                                  "0" * 64 if case == "wrong digest" else None), "x.bin")
    assert [p.name for p in tmp_path.rglob("*")] == ["cache"]


# --- image folders and zips ----------------------------------------------------------------

def png(path, mode="RGB", size=(8, 8), color=(200, 30, 30), fmt=None):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, color).save(path, format=fmt)
    return path


def gradient(dtype, top: float) -> np.ndarray:
    """16x16 values from 0 to `top`, as `dtype`."""
    return np.linspace(0, top, 256).reshape(16, 16).astype(dtype)


@pytest.mark.parametrize("case,array,fmt,expected", [
    ("16-bit PNG (I;16)", gradient(np.uint16, 65535), "PNG", gradient(np.float64, 255)),
    ("16-bit big-endian TIFF (I;16B)", gradient(">u2", 65535), "TIFF",
     gradient(np.float64, 255)),
    ("32-bit integer TIFF (I) of 16-bit values", gradient(np.int32, 65535), "TIFF",
     gradient(np.float64, 255)),
    ("float TIFF (F) from 0 to 1", gradient(np.float32, 1), "TIFF", gradient(np.float64, 255)),
])
def test_deep_images_are_scaled_not_clipped(tmp_path, case, array, fmt, expected):
    # Defect 5: convert("L") clamps 16-bit values, so 99.6 % of a 16-bit PNG became 255.
    from PIL import Image

    Image.fromarray(array).save(tmp_path / "deep.png", format=fmt)  # any content, .png name
    ds = load_dataset(str(tmp_path), image_size=16)
    assert ds.images.shape == (1, 16, 16, 1)
    assert np.abs(ds.images[0, ..., 0].astype(float) - expected).max() <= 1.5
    rgb = load_dataset(str(tmp_path), image_size=16, channels=3)
    assert np.abs(rgb.images[0, ..., 1].astype(float) - expected).max() <= 1.5


def test_16bit_transparency_is_white(tmp_path):
    from PIL import Image

    image = Image.fromarray(gradient(np.uint16, 65535))
    image.save(tmp_path / "t.png", transparency=0)
    ds = load_dataset(str(tmp_path), image_size=16)
    assert ds.images[0, 0, 0, 0] == 255 and ds.images[0, 8, 8, 0] == 136  # 136 * 257


@pytest.mark.parametrize("case", ["zero bytes", "text named .png", "truncated PNG",
                                  "JPEG header only", "decompression bomb", "HTML named .jpg",
                                  "symlink loop", "broken symlink", "folder named .png",
                                  "unreadable file"])
def test_unreadable_images_are_skipped_and_named_when_none_is_left(tmp_path, case):
    bad = make_bad_image(tmp_path / "only", case)
    message = refused(lambda: load_dataset(str(tmp_path / "only"), image_size=8),
                      str(tmp_path / "only"))
    if case != "folder named .png":
        assert os.path.basename(bad) in message
    if case == "decompression bomb":
        assert "decompression bomb" in message
    png(tmp_path / "mixed" / "good.png")
    make_bad_image(tmp_path / "mixed", case)
    ds = load_dataset(str(tmp_path / "mixed"), image_size=8)
    assert len(ds) == 1 and ds.skipped == (0 if case == "folder named .png" else 1)


def make_bad_image(folder, case):
    import struct
    import zlib as z

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("bad.jpg" if "jpg" in case or "JPEG" in case else "bad.png")
    if case == "zero bytes":
        path.write_bytes(b"")
    elif case == "text named .png":
        path.write_text("this is not an image\n")
    elif case == "truncated PNG":
        data = png(folder / "x.tmp", size=(64, 64), fmt="PNG").read_bytes()
        os.unlink(folder / "x.tmp")
        path.write_bytes(data[: len(data) // 2])
    elif case == "JPEG header only":
        path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    elif case == "decompression bomb":  # 40000 x 40000 pixels claimed in 60 bytes
        chunks = [(b"IHDR", struct.pack(">IIBBBBB", 40_000, 40_000, 8, 0, 0, 0, 0)),
                  (b"IDAT", z.compress(bytes(100))), (b"IEND", b"")]
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"".join(
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", z.crc32(kind + data))
            for kind, data in chunks))
    elif case == "HTML named .jpg":
        path.write_text("<html><body>404 Not Found</body></html>")
    elif case == "symlink loop":
        path.symlink_to(path)
    elif case == "broken symlink":
        path.symlink_to(folder / "nowhere.png")
    elif case == "folder named .png":
        path.mkdir()
    elif case == "unreadable file":
        png(path)
        path.chmod(0)
        if os.access(path, os.R_OK):  # root reads anything: use a folder it cannot list
            path.chmod(0o644)
            path.unlink()
            path.symlink_to("/proc/self/mem")
    return str(path)


def finishes(call, fifo):
    """Runs `call` in a thread; if it hangs on `fifo`, releases it and fails the test."""
    import threading

    result = {}

    def run():
        try:
            result["value"] = call()
        except BaseException as err:  # handed back to the test below
            result["error"] = err

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(120)
    if thread.is_alive():
        with open(fifo, "wb"):  # a writer lets the blocked open() return
            pass
        thread.join()
        pytest.fail(f"loading hung on the FIFO {fifo.name}")
    if "error" in result:
        raise result["error"]
    return result["value"]


def test_a_fifo_named_png_is_skipped_without_opening_it(tmp_path):
    # Defect 7: opening a FIFO blocks until something writes to it: loading hung.
    png(tmp_path / "a.png")
    os.mkfifo(tmp_path / "b.png")
    ds = finishes(lambda: load_dataset(str(tmp_path), image_size=8), tmp_path / "b.png")
    assert len(ds) == 1 and ds.skipped == 1


@pytest.mark.parametrize("name", ["data.zip", "train-images-idx3-ubyte", "mnist.npz", "data"])
def test_a_fifo_as_the_source_is_refused(tmp_path, name):
    os.mkfifo(tmp_path / name)
    finishes(lambda: refused(lambda: load_dataset(str(tmp_path / name)), name),
             tmp_path / name)


def test_devices_named_png_are_skipped(tmp_path):
    png(tmp_path / "a.png")
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    (tmp_path / "tty.png").symlink_to("/dev/null")
    ds = load_dataset(str(tmp_path), image_size=8)
    assert len(ds) == 1 and ds.skipped == 2


def test_non_utf8_names_load_and_classes_can_be_shown(tmp_path):
    root = os.fsencode(tmp_path)
    for folder in (b"caf\xe9", b"plain"):
        os.mkdir(os.path.join(root, folder))
        png(tmp_path / "x.png")
        os.rename(tmp_path / "x.png", os.path.join(root, folder, b"\xff\xfe.png"))
    ds = load_dataset(str(tmp_path), image_size=8)
    assert len(ds) == 2 and ds.labels.tolist() == [0, 1]
    assert ds.classes[1] == "plain"
    for name in ds.classes:
        name.encode("utf-8")  # no lone surrogates: printable, and writable to config.json


def test_empty_and_image_less_folders_are_refused(tmp_path):
    (tmp_path / "empty").mkdir()
    refused(lambda: load_dataset(str(tmp_path / "empty")), "empty", "No images")
    (tmp_path / "other" / ".hidden").mkdir(parents=True)
    (tmp_path / "other" / ".hidden" / "a.png").write_bytes(b"")
    (tmp_path / "other" / "notes.txt").write_text("x")
    (tmp_path / "other" / "loop").symlink_to(tmp_path / "other")
    refused(lambda: load_dataset(str(tmp_path / "other")), "other", "No images")


@pytest.mark.parametrize("mode,color,expected", [
    ("CMYK", (0, 255, 255, 0), (255, 0, 0)),
    ("RGBA", (0, 0, 255, 0), (255, 255, 255)),
    ("LA", (0, 0), (255, 255, 255)),
    ("P", 3, None),
    ("1", 1, (255, 255, 255)),
    ("I;16", 65535, (255, 255, 255)),
])
def test_image_modes_become_8bit_rgb(tmp_path, mode, color, expected):
    from PIL import Image

    fmt = "JPEG" if mode == "CMYK" else "PNG"
    image = Image.new(mode, (8, 8), color)
    if mode == "P":
        image.putpalette([0, 0, 0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
        expected = (70, 80, 90)
    image.save(tmp_path / f"x.{fmt.lower()}", format=fmt, **({"quality": 100} if fmt == "JPEG"
                                                            else {}))
    ds = load_dataset(str(tmp_path), image_size=8, channels=3)
    assert np.abs(ds.images[0, 4, 4].astype(int) - expected).max() <= 3


def test_zip_entries_that_are_not_images_are_skipped(tmp_path):
    path = tmp_path / "pets.zip"
    good = io.BytesIO()
    from PIL import Image

    Image.new("RGB", (8, 8)).save(good, format="PNG")
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.png", good.getvalue())
        archive.writestr("b.png", b"")
        archive.writestr("c.png", b"<html>")
        archive.writestr("../d.png", good.getvalue())
        archive.writestr("/e.png", good.getvalue())
        info = zipfile.ZipInfo("link.png")
        info.external_attr = 0o120777 << 16  # a symlink entry: its content is the target
        archive.writestr(info, "/etc/passwd")
    ds = load_dataset(str(path), image_size=8)
    assert len(ds) == 1 and ds.skipped == 3



def png_bytes(size=(8, 8)) -> bytes:
    from PIL import Image

    data = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(data, format="PNG")
    return data.getvalue()


def image_zip(path, declared: int | None, with_good_image: bool) -> str:
    """A zip of images whose `big.png` (a real 64x64 PNG) declares `declared` bytes."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        if with_good_image:
            archive.writestr("a.png", png_bytes())
        archive.writestr("big.png", png_bytes((64, 64)))
    if declared is not None:
        declare_member_size(path, "big.png", declared)
    return str(path)


def test_a_zipped_image_declaring_more_than_the_cap_is_skipped_unread(tmp_path, monkeypatch):
    from gan_studio.data.limits import MAX_ZIPPED_IMAGE_BYTES

    read, real_read = [], zipfile.ZipFile.read

    def recorded_read(archive, name, pwd=None):
        read.append(getattr(name, "filename", name))
        return real_read(archive, name, pwd)

    monkeypatch.setattr(zipfile.ZipFile, "read", recorded_read)
    over = MAX_ZIPPED_IMAGE_BYTES + 1
    path = image_zip(tmp_path / "pets.zip", over, with_good_image=True)
    assert os.path.getsize(path) < 10_000  # the 256 MiB are only declared
    ds = load_dataset(path, image_size=8)
    assert len(ds) == 1 and ds.skipped == 1
    assert read == ["a.png"]  # big.png was refused from its header, never read
    alone = image_zip(tmp_path / "only.zip", over, with_good_image=False)
    refused(lambda: load_dataset(alone, image_size=8), "only.zip", "big.png",
            f"{over:,} bytes", "256 MiB")


def test_a_zipped_image_declaring_exactly_the_cap_is_read(tmp_path):
    from gan_studio.data.limits import MAX_ZIPPED_IMAGE_BYTES

    # Stored, so zipfile reads what the member holds and its CRC matches: the cap alone decides.
    path = tmp_path / "pets.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("big.png", png_bytes((64, 64)))
    declare_member_size(path, "big.png", MAX_ZIPPED_IMAGE_BYTES)
    ds = load_dataset(str(path), image_size=8)
    assert len(ds) == 1 and ds.skipped == 0


def test_a_zipped_image_holding_more_than_it_declares_is_skipped(tmp_path):
    # zipfile stops at the declared size, so the CRC no longer matches: one line, no traceback.
    path = image_zip(tmp_path / "pets.zip", 100, with_good_image=True)
    ds = load_dataset(path, image_size=8)
    assert len(ds) == 1 and ds.skipped == 1
    alone = image_zip(tmp_path / "only.zip", 100, with_good_image=False)
    refused(lambda: load_dataset(alone, image_size=8), "only.zip", "big.png", "CRC")

# --- what reaches the command line ---------------------------------------------------------

@pytest.mark.parametrize("source", ["", "  "])
def test_an_empty_data_set_name_is_refused_not_the_current_folder(tmp_path, monkeypatch,
                                                                  source):
    png(tmp_path / "a.png")
    monkeypatch.chdir(tmp_path)
    refused(lambda: load_dataset(source, image_size=8), "No data set")


def test_the_console_says_reading_images_for_a_folder_and_downloading_for_a_builtin(capsys):
    # Defect 7: decoding 5 local images showed "Downloading: 5.00/5.00 B".
    from gan_studio.cli.console import ConsoleProgress

    for dataset, expected, wrong in (("/data/faces", "Reading images", "Downloading"),
                                     ("mnist", "Downloading", "Reading images")):
        console = ConsoleProgress()
        console.dataset = dataset
        console.on_download(5, 5)
        err = capsys.readouterr().err
        assert expected in err and wrong not in err
        assert ("img/s" in err and "B/s" not in err) if dataset != "mnist" else "B/s" in err


def write_case(tmp_path, case: str) -> tuple[str, str]:
    """A broken data set of each family, for the command line: (source, file it names)."""
    if case == "malicious CIFAR batch":
        folder = tmp_path / "cifar"
        folder.mkdir()
        for name in BATCHES:
            write_batch(folder / name, good_rows(1), [0])
        (folder / "data_batch_3").write_bytes(pickle.dumps(
            Gadget(os.system, f"touch {tmp_path / 'pwned'}"), protocol=2))
        return str(folder), "data_batch_3"
    if case == "npz claiming 730 GiB":
        return write_npz(tmp_path / "big.npz",
                         {"x_train.npy": npy_bytes((10**9, 28, 28), b"\0" * 100)}), "big.npz"
    if case == "plain .npy named .npz":
        np.save(tmp_path / "x.npy", np.zeros((3, 28, 28), np.uint8))
        os.replace(tmp_path / "x.npy", tmp_path / "digits.npz")
        return str(tmp_path / "digits.npz"), "digits.npz"
    if case == "idx with a bad header":
        (tmp_path / "train-images-idx3-ubyte").write_bytes(idx_file(dims=(10**6, 10**3, 10**3),
                                                                    data=b""))
        return str(tmp_path / "train-images-idx3-ubyte"), "train-images-idx3-ubyte"
    folder = tmp_path / "pictures"  # "folder of broken images"
    (folder / "a.png").parent.mkdir()
    (folder / "a.png").write_text("not an image")
    return str(folder), "a.png"


@pytest.mark.parametrize("case", ["malicious CIFAR batch", "npz claiming 730 GiB",
                                  "plain .npy named .npz", "idx with a bad header",
                                  "folder of broken images"])
def test_the_cli_answers_broken_data_with_one_line_and_exit_code_2(tmp_path, capsys, case):
    from gan_studio.cli import main

    source, named = write_case(tmp_path, case)
    status = main(["train", "--dataset", source, "--data-dir", str(tmp_path / "cache"),
                   "--run-dir", str(tmp_path / "runs"), "--max-steps", "1"])
    err = capsys.readouterr().err
    assert status == 2, err
    lines = [line for line in err.strip().split("\n") if "Reading images" not in line]
    assert len(lines) == 1 and lines[0].startswith("gan-studio: error: ") and named in lines[0]
    assert "Traceback" not in err and not (tmp_path / "pwned").exists()


def test_pickled_label_arrays_come_back_writable(tmp_path):
    path = write_batch(tmp_path / "b", good_rows(2), np.array([4, 5]))
    _, labels = load_batch(path)
    labels[0] = 1  # a view of the pickle's bytes would be read-only
    assert labels.tolist() == [1, 5]


@pytest.mark.parametrize("target", [b"cnumpy\nndarray\n", b"cnumpy\ndtype\n",
                                    b"c_codecs\nencode\n", b"cnumpy.core.multiarray\n_reconstruct\n"])
def test_a_pickle_cannot_rewrite_the_stand_ins_for_later_files(tmp_path, target):
    # GLOBAL x; BUILD (None, {"__new__": None}): setattr on the class a global resolves to.
    evil = b"\x80\x02" + target + b"N}X\x07\x00\x00\x00__new__Ns\x86b."
    (tmp_path / "data_batch_1").write_bytes(evil)
    refused(lambda: load_batch(str(tmp_path / "data_batch_1")), "data_batch_1")
    path = write_batch(tmp_path / "data_batch_2", strided((2, ROW), dtype_of("u1"), (0, 0)),
                       [0, 1])
    refused(lambda: load_batch(path), "data_batch_2", "numpy.ndarray")
    good = write_batch(tmp_path / "data_batch_3", good_rows(2), [0, 1])
    assert load_batch(good)[1].tolist() == [0, 1]

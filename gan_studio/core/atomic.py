"""Atomic file writes: write to a temporary name in the same folder, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator


def _read_umask() -> int:
    # Set-and-restore is the only portable way to read it; done once, at import.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()


def _mode_for(path: str) -> int:
    """The permissions a new file at `path` would get, or those of the file it replaces."""
    try:
        return os.stat(path).st_mode & 0o7777
    except OSError:
        return 0o666 & ~_UMASK


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, suffix: str = "") -> Iterator[str]:
    """Yields a temporary path next to `path`; renames it onto `path` if the block succeeds.

    Args:
        path: the final destination.
        suffix: suffix for the temporary name (some writers infer the format from it).

    Yields:
        The temporary path to write to.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp" + suffix,
                               dir=folder)
    os.close(fd)
    try:
        yield tmp
        os.chmod(tmp, _mode_for(path))  # mkstemp's file is private (0600); the user's is not
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Writes `data` to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Writes `text` (UTF-8) to `path` atomically."""
    atomic_write_bytes(path, text.encode("utf-8"))


def describe_os_error(exc: OSError) -> str:
    """An OSError in one line for the user: "No space left on device: /path/to/file".

    Without "[Errno 28]"; and without the name of `atomic_path`'s temporary file, which would
    mislead (the caller names the file the user chose): then the reason alone.
    """
    if not exc.strerror:
        return str(exc).strip() or type(exc).__name__
    name = os.path.basename(str(exc.filename or ""))
    if exc.filename and not (name.startswith(".") and ".tmp" in name):
        return f"{exc.strerror}: {exc.filename}"
    return exc.strerror

"""Streaming, cancellable, SHA-256-checked downloads into the data cache."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import threading
import urllib.error
import urllib.request
from collections.abc import Callable

from gan_studio.data.errors import DatasetCancelledError, DatasetError, DataUnavailableError

ProgressCallback = Callable[[int, int], None]

CHUNK_SIZE = 1 << 20


def download_file(url: str, dest: str, sha256: str | None,
                  progress: ProgressCallback | None = None,
                  cancel: threading.Event | None = None, timeout: float = 30) -> str:
    """Downloads `url` to `dest`, checking its SHA-256 digest.

    The bytes are streamed into `<dest>.part`, which is renamed onto `dest` only once the
    digest matches, so `dest` is never a partial file; whatever stops the download (an
    error, a cancel, an exception raised by `progress`, Ctrl-C) the `.part` file is removed
    and the exception goes on.

    Args:
        url: address to fetch (`https://`, `http://` or `file://`).
        dest: final path of the file; its folder is created if needed.
        sha256: expected hex digest of the whole file, or None to skip the check.
        progress: called as `progress(bytes_done, bytes_total)` after each chunk;
            `bytes_total` is 0 when the server does not tell the size.
        cancel: when set, the download stops at the next chunk.
        timeout: seconds to wait for the connection and for each read.

    Returns:
        `dest`.

    Raises:
        DataUnavailableError: if the server cannot be reached or the transfer breaks off;
            its message names `url` and `dest`, where the user may put the file by hand.
        DatasetCancelledError: if `cancel` was set (message "download cancelled").
        DatasetError: if the digest does not match, or `dest` cannot be written (or is a
            folder).
    """
    dest = os.path.abspath(dest)
    part = dest + ".part"
    if os.path.isdir(dest):
        raise DatasetError(f"{dest} is a folder, so nothing can be downloaded there: move it "
                           "away and try again.")
    try:
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        digest = _fetch(url, dest, part, progress, cancel, timeout)
        if sha256 is not None and digest != sha256.lower():
            raise DatasetError(
                f"The download of {url} is corrupt (its SHA-256 is {digest}, expected "
                f"{sha256}), so it was deleted; please try again.")
        os.replace(part, dest)
    except OSError as err:
        _remove_quietly(part)
        raise DatasetError(f"Could not write {dest}: {err.strerror or err}.") from err
    # Whatever stops it, a cancel raised by the progress callback or Ctrl-C included, no
    # partial file is left behind.
    except BaseException:
        _remove_quietly(part)
        raise
    return dest


def _fetch(url: str, dest: str, part: str, progress: ProgressCallback | None,
           cancel: threading.Event | None, timeout: float) -> str:
    """Streams `url` into `part`; returns the hex SHA-256 of what was written."""
    _check_cancel(cancel)
    try:
        response = urllib.request.urlopen(url, timeout=timeout)
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as err:
        raise DataUnavailableError(url, dest, _reason(err)) from err
    hasher = hashlib.sha256()
    with response, open(part, "wb") as out:
        total = _content_length(response)
        done = 0
        while True:
            _check_cancel(cancel)
            try:
                chunk = response.read(CHUNK_SIZE)
            except (OSError, http.client.HTTPException) as err:
                raise DataUnavailableError(url, dest, _reason(err)) from err
            if not chunk:
                break
            out.write(chunk)
            hasher.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        if total and done != total:
            raise DataUnavailableError(
                url, dest, f"the transfer stopped after {done} of {total} bytes")
        out.flush()
        os.fsync(out.fileno())
    return hasher.hexdigest()


def _check_cancel(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise DatasetCancelledError("download cancelled")


def _content_length(response) -> int:
    try:
        return max(0, int(response.headers.get("Content-Length") or 0))
    except (TypeError, ValueError):
        return 0


def _reason(err: BaseException) -> str:
    if isinstance(err, urllib.error.HTTPError):
        return f"the server answered {err.code} {err.reason}"
    if isinstance(err, urllib.error.URLError):
        if not isinstance(err.reason, BaseException):
            return str(err.reason)
        err = err.reason
    if isinstance(err, TimeoutError):
        return "the connection timed out"
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    return str(err) or type(err).__name__


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):  # absent, or its folder could never be made
        os.unlink(path)

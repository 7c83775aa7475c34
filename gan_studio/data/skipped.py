"""Why an image file was left out of a data set: one small record per file, which the command
line, the run folder's skipped.txt and the window show."""

from __future__ import annotations

import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from gan_studio.data import limits

CORRUPT, EMPTY, NOT_AN_IMAGE, TOO_LARGE, UNREADABLE = (
    "corrupt", "empty", "not an image", "too large", "unreadable")
REASONS = (CORRUPT, EMPTY, NOT_AN_IMAGE, TOO_LARGE, UNREADABLE)


@dataclass(frozen=True)
class SkippedFile:
    """An image file left out of a data set, and why.

    Frozen and made of strings only: it travels in a trainer's event from the training thread
    to the window as it is.

    Args:
        path: the file, relative to the folder or the zip, `/`-separated and printable.
        reason: one of `REASONS`: `corrupt`, `empty`, `not an image`, `too large`,
            `unreadable` (it could not be opened: permissions, a broken link, a FIFO).
        message: one line saying what was wrong, e.g. `corrupt (broken PNG file)`.
    """

    path: str
    reason: str
    message: str

    def line(self) -> str:
        """The file's line in skipped.txt: its path, a tab, and the message."""
        return f"{self.path}\t{self.message}"


class TooLargeError(ValueError):
    """Raised by a reader that refuses a file from its size alone, before reading it."""


def printable_path(path: str) -> str:
    """`path` with control characters escaped (`\\n` as two characters): one line, always."""
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in path)


def opening_failure(path: str, err: Exception) -> SkippedFile:
    """The record of a file that could not be opened or read (before Pillow saw it)."""
    if isinstance(err, TooLargeError):
        return SkippedFile(path, TOO_LARGE, f"too large ({err})")
    if isinstance(err, (zipfile.BadZipFile, zlib.error, EOFError)):  # a zip member's bytes
        return SkippedFile(path, CORRUPT, f"corrupt ({_first_line(err)})")
    return SkippedFile(path, UNREADABLE, f"unreadable ({_first_line(err)})")


def decoding_failure(path: str, err: Exception) -> SkippedFile:
    """The record of a file that Pillow could not decode."""
    if isinstance(err, UnidentifiedImageError):  # its message names a file object
        return SkippedFile(path, NOT_AN_IMAGE, "not an image file Pillow can read")
    if isinstance(err, Image.DecompressionBombError):  # its header claims ~180 megapixels +
        return SkippedFile(path, TOO_LARGE, f"too large (more than the "
                           f"{limits.describe_pixel_limit()} pixels an image may have; Pillow "
                           "refused it as a possible decompression bomb)")
    if isinstance(err, OSError) and err.errno is not None:  # the system's: EIO, EINVAL...
        return SkippedFile(path, UNREADABLE, f"unreadable ({_first_line(err)})")
    return SkippedFile(path, CORRUPT, f"corrupt ({_first_line(err)})")


def empty_file(path: str) -> SkippedFile:
    """The record of a file of 0 bytes."""
    return SkippedFile(path, EMPTY, "empty (0 bytes)")


def too_many_pixels(path: str, width: int, height: int) -> SkippedFile | None:
    """The record of an image over `limits.MAX_IMAGE_PIXELS`, or None if it is within it."""
    if width * height <= limits.MAX_IMAGE_PIXELS:
        return None
    return SkippedFile(path, TOO_LARGE, f"too large ({width} × {height} pixels, more than the "
                       f"{limits.describe_pixel_limit()} an image may have)")


def _first_line(err: Exception) -> str:
    if isinstance(err, OSError) and err.strerror:
        return err.strerror.lower()
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


def skipped_summary(files: Sequence[SkippedFile], count: int | None = None,
                    shown: int = 3) -> str:
    """One line: `4 image files skipped: a.png (corrupt), b.jpg (empty), … and 1 more`.

    Args:
        files: the records (possibly only the first of them).
        count: how many files were skipped in all (default: `len(files)`).
        shown: how many are named.
    """
    count = len(files) if count is None else count
    named = ", ".join(f"{f.path} ({f.reason})" for f in files[:shown])
    more = f" and {count - min(shown, len(files)):,} more" if count > min(shown, len(files)) \
        else ""
    return f"{count:,} image file{'s' if count != 1 else ''} skipped: {named}{more}"


def skipped_list_text(source: str, files: Sequence[SkippedFile]) -> str:
    """The contents of a run's skipped.txt: a comment line, then one line per file."""
    header = (f"# Image files of {printable_path(source)} left out of training, one a line: "
              "the path, a tab, why.\n")
    return header + "".join(f.line() + "\n" for f in files)


def read_skipped_list(path: str, limit: int = 1000) -> dict | None:
    """Reads a run's skipped.txt back, as the `skipped` event's data (for a reopened run).

    Read defensively: at most 4 MiB; lines without a tab are passed over; a reason is the
    one its message starts with (`unreadable` if none does).

    Args:
        path: the skipped.txt.
        limit: how many records to return at most (`count` says how many the file lists).

    Returns:
        `{"files", "count", "path", "dataset"}`, or None when there is no such readable file
        or it lists no file.
    """
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            text = f.read(4 << 20)
    except OSError:
        return None
    lines = text.splitlines()
    files = []
    for line in lines:
        name, tab, message = line.partition("\t")
        if line.startswith("#") or not tab or not name or not message:
            continue
        reason = next((r for r in REASONS if message.startswith(r)), UNREADABLE)
        files.append(SkippedFile(name, reason, message))
    if not files:
        return None
    head = lines[0] if lines and lines[0].startswith("# Image files of ") else ""
    dataset = head[len("# Image files of "):].split(" left out of training")[0] if head else ""
    return {"files": tuple(files[:limit]), "count": len(files), "path": path,
            "dataset": dataset or "the data set"}

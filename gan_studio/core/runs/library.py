"""The runs library's files: which folders are runs, when one changed, its thumbnail, and what
the user does to one (a note, a new name, the trash).

A runs folder holds run folders (a `config.json` each) and sweep folders (a `sweep.json`,
`SWEEP_FILE`) whose run folders sit one level down; `scan_runs` lists both kinds.
`change_signature` is a few `stat` calls: a reader compares it with the one it read a summary
at and reads again only the folders that changed.

Example:

```python
for run_dir in scan_runs([runs_dir]):
    summary = read_summary(run_dir)
rename_run(run_dir, "mnist-hinge")        # -> the new path
```
"""

from __future__ import annotations

import os

import numpy as np

from gan_studio.core.atomic import atomic_write_text, describe_os_error
from gan_studio.core.runs.layout import (
    CONFIG_FILE,
    LAST_GRID,
    METRICS_FILE,
    NOTE_FILE,
    QUALITY_FILE,
    SAMPLES_DIR,
    files_signature,
    is_run_dir,
    is_sweep_dir,
)
from gan_studio.core.runs.run_summary import (  # noqa: F401 - the library's one import
    MAX_NOTE_BYTES,
    RunSummary,
    read_note,
    read_summary,
)
from gan_studio.core.runs.trained_time import TRAINED_TIME_FILE

THUMBNAIL_SIZE = 64  # pixels, the longer side
MAX_GRID_BYTES = 64 << 20  # a sample grid PNG is at most a few MB
_SIGNED = (CONFIG_FILE, METRICS_FILE, QUALITY_FILE, NOTE_FILE, TRAINED_TIME_FILE,
           os.path.join(SAMPLES_DIR, LAST_GRID), SAMPLES_DIR)


class LibraryError(ValueError):
    """What the user asked of a run folder cannot be done (the message is one line)."""


def _subfolders(folder: str) -> list[str]:
    try:
        with os.scandir(folder) as entries:
            return sorted(e.path for e in entries if e.is_dir() and not e.name.startswith("."))
    except OSError:
        return []


def scan_runs(roots: list[str]) -> list[str]:
    """The run folders in `roots`: each root's own run folders and those of its sweep folders.

    Args:
        roots: runs folders (missing ones are skipped); a root that is itself a run folder
            counts as one.

    Returns:
        Absolute real paths, each once, in the order found (a root's, sorted by name).
    """
    found, seen = [], set()

    def add(path: str) -> None:
        real = os.path.realpath(path)
        if real not in seen and is_run_dir(real):
            seen.add(real)
            found.append(real)

    for root in roots:
        if not root:
            continue
        if is_run_dir(root):
            add(root)
            continue
        for folder in _subfolders(os.path.expanduser(root)):
            if is_sweep_dir(folder):
                for run_dir in _subfolders(folder):
                    add(run_dir)
            else:
                add(folder)
    return found


def sweep_folders(roots: list[str]) -> list[str]:
    """The sweep folders directly in `roots` (what a file watcher watches besides them)."""
    return [folder for root in roots if root
            for folder in _subfolders(os.path.expanduser(root)) if is_sweep_dir(folder)]


def change_signature(run_dir: str | os.PathLike) -> tuple:
    """A value that changes when any file a summary reads changes (times and sizes)."""
    return files_signature(run_dir, _SIGNED)


def read_thumbnail(path: str | None, size: int = THUMBNAIL_SIZE) -> np.ndarray | None:
    """A sample grid PNG shrunk to fit `size` pixels: uint8 (H, W) grey or (H, W, 3), or None
    when there is no file or it cannot be read."""
    if not path:
        return None
    from PIL import Image

    try:
        if os.path.getsize(path) > MAX_GRID_BYTES:
            return None
        with Image.open(path) as image:
            image.draft("RGB", (size, size))  # JPEG decodes smaller; PNG ignores it
            image = image.convert("L" if image.mode in ("L", "1", "I;16", "I") else "RGB")
            image.thumbnail((size, size), Image.Resampling.BILINEAR)
            return np.asarray(image, dtype=np.uint8).copy()
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        return None


def write_note(run_dir: str | os.PathLike, text: str) -> None:
    """Saves the user's note on a run (NOTE_FILE), atomically; a blank note removes the file.

    Raises:
        LibraryError: if the note is too long or cannot be written (one line naming the file).
    """
    path = os.path.join(run_dir, NOTE_FILE)
    text = text.strip()
    try:
        if not text:
            if os.path.exists(path):
                os.remove(path)
            return
        if len(text.encode("utf-8")) > MAX_NOTE_BYTES:
            raise LibraryError(f"The note is too long: at most {MAX_NOTE_BYTES // 1024} KB.")
        atomic_write_text(path, text + "\n")
    except OSError as exc:
        raise LibraryError(f"Cannot save the note {path}: {describe_os_error(exc)}") from None


def rename_run(run_dir: str | os.PathLike, new_name: str) -> str:
    """Renames a run folder within its folder.

    Args:
        run_dir: the run folder.
        new_name: its new folder name.

    Returns:
        The new path.

    Raises:
        LibraryError: for an empty name, one with a path separator, a name in use, a run of a
            sweep (its plan names its runs) or a rename the system refuses (one line).
    """
    run_dir = os.path.abspath(os.fspath(run_dir))
    name = new_name.strip()
    if not name or name in (".", ".."):
        raise LibraryError("A run needs a name.")
    if any(sep and sep in name for sep in ("/", "\\", os.sep, os.altsep)) or "\0" in name:
        raise LibraryError(f"{name!r}: a run's name cannot hold a path separator.")
    parent = os.path.dirname(run_dir)
    if is_sweep_dir(parent):
        raise LibraryError(f"{os.path.basename(run_dir)} belongs to the sweep "
                           f"{os.path.basename(parent)}, whose plan names its runs: it keeps "
                           "its name.")
    target = os.path.join(parent, name)
    if name == os.path.basename(run_dir):
        return run_dir
    if os.path.lexists(target):
        raise LibraryError(f"{target} already exists: choose another name.")
    try:
        os.rename(run_dir, target)
    except OSError as exc:
        raise LibraryError(f"Cannot rename {run_dir}: {describe_os_error(exc)}") from None
    return target


def trash_run(run_dir: str | os.PathLike) -> None:
    """Moves a run folder to the system's trash (send2trash).

    Raises:
        LibraryError: if it cannot be moved (one line naming the folder): no send2trash, no
            trash on its drive, no permission.
    """
    run_dir = os.path.abspath(os.fspath(run_dir))
    if not is_run_dir(run_dir):
        raise LibraryError(f"{run_dir} is not a run folder (no {CONFIG_FILE}): left alone.")
    try:
        from send2trash import send2trash
    except ImportError:
        raise LibraryError("Moving runs to the trash needs the send2trash package "
                           "(pip install send2trash).") from None
    try:
        send2trash(run_dir)
    except OSError as exc:  # send2trash's TrashPermissionError is one
        raise LibraryError(f"Cannot move {run_dir} to the trash: "
                           f"{describe_os_error(exc)}") from None
    except Exception as exc:  # noqa: BLE001 - a platform's own error, told in one line
        raise LibraryError(f"Cannot move {run_dir} to the trash: {exc}") from None

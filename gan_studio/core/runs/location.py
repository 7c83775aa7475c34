"""Where runs go by default, one answer for the window and the command line, and the runs a
runs folder holds.

The default is `<Documents>/GAN Studio/runs`, the Documents folder being the one Qt's
`QStandardPaths.DocumentsLocation` names on each system (this module knows no Qt, so that
`gan-studio train` finds the same folder without loading it): on Linux the xdg-user-dirs
entry `XDG_DOCUMENTS_DIR` of `$XDG_CONFIG_HOME/user-dirs.dirs`, else `~/Documents`; on
Windows the Documents known folder (which OneDrive may have moved); on macOS `~/Documents`.
`$GAN_STUDIO_RUNS_DIR` replaces the whole default (tests, shared machines).
"""

from __future__ import annotations

import os
import re
import sys

from gan_studio.core.runs.layout import CONFIG_FILE, METRICS_FILE

RUNS_DIR_ENV = "GAN_STUDIO_RUNS_DIR"
MAX_USER_DIRS_BYTES = 64 * 1024  # user-dirs.dirs is a dozen short lines
_USER_DIR_LINE = re.compile(r"^XDG_(.*)_DIR=(.*)$")


def default_runs_dir() -> str:
    """`$GAN_STUDIO_RUNS_DIR`, else `<Documents>/GAN Studio/runs`: where new runs go unless
    the user names a folder (the window's Runs field, `gan-studio train --run-dir`)."""
    override = os.environ.get(RUNS_DIR_ENV, "").strip()
    if override:
        return os.path.abspath(os.path.expanduser(override))
    return os.path.join(documents_dir(), "GAN Studio", "runs")


def _home() -> str:
    # Qt's home: $HOME, cleaned; Python's user database where it is unset.
    return os.path.normpath(os.environ.get("HOME") or os.path.expanduser("~"))


def documents_dir() -> str:
    """The user's Documents folder, as `QStandardPaths.DocumentsLocation` finds it."""
    if sys.platform == "win32":
        return _windows_documents() or os.path.join(os.path.expanduser("~"), "Documents")
    if sys.platform != "darwin":
        found = _xdg_documents()
        if found is not None:
            return found
    return os.path.join(_home(), "Documents")


def _xdg_documents() -> str | None:
    """The `XDG_DOCUMENTS_DIR` of user-dirs.dirs, read as Qt reads it: the last such line,
    its quotes dropped, `$HOME` at its start replaced, a trailing slash removed."""
    config = os.environ.get("XDG_CONFIG_HOME", "")
    if not config.startswith("/"):  # the spec: a relative path is ignored
        config = os.path.join(_home(), ".config")
    try:
        with open(os.path.join(config, "user-dirs.dirs"), "rb") as f:
            text = f.read(MAX_USER_DIRS_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return None
    result = None
    for line in text.splitlines():
        match = _USER_DIR_LINE.match(line)
        if match and match.group(1) == "DOCUMENTS":
            value = match.group(2)
            if len(value) > 2 and value.startswith('"') and value.endswith('"'):
                value = value[1:-1]
            result = _home() + value[5:] if value.startswith("$HOME") else value
            if len(result) > 1 and result.endswith("/"):
                result = result[:-1]
    return result


def _windows_documents() -> str | None:
    """The Documents known folder (`SHGetKnownFolderPath`, as Qt asks), or None."""
    try:
        import ctypes
        import uuid
        from ctypes import wintypes

        folder_id = (ctypes.c_byte * 16).from_buffer_copy(
            uuid.UUID("FDD39AD0-238F-46AF-ADB4-6C85480369C7").bytes_le)  # FOLDERID_Documents
        path = ctypes.c_wchar_p()
        shell32 = ctypes.windll.shell32
        dont_verify = 0x4000  # KF_FLAG_DONT_VERIFY, as Qt passes it
        if shell32.SHGetKnownFolderPath(ctypes.byref(folder_id), wintypes.DWORD(dont_verify),
                                        None, ctypes.byref(path)) != 0:
            return None
        try:
            return path.value or None
        finally:
            ctypes.windll.ole32.CoTaskMemFree(path)
    except (AttributeError, OSError, ValueError):  # no shell32: not a Windows desktop
        return None


def run_activity(run_dir: str | os.PathLike) -> float | None:
    """When a run last changed: the later time of its config.json and its metrics.csv (which
    training appends to); None for a folder that is not a run (no config.json)."""
    times = []
    for name in (CONFIG_FILE, METRICS_FILE):
        try:
            times.append(os.stat(os.path.join(run_dir, name)).st_mtime)
        except OSError:
            if not times:
                return None
    return max(times)


def find_runs(runs_dir: str | os.PathLike, limit: int) -> list[str]:
    """The run folders directly in `runs_dir`, most recently active first (`run_activity`),
    `limit` at most; [] for a missing folder."""
    try:
        paths = [entry.path for entry in os.scandir(runs_dir) if entry.is_dir()]
    except OSError:
        return []
    found = sorted(((run_activity(path), path) for path in paths), reverse=True,
                   key=lambda pair: pair[0] or 0.0)
    return [os.path.abspath(path) for time, path in found if time is not None][:limit]

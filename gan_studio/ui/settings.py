"""Typed access to the app's persistent settings (QSettings)."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QByteArray, QSettings

# The command line's default too: one place, without Qt (`core/runs/location.py`).
from gan_studio.core.runs.location import default_runs_dir

MAX_RECENT_RUNS = 10
DATA_DIR_ENV = "GAN_STUDIO_DATA_DIR"


def default_data_dir_text() -> str:
    """Describes where data sets go when no folder is chosen: $GAN_STUDIO_DATA_DIR or Keras' cache."""
    env = os.environ.get(DATA_DIR_ENV)
    return f"{env} (from {DATA_DIR_ENV})" if env else "Keras' cache (~/.keras/datasets)"


class AppSettings:
    """Window state, training form values, folders and recent runs, kept in QSettings.

    Values are parsed defensively: a missing or malformed entry reads as its default.

    Args:
        settings: the store to use; by default the application's (organisation and app name).
    """

    def __init__(self, settings: QSettings | None = None):
        self._s = settings if settings is not None else QSettings()

    def sync(self) -> None:
        """Writes pending changes to disk."""
        self._s.sync()

    # ---- window ---------------------------------------------------------------------------
    def window_geometry(self) -> QByteArray | None:
        """The main window's saved geometry, or None."""
        return self._bytes("window/geometry")

    def window_state(self) -> QByteArray | None:
        """The main window's saved dock and toolbar state, or None."""
        return self._bytes("window/state")

    def set_window(self, geometry: QByteArray, state: QByteArray) -> None:
        """Saves the main window's geometry and dock state."""
        self._s.setValue("window/geometry", geometry)
        self._s.setValue("window/state", state)

    # ---- training form --------------------------------------------------------------------
    def form(self) -> dict:
        """The training form's last values (dataset, preset, hyper-parameters), or {}."""
        try:
            data = json.loads(str(self._s.value("training/form", "{}")))
        except (TypeError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def set_form(self, values: dict) -> None:
        """Saves the training form's values (JSON-serialisable)."""
        self._s.setValue("training/form", json.dumps(values, sort_keys=True))

    # ---- folders --------------------------------------------------------------------------
    def data_dir(self) -> str:
        """The data-set folder the user chose, or "" for the default (see `default_data_dir`)."""
        return self._str("folders/data")

    def set_data_dir(self, path: str) -> None:
        """Saves the data-set folder ("" for the default)."""
        self._s.setValue("folders/data", path)

    def runs_dir(self) -> str:
        """Where new runs are created."""
        return self._str("folders/runs") or default_runs_dir()

    def set_runs_dir(self, path: str) -> None:
        """Saves the runs folder."""
        self._s.setValue("folders/runs", path)

    def library_folders(self) -> list[str]:
        """The folders of runs the runs library lists besides the runs folder."""
        value = self._s.value("folders/library", [])
        if isinstance(value, str):
            value = [value]
        return [p for p in value if isinstance(p, str) and p] if isinstance(value, list) else []

    def set_library_folders(self, folders: list[str]) -> None:
        """Saves the runs library's extra folders."""
        self._s.setValue("folders/library", list(folders))

    def last_dir(self, purpose: str) -> str:
        """The folder last used in a file dialog for `purpose` (e.g. "images"), or home."""
        return self._str(f"folders/last_{purpose}") or os.path.expanduser("~")

    def set_last_dir(self, purpose: str, path: str) -> None:
        """Remembers the folder of a file the user chose for `purpose`."""
        self._s.setValue(f"folders/last_{purpose}", os.path.dirname(path) or path)

    # ---- recent runs ----------------------------------------------------------------------
    def recent_runs(self) -> list[str]:
        """Recently opened or trained run folders, newest first (missing folders dropped)."""
        value = self._s.value("runs/recent", [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            return []
        return [p for p in value if isinstance(p, str) and os.path.isdir(p)][:MAX_RECENT_RUNS]

    def add_recent_run(self, run_dir: str) -> None:
        """Puts `run_dir` at the top of the recent runs."""
        run_dir = os.path.abspath(run_dir)
        runs = [run_dir] + [p for p in self.recent_runs() if os.path.abspath(p) != run_dir]
        self._s.setValue("runs/recent", runs[:MAX_RECENT_RUNS])

    def clear_recent_runs(self) -> None:
        """Forgets the recent runs."""
        self._s.setValue("runs/recent", [])

    # ---- helpers --------------------------------------------------------------------------
    def _str(self, key: str) -> str:
        value = self._s.value(key, "")
        return value if isinstance(value, str) else ""

    def _bytes(self, key: str) -> QByteArray | None:
        value = self._s.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

"""Asking where to save, and at what scale: the dialogs every Save and Export action uses."""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QWidget,
)


def ask_save_path(parent: QWidget | None, title: str, start_dir: str, default_name: str,
                  filters: dict[str, str]) -> str | None:
    """Asks where to save, offering one format or several; completes a missing extension.

    The file dialog confirms overwriting the name typed; when the extension is added here, an
    existing file of the completed name is confirmed here.

    Args:
        parent: the dialog's parent.
        title: the dialog's title.
        start_dir: the folder it opens in.
        default_name: the file name it proposes.
        filters: name filter (`"PNG images (*.png)"`) -> the extension it adds (`".png"`); the
            first is the default, and any extension the filters name is accepted as typed.

    Returns:
        The path, or None if cancelled (or a replacement of an existing file was declined).
    """
    path, chosen = QFileDialog.getSaveFileName(
        parent, title, os.path.join(start_dir, default_name), ";;".join(filters))
    if not path:
        return None
    accepted = {ext for name in filters for ext in _extensions(name)} | set(filters.values())
    if os.path.splitext(path)[1].lower() in accepted:
        return path
    path += filters.get(chosen, next(iter(filters.values())))
    if os.path.exists(path):
        answer = QMessageBox.question(
            parent, title, f"{os.path.basename(path)} already exists. Replace it?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Yes:
            return None
    return path


class SaveFolders:
    """Where save dialogs open: beside the run at hand, or where the user saved last.

    The first save of a session goes into the run's folder, where its samples and
    checkpoints are (not the home folder). Once the user saves elsewhere for a purpose
    ("images", "latents"), that purpose's dialogs open there while the run stays the same;
    another run's start in its own folder again. Without a run: the folder saved in last,
    in this session or an earlier one (`AppSettings.last_dir`), or home.

    Args:
        settings: the `AppSettings`, which keep the last folder across sessions.
        run_dir: returns the folder of the run at hand, or None.
    """

    def __init__(self, settings, run_dir):
        self._settings, self._run_dir = settings, run_dir
        self._chosen: dict[str, tuple[str | None, str]] = {}  # purpose -> (run, folder)

    def _run(self) -> str | None:
        run = self._run_dir()
        return os.path.normpath(run) if run and os.path.isdir(run) else None

    def start(self, purpose: str) -> str:
        """The folder the next dialog for `purpose` opens in."""
        run = self._run()
        run_then, folder = self._chosen.get(purpose, (None, ""))
        if folder and run_then == run and os.path.isdir(folder):
            return folder
        return run or self._settings.last_dir(purpose)

    def chose(self, purpose: str, path: str) -> None:
        """Remembers the folder of `path`, a file the user chose for `purpose`."""
        self._chosen[purpose] = (self._run(), os.path.dirname(path) or path)
        self._settings.set_last_dir(purpose, path)


def _extensions(name_filter: str) -> list[str]:
    inside = name_filter[name_filter.find("(") + 1:name_filter.rfind(")")]
    return [pattern.lstrip("*").lower() for pattern in inside.split()]


class ScaleDialog(QDialog):
    """Asks for an integer scale factor and shows the resulting size in pixels.

    Args:
        size: (width, height) of the image at scale 1.
        scale: the initial factor.
        title: the window title.
        parent: the parent widget.
    """

    def __init__(self, size: tuple[int, int], scale: int = 4, title: str = "Save Image",
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._size = size
        self.spin = QSpinBox()
        self.spin.setRange(1, 32)
        self.spin.setSuffix(" ×")
        self.spin.setValue(scale)
        self._result = QLabel()
        self.spin.valueChanged.connect(self._show_size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok |
                                   QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QFormLayout(self)
        layout.addRow("Scale (nearest neighbour)", self.spin)
        layout.addRow("Size", self._result)
        layout.addRow(buttons)
        self._show_size()

    def _show_size(self) -> None:
        w, h = self._size
        s = self.spin.value()
        self._result.setText(f"{w * s} × {h * s} pixels")

    @classmethod
    def ask(cls, parent: QWidget | None, size: tuple[int, int], scale: int = 4,
            title: str = "Save Image") -> int | None:
        """Shows the dialog; returns the chosen factor, or None if cancelled."""
        dialog = cls(size, scale, title, parent)
        return dialog.spin.value() if dialog.exec() == QDialog.DialogCode.Accepted else None

"""Menu actions that save what the sample view shows: an image, the grid, a timelapse GIF."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QWidget

from gan_studio.core.animation import MAX_TIMELAPSE_FRAMES, evenly_spaced, save_timelapse
from gan_studio.core.images import save_png
from gan_studio.core.runs.run_model import RunModel
from gan_studio.ui.widgets.save_dialogs import SaveFolders, ScaleDialog, ask_save_path

PNG_FILTER = "PNG images (*.png)"


class ImageActions(QObject):
    """Save Image (the explorer's preview, the selected tile or the grid), Save Sample Grid,
    Export Timelapse (GIF).

    Images are saved exactly as shown, nearest-neighbour upscaled by the chosen factor. Save
    Image saves the latent explorer's preview while the explorer is the active view.

    Args:
        window: parent of dialogs; its status bar shows outcomes.
        sample_view: the `SampleGridView`.
        settings: the `AppSettings` (last folders).
        tasks: a `TaskRunner` that writes the GIF off the GUI thread.
        run: the window's `RunModel`: dialogs open in the run's folder first, and default file
            names begin with its name.
        explorer: the `ExplorerActions` (optional): Save Image defers to it while the latent
            explorer is the active view.
    """

    def __init__(self, window: QWidget, sample_view, settings, tasks, run: RunModel,
                 explorer=None):
        super().__init__(window)
        self._window, self._view, self._settings, self._tasks = window, sample_view, settings, tasks
        self._run = run
        self._folders = SaveFolders(settings, lambda: run.run_dir)
        self._explorer = explorer
        self.save_image = QAction("&Save Image…", window)
        self.save_image.setShortcut(QKeySequence.StandardKey.Save)
        self.save_image.setStatusTip("Save the image shown: the latent explorer's, the selected "
                                     "sample or the grid")
        self.save_image.triggered.connect(lambda: self.save_shown(whole_grid=False))
        self.save_grid = QAction("Save Sample &Grid…", window)
        self.save_grid.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.save_grid.setStatusTip("Save the whole sample grid shown as a PNG")
        self.save_grid.triggered.connect(lambda: self.save_shown(whole_grid=True))
        self.export_timelapse = QAction("Export Training &Timelapse (GIF)…", window)
        self.export_timelapse.setStatusTip("Save the grids seen so far as an animated GIF")
        self.export_timelapse.triggered.connect(self.save_timelapse)
        sample_view.frame_changed.connect(self.update_enabled)
        if explorer is not None:
            explorer.availability_changed.connect(self.update_enabled)
        self.update_enabled()

    def _run_name(self) -> str:
        """A short name of the run shown, for default file names ("samples" without one)."""
        run_dir = self._run.run_dir
        return os.path.basename(run_dir.rstrip(os.sep)) if run_dir else "samples"

    def update_enabled(self, *_args) -> None:
        """Enables the actions once there is a grid to save."""
        count = self._view.frame_count
        self.save_image.setEnabled(count > 0 or self._explorer_active())
        self.save_grid.setEnabled(count > 0)
        self.export_timelapse.setEnabled(count > 1)

    def save_shown(self, whole_grid: bool = False) -> str | None:
        """Asks for a scale and a file, then saves the shown grid (or selected tile) as a PNG.

        While the latent explorer is the active view, saves its preview instead (PNG or JPEG).

        Returns:
            The path written, or None if cancelled or failed.
        """
        if not whole_grid and self._explorer_active():
            return self._explorer.save_image()
        tile = None if whole_grid else self._view.selected_tile_image()
        image = tile if tile is not None else self._view.current_image()
        if image is None:
            return None
        scale = ScaleDialog.ask(self._window, (image.shape[1], image.shape[0]),
                                8 if tile is not None else 4,
                                "Save Sample" if tile is not None else "Save Sample Grid")
        if scale is None:
            return None
        frame = self._view.frames[self._view.current_index]
        name = self._run_name() + (f"-step{frame.step}" if frame.step is not None
                                   else f"-epoch{frame.epoch + 1}")
        if tile is not None:
            name += f"-sample{self._view.selected_tile}"
        path = ask_save_path(self._window, "Save Image", self._folders.start("images"),
                             name + ".png", {PNG_FILTER: ".png"})
        if not path:
            return None
        try:
            save_png(path, image, scale)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self._window, "Cannot Save Image",
                                f"Cannot write {path}: {getattr(exc, 'strerror', None) or exc}")
            return None
        self._folders.chose("images", path)
        self._window.statusBar().showMessage(f"Saved {path}", 8000)
        return path

    def _explorer_active(self) -> bool:
        return self._explorer is not None and self._explorer.explorer_active

    def save_timelapse(self) -> None:
        """Asks for a scale and a file, then writes the timelapse GIF in the background (where
        the frames kept in files are read too)."""
        frames = evenly_spaced(self._view.frames, MAX_TIMELAPSE_FRAMES)
        newest = frames[-1].image if frames else None
        if newest is None:
            return
        height, width = newest.shape[:2]
        scale = ScaleDialog.ask(self._window, (width, height), 2, "Export Timelapse")
        if scale is None:
            return
        path = ask_save_path(self._window, "Export Training Timelapse",
                             self._folders.start("images"), self._run_name() + "-timelapse.gif",
                             {"GIF animations (*.gif)": ".gif"})
        if not path:
            return
        self._folders.chose("images", path)
        self._window.statusBar().showMessage("Writing the timelapse…")
        self._tasks.submit(
            _save_frames, path, frames, scale,
            on_done=lambda count: self._window.statusBar().showMessage(
                f"Saved a {count}-frame timelapse to {os.path.basename(path)}", 8000),
            on_error=lambda message: QMessageBox.warning(self._window, "Cannot Save Timelapse",
                                                         message))


def _save_frames(path: str, frames: list, scale: int) -> int:
    """Writes the timelapse of `frames` (`GridFrame`s), reading those kept in files; the
    frames of the newest one's shape are used (an unreadable file is left out)."""
    images = [image for image in (frame.image for frame in frames) if image is not None]
    shape = images[-1].shape if images else None
    return save_timelapse(path, [image for image in images if image.shape == shape], scale)

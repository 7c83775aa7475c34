"""File → Find Image in Latent Space…, and pictures dropped on the explorer: GAN inversion."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtWidgets import QFileDialog, QWidget

from gan_studio.core.runs.layout import is_run_dir
from gan_studio.core.runs.run_model import TILE, RunModel
from gan_studio.ui.actions import WindowActions
from gan_studio.ui.explorer.dataset_image_dialog import COUNT, DatasetImageDialog
from gan_studio.ui.explorer.projection_dialog import ProjectionDialog
from gan_studio.workers.explorer.dataset_images import DatasetImageSource
from gan_studio.workers.explorer.projection import ProjectionRequest, ProjectionService
from gan_studio.workers.tasks import TaskRunner

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.bmp *.webp *.gif);;All files (*)"


def undone_edits(state) -> str:
    """What showing a found latent undoes of the edits in `state` (a `LatentState`), as a
    sentence for the user, or "" if nothing.

    The search finds z with G(z) like the picture: shown through ψ < 1 (pulled toward the mean
    latent) or moved along directions, it would draw another image, so both go back to neutral.
    """
    undone = []
    if state.psi != 1.0:
        undone.append(f"Truncation set to ψ = 1.00 (it was {state.psi:.2f})")
    if np.any(state.offsets):
        undone.append("the direction sliders set to 0" if undone else
                      "The direction sliders set to 0")
    return (" and ".join(undone) + " so that the latent is shown as found.") if undone else ""


class ProjectionActions(WindowActions):
    """Finds a picture's latent with the explorer's generator and makes it the latent shown.

    The search runs on a thread of its own (`ProjectionService`), never on the GUI thread;
    a `ProjectionDialog` shows it live. Its result becomes the explorer's base latent (and
    class), so directions, interpolation and bookmarks apply to it.

    Args:
        window: parent of dialogs; its status bar shows outcomes.
        explorer: the `LatentExplorer`.
        settings: the `AppSettings` (last folders).
        sample_view: the `SampleGridView`, whose selected tile can be searched for too (a
            tile of another run's grid, say), or None.
        run: the window's `RunModel`, whose tile selection the view shows (with `sample_view`).
    """

    def __init__(self, window: QWidget, explorer, settings, sample_view=None,
                 run: RunModel | None = None):
        super().__init__(window)
        self._explorer, self._settings, self._view = explorer, settings, sample_view
        self.service = ProjectionService(self)
        self.dialog: ProjectionDialog | None = None
        self.picker: DatasetImageDialog | None = None
        self._loader = TaskRunner("dataset-images", self)
        self._dataset = DatasetImageSource()
        self._offered = None  # the DatasetImages the picker shows
        self._source: str | None = None  # the generator the running search uses
        self.find_image = self._action(
            "&Find Image in Latent Space…", self.choose_image, None,
            "Search the explorer's generator for the latent that draws a picture of yours")
        self.find_data_image = self._action(
            "Find &Data-Set Image in Latent Space…", self.choose_dataset_image, None,
            "Search the explorer's generator for one of its run's own images (for MNIST and "
            "CIFAR-10: the test split, never trained on)")
        self.find_tile = self._action(
            "Find Selected &Tile in Latent Space", self.find_selected_tile, None,
            "Search the explorer's generator for the latent that draws the selected sample tile")
        if sample_view is not None:
            sample_view.frame_changed.connect(self.update_enabled)
        if run is not None:
            run.observe(lambda what: TILE in what and self.update_enabled())
        self.service.target_ready.connect(lambda image: self._to_dialog("set_target", image))
        self.service.progress.connect(lambda p: self._to_dialog("show_progress", p))
        self.service.finished.connect(self._on_finished)
        self.service.failed.connect(self._on_failed)
        explorer.image_dropped.connect(self.find)
        explorer.model.observe(self.update_enabled)
        self.update_enabled()

    def update_enabled(self, *_args) -> None:
        """Enabled while a generator read from a run or a `.keras` file is shown (and, for a
        tile, one of the generator's size is selected)."""
        ready = self._source_path() is not None and not self.service.busy
        self.find_image.setEnabled(ready)
        self.find_data_image.setEnabled(ready and is_run_dir(self._source_path()))
        self.find_tile.setEnabled(ready and self.selected_tile() is not None)

    def selected_tile(self) -> np.ndarray | None:
        """The sample grid's selected tile as uint8 (H, W, C), if it has the shape of the
        explorer's generator's images (else, or without one, None)."""
        tile = None if self._view is None else self._view.selected_tile_image()
        loaded = self._explorer.model.generator
        if tile is None or loaded is None:
            return None
        tile = tile[..., None] if tile.ndim == 2 else tile
        return tile if tuple(tile.shape) == tuple(loaded.renderer.output_shape) else None

    def _source_path(self) -> str | None:
        loaded = self._explorer.model.generator
        return loaded.source if loaded is not None and loaded.source else None

    def choose_image(self) -> None:
        """Asks for a picture, then finds it."""
        path, _ = QFileDialog.getOpenFileName(self._window, "Find Image in Latent Space",
                                              self._settings.last_dir("images"), IMAGE_FILTER)
        if path:
            self._settings.set_last_dir("images", path)
            self.find(path)

    def choose_dataset_image(self) -> DatasetImageDialog | None:
        """Offers random images of the shown run's data set; the one picked is searched for."""
        run_dir = self._source_path()
        if run_dir is None or not is_run_dir(run_dir):
            self._warn("Cannot Find Data-Set Image", "Open a run first: a .keras generator "
                       "does not say which data set it learned.")
            return None
        if self.picker is not None:
            self.picker.close()
        self.picker = picker = DatasetImageDialog(self._window)
        picker.more_requested.connect(lambda seed: self._offer(picker, run_dir, seed))
        picker.picked.connect(lambda i: self._find_offered(picker, i))
        picker.destroyed.connect(lambda *_args: self._forget_picker(picker))
        picker.show()
        self._offer(picker, run_dir, 0)
        return picker

    def _offer(self, picker, run_dir: str, seed: int) -> None:
        def done(offered):
            if self.picker is picker:
                self._offered = offered
                count = range(len(offered.images))
                picker.show_images(offered.images, [offered.caption(i) for i in count],
                                   [offered.describe(i) for i in count],
                                   f"{len(offered.images)} images of {offered.name} "
                                   f"({offered.split} split), drawn at random: pick one.")

        self._loader.submit(self._dataset.sample, run_dir, COUNT, seed, on_done=done,
                            on_error=lambda message: self.picker is picker
                            and picker.show_failure(message))

    def _find_offered(self, picker, index: int) -> None:
        offered = self._offered
        if self.picker is not picker or offered is None or index >= len(offered.images):
            return
        image = offered.images[index].copy()
        self._start(lambda source: ProjectionRequest(source, target=image),
                    offered.describe(index))

    def _forget_picker(self, picker) -> None:
        if self.picker is picker:
            self.picker, self._offered = None, None

    def find_selected_tile(self) -> bool:
        """Starts finding the sample grid's selected tile; returns False if it cannot."""
        tile = self.selected_tile()
        if tile is None:
            return False
        return self._start(lambda source: ProjectionRequest(source, target=tile.copy()),
                           "the Selected Tile")

    def find_pixels(self, image: np.ndarray, name: str) -> bool:
        """Starts finding `image` (uint8 (H, W, C) at the generator's size: a training image
        of the Nearest panel's); returns False if it cannot start now."""
        image = np.array(image, np.uint8)
        return self._start(lambda source: ProjectionRequest(source, target=image), name)

    def find(self, path: str) -> bool:
        """Starts finding the picture at `path`; returns False if it cannot start now."""
        # A conditional generator is searched in every class.
        return self._start(lambda source: ProjectionRequest(source, image_path=path),
                           os.path.basename(path))

    def _start(self, make_request, name: str) -> bool:
        source = self._source_path()
        if source is None:
            self._warn("Cannot Find Image", "Open a run or a .keras generator first: a "
                       "picture is searched for in a generator's latent space.")
            return False
        if self.service.busy:
            self._status("A picture is being searched for already")
            return False
        self._source = source
        self.service.start(make_request(source))
        self.dialog = ProjectionDialog(name, self._window)
        self.dialog.cancel_requested.connect(self.service.cancel)
        # A closed dialog is deleted later: by then a newer one may be the current one.
        self.dialog.destroyed.connect(lambda *_args, dialog=self.dialog: self._forget(dialog))
        self.dialog.show()
        self.update_enabled()
        return True

    def _forget(self, dialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _to_dialog(self, method: str, value) -> None:
        if self.dialog is not None:
            getattr(self.dialog, method)(value)

    def _on_finished(self, result) -> None:
        self._to_dialog("show_result", result)
        model, source, self._source = self._explorer.model, self._source, None
        self.update_enabled()
        shown = model.generator
        if result.stopped or shown is None or shown.source != source \
                or model.dim != len(result.latent):
            return  # cancelled, or the explorer moved on to another generator meanwhile
        note = undone_edits(model.state)
        if result.class_index is not None:
            model.set_class(first=result.class_index, blend=0.0)
        model.show_latent(result.latent)
        self._status(f"Found the picture: mean pixel error {result.error:.4f}. {note}".strip())
        if note:
            self._to_dialog("add_note", note)

    def _on_failed(self, message: str) -> None:
        self._source = None
        self.update_enabled()
        if self.dialog is not None:
            self.dialog.show_failure(message)
        else:
            self._warn("Cannot Find Image", message)

    def shutdown(self) -> None:
        """Cancels a running search and joins the threads. Blocks for at most a step (or the
        reading of a data set)."""
        self.service.shutdown()
        self._loader.shutdown()

"""File menu actions of the latent explorer: save and copy images, strips and animations (off
the GUI thread, atomically), and which view Save Image and Copy Image act on."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from gan_studio.core.animation import save_animation
from gan_studio.core.grid import drop_channel_axis, tile_grid, upscale_nearest
from gan_studio.core.images import save_image
from gan_studio.core.latent.explorer_model import PATH
from gan_studio.core.runs.run_model import TILE, RunModel
from gan_studio.ui.actions import WindowActions
from gan_studio.ui.explorer.dialogs import (
    IMAGE_FORMATS,
    AnimationDialog,
    AnimationOptions,
    animation_filters,
    ask_scale,
)
from gan_studio.ui.explorer.file_actions import LatentFileActions
from gan_studio.ui.explorer.preview import qimage_view
from gan_studio.ui.explorer.projection_actions import ProjectionActions
from gan_studio.ui.widgets.save_dialogs import ask_save_path
from gan_studio.workers.explorer.renderer import draw
from gan_studio.workers.tasks import TaskRunner


def render_path(renderer, latents: np.ndarray, bounce: bool = False,
                classes: np.ndarray | None = None) -> np.ndarray:
    """Renders a path's frames (uint8), with the way back when `bounce` (ends not repeated);
    `classes`: a conditional generator's class weights (frames, K)."""
    frames = drop_channel_axis(draw(renderer, latents, classes), batch=True)
    return np.concatenate([frames, frames[-2:0:-1]]) if bounce and len(frames) > 2 else frames


def _write_strip(path: str, renderer, latents: np.ndarray, scale: int, classes=None) -> str:
    frames = render_path(renderer, latents, classes=classes)
    save_image(path, tile_grid(frames, columns=len(frames)), scale=scale)
    return path


def _write_animation(path: str, renderer, latents: np.ndarray, options: AnimationOptions,
                     classes=None) -> int:
    frames = render_path(renderer, latents, options.bounce, classes)
    return save_animation(path, frames, options.fps, options.repeat, options.scale)


def _focus_first(container: QWidget) -> bool:
    """Gives the keyboard focus to the first control of `container` (in Tab order) that can
    take it now; returns whether one did."""
    widget = container.nextInFocusChain()
    while widget is not None and widget is not container:
        if container.isAncestorOf(widget) and widget.isEnabled() and widget.isVisible() \
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return True
        widget = widget.nextInFocusChain()
    return False


class ExplorerActions(WindowActions):
    """The explorer's File menu actions, and which view Save Image and Copy Image act on.

    The explorer is the active view while its dock is raised and it (not the sample grid)
    was used last.

    Signals:
        availability_changed(): the explorer gained or lost an image, or became (in)active.

    Args:
        window: parent of dialogs; its status bar shows outcomes.
        explorer: the `LatentExplorer`.
        dock: the dock holding the explorer.
        sample_view: the `SampleGridView` (Copy Image copies its grid or tile otherwise).
        settings: the `AppSettings` (last folders).
        run: the window's `RunModel` (the run shown, the selected sample-grid tile).
    """

    availability_changed = Signal()

    def __init__(self, window: QWidget, explorer, dock, sample_view, settings, run: RunModel):
        super().__init__(window)
        self._explorer, self._dock = explorer, dock
        self._view, self._settings = sample_view, settings
        self._explorer_used_last = False
        self._tasks = TaskRunner("explorer-export", self)
        self.files = LatentFileActions(window, explorer, dock, settings, run, self._name)
        self.folders = self.files.folders  # one record of where the explorer's files went
        self.open_generator = self.files.open_generator
        self.save_latent, self.load_latent = self.files.save_latent, self.files.load_latent
        self.projection = ProjectionActions(window, explorer, settings, sample_view, run)
        self.find_image, self.find_tile = self.projection.find_image, self.projection.find_tile
        self.find_data_image = self.projection.find_data_image
        self.copy_image = self._action("&Copy Image", self.copy, QKeySequence.StandardKey.Copy,
                                       "Copy the image shown to the clipboard")
        self.save_strip = self._action("Save Interpolation &Strip…", self.save_strip_image,
                                       None, "Save the interpolation's frames side by side")
        self.export_interpolation = self._action(
            "Export &Interpolation (GIF)…", self.export_animation, QKeySequence("Ctrl+Shift+E"),
            "Save the interpolation as an animation (GIF, animated PNG, WebP or MP4)")
        self.show_explorer = self._action(
            "Show Latent Explorer", self.bring_forward, QKeySequence("Ctrl+Shift+X"),
            "Bring the latent explorer to the front and move the keyboard focus to it")
        self.show_nearest = self._action(
            "Nearest in &Training Data", self.bring_nearest_forward, QKeySequence("Ctrl+Shift+N"),
            "Show the training images nearest to the explorer's image (is it copying?)")
        explorer.nearest.find_requested.connect(self.projection.find_pixels)
        self.nearest_tile = self._action(
            "Nearest Training Images of the Selected Tile", self.show_tile_nearest, None,
            "Show the training images nearest to the sample grid's selected tile")
        for follow in (run.observe, explorer.model.observe):
            follow(lambda _what: self._update_tile_nearest())
        sample_view.frame_changed.connect(lambda _index: self._update_tile_nearest())
        self._update_tile_nearest()
        self._had_image = False
        explorer.image_changed.connect(self._on_image)
        explorer.model.observe(lambda what: PATH in what and self.update_enabled())
        sample_view.frame_changed.connect(self._on_image)
        dock.visibilityChanged.connect(self._on_dock_visible)
        run.observe(lambda what: TILE in what and self._set_used_last(False))
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._on_focus)
        self.update_enabled()


    # ---- which view is active -------------------------------------------------------------
    @property
    def explorer_active(self) -> bool:
        """Whether Save Image and Copy Image act on the explorer's preview."""
        return (self.explorer_in_front and self._explorer_used_last
                and self._explorer.current_image() is not None)

    @property
    def explorer_in_front(self) -> bool:
        """Whether the explorer's dock is shown (and not behind another dock's tab)."""
        # A tabbed dock stays "visible" behind its neighbour's tab; its visible region does not.
        return self._dock.isVisible() and not self._dock.visibleRegion().isEmpty()

    def bring_forward(self) -> None:
        """Shows the explorer's dock in front of its tabbed neighbours and gives it the keyboard
        focus. Unlike the View menu's toggle, it never hides the explorer."""
        self._dock.show()
        self._dock.raise_()
        # Again once Qt has put a dock shown just now back among its tabs: then it can be
        # raised, and its controls, visible at last, can take the focus.
        QTimer.singleShot(0, self._raise_and_focus)

    def bring_nearest_forward(self) -> None:
        """Shows the explorer with its Nearest in Training Data tab in front."""
        self._explorer.show_nearest()
        self.bring_forward()

    def show_tile_nearest(self) -> bool:
        """Looks up the sample grid's selected tile in the explorer's Nearest tab, in front;
        returns False without a tile of the explorer's generator's shape."""
        tile = self.projection.selected_tile()
        if tile is None:
            return False
        self._explorer.nearest.look_up_image(tile, "the selected tile")
        self.bring_nearest_forward()
        return True

    def _update_tile_nearest(self) -> None:
        self.nearest_tile.setEnabled(self.projection.selected_tile() is not None)

    def _raise_and_focus(self) -> None:
        self._dock.raise_()
        focused = self._window.focusWidget()
        if focused is not None and self._dock.isAncestorOf(focused):
            return  # a slider in use keeps the focus
        if not _focus_first(self._explorer.controls):  # the seed; without a generator, the rest
            _focus_first(self._explorer)

    def _set_used_last(self, explorer: bool) -> None:
        if explorer != self._explorer_used_last:
            self._explorer_used_last = explorer
            self.update_enabled()

    def _on_dock_visible(self, visible: bool) -> None:
        self._set_used_last(visible)
        self._explorer.set_on_screen(visible)

    def _on_focus(self, _old, new) -> None:
        if new is None:
            return
        if self._dock.isAncestorOf(new):
            self._set_used_last(True)
        elif new is self._view or self._view.isAncestorOf(new):
            self._set_used_last(False)

    def _on_image(self, *_args) -> None:
        # Called for every frame while a slider is dragged: act only when the answer changes.
        has_image = self._explorer.current_image() is not None or self._view.frame_count > 0
        if has_image != self._had_image:
            self._had_image = has_image
            self.update_enabled()

    def update_enabled(self, *_args) -> None:
        """Enables each action where it can work."""
        x = self._explorer
        has_image = x.current_image() is not None
        has_path = x.model.path is not None and has_image
        self.save_strip.setEnabled(has_path)
        self.export_interpolation.setEnabled(has_path)
        self.copy_image.setEnabled(has_image or self._view.frame_count > 0)
        self.files.update_enabled()
        self.availability_changed.emit()

    # ---- images ---------------------------------------------------------------------------
    def _name(self) -> str:
        model = self._explorer.model
        name = os.path.splitext(model.generator.name)[0] if model.generator else "latent"
        return f"{name}-seed{model.seed}"

    def save_image(self) -> str | None:
        """Asks for a scale and a file (PNG or JPEG), then saves the preview as shown."""
        image = self._explorer.current_image()
        if image is None:
            return None
        scale = ask_scale(self._window, (image.shape[1], image.shape[0]),
                          self._explorer.image_scale(), "Save Image")
        if scale is None:
            return None
        path = ask_save_path(self._window, "Save Image", self.folders.start("images"),
                             self._name() + ".png", IMAGE_FORMATS)
        if not path:
            return None
        try:
            save_image(path, image, scale=scale, quality=95)
        except (OSError, ValueError) as exc:
            QMessageBox.warning(self._window, "Cannot Save Image",
                                f"Cannot write {path}: {getattr(exc, 'strerror', None) or exc}")
            return None
        self.folders.chose("images", path)
        self._status(f"Saved {path}")
        return path

    def copy(self) -> None:
        """Copies the active image to the clipboard at the scale it is shown."""
        if self.explorer_active:
            pixels = self._explorer.shown_pixels()
        else:
            tile = self._view.selected_tile_image()
            image = tile if tile is not None else self._view.current_image()
            pixels = None if image is None else upscale_nearest(image, 8 if tile is not None else 4)
        if pixels is None:
            return
        pixels = np.ascontiguousarray(pixels)
        # A deep copy: a QImage made from another shares its buffer, here a numpy array that is
        # gone by the time the clipboard (alive until the app quits) reads or frees it.
        QGuiApplication.clipboard().setImage(qimage_view(pixels).copy())
        self._status(f"Copied a {pixels.shape[1]} × {pixels.shape[0]} image")

    # ---- interpolation --------------------------------------------------------------------
    def _path(self):
        """(renderer, frames' latents, their class weights or None), or Nones without a path."""
        x = self._explorer
        latents, generator = x.path_latents(), x.model.generator
        if latents is None or generator is None:
            return None, None, None
        return generator.renderer, latents, x.model.class_weights(len(latents))

    def save_strip_image(self) -> None:
        """Saves the interpolation's frames side by side as a PNG (in the background)."""
        renderer, latents, classes = self._path()
        if renderer is None:
            return
        h, w = renderer.output_shape[:2]
        scale = ask_scale(self._window, (w * len(latents), h), 2, "Save Interpolation Strip")
        if scale is None:
            return
        path = ask_save_path(self._window, "Save Interpolation Strip",
                             self.folders.start("images"), self._name() + "-strip.png",
                             IMAGE_FORMATS)
        if path:
            self.folders.chose("images", path)
            self._tasks.submit(_write_strip, path, renderer, latents, scale, classes,
                               on_done=lambda p: self._status(f"Saved {p}"),
                               on_error=lambda m: self._warn("Cannot Save Strip", f"Cannot write {path}: {m}"))

    def export_animation(self) -> None:
        """Asks for speed, looping, scale and a file, then writes the animation."""
        renderer, latents, classes = self._path()
        if renderer is None:
            return
        settings = self._explorer.model.path_settings
        h, w = renderer.output_shape[:2]
        options = AnimationDialog.ask(
            self._window, AnimationOptions(settings.fps, True, settings.loop, max(1, 128 // h)),
            len(latents), (w, h))
        if options is None:
            return
        path = ask_save_path(self._window, "Export Interpolation", self.folders.start("images"),
                             self._name() + "-interpolation.gif", animation_filters())
        if path:
            self.folders.chose("images", path)
            self._status("Writing the animation…")
            self._tasks.submit(
                _write_animation, path, renderer, latents, options, classes,
                on_done=lambda n: self._status(f"Saved a {n}-frame animation to {path}"),
                on_error=lambda m: self._warn("Cannot Export Interpolation",
                                              f"Cannot write {path}: {m}"))

    def shutdown(self) -> None:
        """Finishes a file being written, cancels a search for a picture, and joins their
        threads. Blocks."""
        self.projection.shutdown()
        self._tasks.shutdown()

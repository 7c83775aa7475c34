"""File menu actions of the latent explorer about latents and generators: open a generator,
save and load latent vectors (.npy), export the bookmarks."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QWidget

from gan_studio.core.latent.files import LatentFileError, load_latents, save_latents
from gan_studio.core.runs.run_model import RunModel
from gan_studio.ui.actions import WindowActions
from gan_studio.ui.widgets.save_dialogs import SaveFolders, ask_save_path

NPY_FILTER = "NumPy arrays (*.npy)"
GENERATOR_FILTER = ("Generators (*.keras config.json);;Keras models (*.keras);;"
                    "Run folders (config.json)")


def generator_folder(explorer, run: RunModel) -> str | None:
    """Where what the explorer draws belongs: the folder of the run whose generator it shows
    (a `.keras` file's own folder), else the run the window shows, else None."""
    loaded = explorer.model.generator
    source = loaded.source if loaded is not None else ""
    if source and os.path.isdir(source):
        return source
    if source and os.path.isfile(source):
        return os.path.dirname(os.path.abspath(source))
    return run.run_dir


class LatentFileActions(WindowActions):
    """Open Generator, Save Latent, Load Latent, and the bookmarks' Import and Export buttons.

    Args:
        window: parent of dialogs; its status bar shows outcomes.
        explorer: the `LatentExplorer`.
        dock: the dock holding the explorer (shown when a generator is opened).
        settings: the `AppSettings` (last folders).
        run: the window's `RunModel` (the run shown, whose folder dialogs open in).
        name: returns a default file name stem for what the explorer shows.
    """

    def __init__(self, window: QWidget, explorer, dock, settings, run: RunModel, name):
        super().__init__(window)
        self._explorer, self._dock = explorer, dock
        self._settings, self._run, self._name = settings, run, name
        self.folders = SaveFolders(settings, lambda: generator_folder(explorer, run))
        self.open_generator = self._action("Open &Generator…", self.choose_generator,
                                           QKeySequence("Ctrl+Shift+O"),
                                           "Explore a run's or a .keras file's generator")
        self.save_latent = self._action("Save &Latent…", self.save_current_latent, None,
                                        "Save the latent shown as a .npy file")
        self.load_latent = self._action("Loa&d Latent…", self.choose_latents, None,
                                        "Show a latent (or bookmark several) from a .npy file")
        explorer.bookmarks.import_requested.connect(self.choose_latents)
        explorer.bookmarks.export_requested.connect(self.export_bookmarks)
        self.update_enabled()


    def update_enabled(self, *_args) -> None:
        """Enables each action where it can work."""
        self.save_latent.setEnabled(self._explorer.current_image() is not None)
        self.load_latent.setEnabled(self._explorer.model.state is not None)

    def save_current_latent(self) -> None:
        """Saves the latent shown as a (D,) float32 .npy file."""
        latent = self._explorer.current_latent()
        if latent is not None:
            self._save_latents(latent, self._name() + ".npy", "Save Latent")

    def export_bookmarks(self) -> None:
        """Saves every bookmark's latent as a (K, D) .npy file, in list order."""
        latents = [b.latent for b in self._explorer.model.bookmarks]
        if latents and len({len(r) for r in latents}) == 1:  # one .npy holds one size
            self._save_latents(np.stack(latents), "bookmarks.npy", "Export Bookmarks")

    def _save_latents(self, latents: np.ndarray, name: str, title: str) -> None:
        path = ask_save_path(self._window, title, self.folders.start("latents"), name,
                             {NPY_FILTER: ".npy"})
        if not path:
            return
        try:
            save_latents(path, latents)
        except (OSError, ValueError) as exc:
            return self._warn(f"Cannot {title}", f"{path}: {exc}")
        self.folders.chose("latents", path)
        self._status(f"Saved {path}")

    def choose_latents(self) -> None:
        """Asks for a .npy file and loads it (see `load_latent_file`)."""
        path, _ = QFileDialog.getOpenFileName(self._window, "Load Latent",
                                              self.folders.start("latents"), NPY_FILTER)
        if path:
            self.load_latent_file(path)

    def load_latent_file(self, path: str) -> bool:
        """Shows a (D,) latent; bookmarks the rows of a (K, D) file and shows the first.

        Returns:
            Whether the file was usable (a dialog explains why not).
        """
        x = self._explorer
        if x.model.state is None:
            return False
        try:
            latents = load_latents(path, x.model.dim)
        except LatentFileError as exc:
            self._warn("Cannot Load Latent", str(exc))
            return False
        self.folders.chose("latents", path)
        stem = os.path.splitext(os.path.basename(path))[0]
        if len(latents) > 1:
            for i, latent in enumerate(latents):
                x.model.add_bookmark(f"{stem} {i + 1}", latent)
            x.show_bookmarks()
        x.show_latent(latents[0])
        self._status(f"Loaded {len(latents)} latent{'s' if len(latents) > 1 else ''} "
                     f"from {os.path.basename(path)}")
        return True

    def choose_generator(self) -> None:
        """Asks for a `.keras` file or a run's config.json and explores that generator."""
        run = self._run.run_dir
        start = run if run else self._settings.last_dir("models")
        path, _ = QFileDialog.getOpenFileName(self._window, "Open Generator", start,
                                              GENERATOR_FILTER)
        if path:
            self._settings.set_last_dir("models", path)
            self.open(path)

    def open(self, path: str) -> None:
        """Loads a generator (run folder, its config.json, or `.keras`) into the explorer."""
        self._dock.show()
        self._dock.raise_()
        self._explorer.generator_choice.open(path)
        self._status(f"Loading the generator of {os.path.basename(path.rstrip(os.sep))}…")

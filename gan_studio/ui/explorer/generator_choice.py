"""Which generator the latent explorer shows: the run being trained, or one the user opened."""

from __future__ import annotations

import os

from PySide6.QtCore import QObject, Signal

from gan_studio.workers.explorer.generator_loading import (
    LoadedGenerator,
    load_explorer_generator,
    run_class_names,
)
from gan_studio.workers.tasks import TaskRunner


class GeneratorChoice(QObject):
    """Picks the explorer's generator and loads generators off the GUI thread.

    While `following` (the default), every snapshot of the generator being trained replaces
    the current one; opening a file or run folder stops following.

    Signals:
        generator_changed(LoadedGenerator): the generator to show now.
        loading(str): a generator is being read (its path).
        failed(str): a generator could not be loaded (a readable reason).
        live_changed(): a training snapshot arrived or the live step moved.

    Args:
        session: a `TrainingSession` whose `generator` snapshots feed the explorer (optional).
        parent: the owning QObject.
    """

    generator_changed = Signal(object)
    loading = Signal(str)
    failed = Signal(str)
    live_changed = Signal()

    def __init__(self, session=None, parent: QObject | None = None):
        super().__init__(parent)
        self._session = session
        self._tasks = TaskRunner("explorer-loader", self)
        self.following = True
        self.current: LoadedGenerator | None = None
        self.live: LoadedGenerator | None = None
        self.live_step: int | None = None
        self._pending_path: str | None = None
        self._quiet = False  # the pending load was offered, not asked for: fail silently
        self._offered = False  # the generator shown was offered (the run the window shows)
        self._live_names: tuple[str, tuple[str, ...]] = ("", ())  # (run folder, class names)
        if session is not None:
            session.generator.connect(self._on_snapshot)
            session.progress.connect(self._on_progress)
            session.run_started.connect(lambda *_: setattr(self, "live_step", None))

    @property
    def loading_path(self) -> str | None:
        """The path being loaded, if any."""
        return self._pending_path

    @property
    def is_live(self) -> bool:
        """Whether the generator shown is the training run's."""
        return self.current is not None and self.current is self.live

    def open(self, path: str, quiet: bool = False) -> None:
        """Loads a run folder (or its config.json) or a `.keras` file in the background.

        Args:
            path: what to load.
            quiet: an offer rather than a request: keep following training, and report no
                failure (e.g. a run without a checkpoint yet).
        """
        if not quiet:
            self.following = False
        self._quiet = quiet
        self._pending_path = path
        self.loading.emit(path)
        self._tasks.submit(load_explorer_generator, path,
                           on_done=lambda loaded: self._on_loaded(path, loaded),
                           on_error=lambda message: self._on_failed(path, message))

    def offer_run(self, run_dir: str | None) -> None:
        """Loads the generator of the run the window shows, unless the user chose another."""
        if not run_dir or self._pending_path is not None:
            return
        current = self.current
        same = current is not None and os.path.normpath(current.source) == os.path.normpath(run_dir)
        # What the user opened stays; an offered run's generator, or the last snapshot of a
        # run that has ended (the window opens no run while one trains), gives way.
        if current is not None and (not (self._offered or self.is_live) or same):
            return
        self.open(run_dir, quiet=True)

    def set_following(self, follow: bool) -> None:
        """Follows training snapshots (showing the newest at once) or keeps the current one."""
        self.following = follow
        if follow and self.live is not None and self.current is not self.live:
            self._adopt(self.live)

    def shutdown(self) -> None:
        """Waits for a load in progress and joins the loader thread. Blocks."""
        self._tasks.shutdown()

    def _on_snapshot(self, generator) -> None:
        run_dir = getattr(self._session, "run_dir", None) or ""
        name = os.path.basename(run_dir.rstrip(os.sep)) or "training run"
        if generator.num_classes and self._live_names[0] != run_dir:
            self._live_names = (run_dir, run_class_names(run_dir))  # read once per run
        names = self._live_names[1] if self._live_names[0] == run_dir else ()
        self.live = LoadedGenerator(generator, name, run_dir, class_names=names)
        self.live_changed.emit()
        if self.following:
            self._offered = False
            self._adopt(self.live)

    def _on_progress(self, progress) -> None:
        step = getattr(progress, "step", None)
        if step != self.live_step:
            self.live_step = step
            if self.is_live:
                self.live_changed.emit()

    def _on_loaded(self, path: str, loaded: LoadedGenerator) -> None:
        if path != self._pending_path:
            return  # a newer open replaced this one
        self._pending_path = None
        self._adopt(loaded)
        self._offered = self._quiet

    def _on_failed(self, path: str, message: str) -> None:
        if path != self._pending_path:
            return
        self._pending_path = None
        if not self._quiet:
            self.failed.emit(message)

    def _adopt(self, loaded: LoadedGenerator) -> None:
        self.current = loaded
        self.generator_changed.emit(loaded)

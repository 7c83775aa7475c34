"""Owns the training thread and worker, and tracks what state training is in."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gan_studio.core.config import TrainConfig
from gan_studio.core.training.events import PAUSING, EventKind
from gan_studio.core.training.progress import Event
from gan_studio.core.training.session_states import IDLE, PAUSED, STARTING, STOPPING, TRAINING
from gan_studio.workers.training.signals import SIGNAL_NAMES, TrainingSignals
from gan_studio.workers.training.worker import TrainingWorker


class TrainingSession(TrainingSignals):
    """The GUI's handle on training: one worker on one QThread, for the life of the window.

    It re-emits the worker's `TrainingSignals` on the GUI thread, each after the session has
    updated its state from it (so a slot of `finished` sees the session idle), and adds
    `state_changed`.

    Signals:
        state_changed(str): one of `core.training.session_states.STATES`.

    Args:
        engine_loader: passed to `TrainingWorker` (tests pass a fake engine).
        parent: the owning QObject.
    """

    state_changed = Signal(str)

    def __init__(self, engine_loader: Callable[[], Any] | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self._state = IDLE
        self.run_dir: str | None = None
        self.config: TrainConfig | None = None
        self._thread = QThread()
        self._thread.setObjectName("training")
        self._worker = TrainingWorker(engine_loader)
        self._worker.moveToThread(self._thread)
        # Both connections are queued to this (GUI-thread) object, and Qt delivers them in the
        # order they were made: the state slots run before the re-emission.
        self._worker.progress.connect(self._on_progress)
        self._worker.event.connect(self._on_event)
        self._worker.run_started.connect(self._on_run_started)
        self._worker.finished.connect(self._on_finished)
        for name in SIGNAL_NAMES:
            getattr(self._worker, name).connect(getattr(self, name))
        self._thread.start()

    @property
    def state(self) -> str:
        """The current state, one of `core.training.session_states.STATES`."""
        return self._state

    @property
    def busy(self) -> bool:
        """Whether a run is in progress (including paused, starting or stopping)."""
        return self._state != IDLE

    @property
    def running(self) -> bool:
        """Whether the thread is alive (False after `shutdown`)."""
        return self._thread.isRunning()

    def train(self, config: TrainConfig) -> None:
        """Starts a new run.

        Raises:
            RuntimeError: if a run is already in progress.
        """
        self._begin()
        self._worker.start(config)

    def continue_run(self, run_dir: str, length: dict | None = None,
                     checkpoint: str | None = None, overrides: dict | None = None) -> None:
        """Continues an existing run (from `checkpoint`, default its latest).

        Args:
            run_dir: the run folder.
            length: how much longer: `Trainer.resume`'s `minutes`, `epochs` or `max_steps`
                (None: the run's own length).
            checkpoint: the checkpoint to continue from.
            overrides: levers to continue with another value, name → value (a training
                doctor's remedy; `core.continuation` says which may change).

        Raises:
            RuntimeError: if a run is already in progress.
        """
        self._begin()
        self.run_dir = run_dir
        self._worker.resume(run_dir, length, checkpoint, overrides)

    def pause(self) -> None:
        """Pauses training (no-op unless training)."""
        if self._state in (STARTING, TRAINING):
            self._worker.pause()
            self._set_state(PAUSED)

    def unpause(self) -> None:
        """Resumes paused training."""
        if self._state == PAUSED:
            self._worker.unpause()
            self._set_state(TRAINING)

    def toggle_pause(self) -> None:
        """Pauses if training, resumes if paused."""
        if self._state == PAUSED:
            self.unpause()
        else:
            self.pause()

    def stop(self) -> None:
        """Asks training to save a checkpoint and stop; `finished` follows."""
        if self._state not in (IDLE, STOPPING):
            self._worker.stop()
            self._set_state(STOPPING)

    def request_checkpoint(self) -> None:
        """Asks the trainer to save a checkpoint now."""
        if self._state in (TRAINING, PAUSED):
            self._worker.request_checkpoint()

    def request_evaluation(self) -> None:
        """Asks the trainer to measure the generator's quality now (`quality` follows)."""
        if self._state in (TRAINING, PAUSED):
            self._worker.request_evaluation()

    def hold(self) -> None:
        """Makes training wait before its next step, without pausing it, until `release`:
        the window's latent search takes the CPU for its few seconds (counted; a run started
        meanwhile waits too). The wait counts toward no ETA or time budget."""
        self._worker.hold()

    def release(self) -> None:
        """Ends one `hold`."""
        self._worker.release()

    def cancel_download(self) -> None:
        """Cancels a data-set download and the run waiting for it."""
        if self.busy:
            self._worker.cancel_download()
            self._set_state(STOPPING)

    def shutdown(self) -> None:
        """Stops training (saving a checkpoint), then quits and joins the thread. Blocks."""
        self.stop()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    def _begin(self) -> None:
        if self.busy:
            raise RuntimeError("training is already running")
        self._set_state(STARTING)

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    @Slot(object)
    def _on_progress(self, _progress) -> None:
        if self._state == STARTING:
            self._set_state(TRAINING)

    @Slot(object)
    def _on_event(self, event: Event) -> None:
        if event.kind in PAUSING and self._state in (STARTING, TRAINING):
            self._set_state(PAUSED)
        elif event.kind == EventKind.RESUMED and self._state == PAUSED:
            self._set_state(TRAINING)

    @Slot(str, object)
    def _on_run_started(self, run_dir: str, config) -> None:
        self.run_dir = run_dir
        self.config = config

    @Slot(str)
    def _on_finished(self, _run_dir: str) -> None:
        self._set_state(IDLE)

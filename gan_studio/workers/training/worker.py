"""The training worker: runs the engine's `Trainer` on a QThread and reports by (throttled) signal."""

from __future__ import annotations

import copy
import gc
import logging
import os
import threading
import traceback
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from PySide6.QtCore import Signal, Slot

from gan_studio.core.config import TrainConfig
from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.workers.fresh_thread import call_on_fresh_thread
from gan_studio.workers.tasks import describe_exception
from gan_studio.workers.tf_loader import freeze_loaded_objects, lower_thread_priority
from gan_studio.workers.training.signal_callbacks import DownloadCancelled, SignalCallbacks
from gan_studio.workers.training.signals import TrainingSignals
from gan_studio.workers.training.snapshots import GeneratorSnapshots

log = logging.getLogger(__name__)


def load_engine() -> SimpleNamespace:
    """Imports the training engine (and with it TensorFlow); call it on a worker thread.

    Returns:
        A namespace with `Trainer`, `TrainControl`, `DataUnavailableError`,
        `DatasetCancelledError` and `numpy_generator_from_keras` (for generator snapshots).
    """
    from gan_studio.data import DatasetCancelledError, DataUnavailableError
    from gan_studio.ml.generators.numpy_export import numpy_generator_from_keras
    from gan_studio.ml.training.trainer import TrainControl, Trainer

    return SimpleNamespace(Trainer=Trainer, TrainControl=TrainControl,
                           DataUnavailableError=DataUnavailableError,
                           DatasetCancelledError=DatasetCancelledError,
                           numpy_generator_from_keras=numpy_generator_from_keras)


def settle_garbage() -> None:
    """Collects a finished run's garbage now and freezes what survives.

    A run leaves its models and traced graphs as cyclic garbage, and TensorFlow keeps some
    10,000 objects of each run's train-step graph alive for good. Left alone, the next run's
    full collections scan all of them while holding the GIL: 90 ms stalls of the window after
    a few runs (tests/benchmarks/RESULTS.md, figure 3). Collected here, while the window shows
    a finished run, and the survivors frozen, later passes only scan what later runs make.
    """
    gc.collect()
    freeze_loaded_objects()


class TrainingWorker(TrainingSignals):
    """Runs one training session at a time on the thread it was moved to.

    Create it without a parent, `moveToThread` a started QThread, then call `start` or `resume`
    from the GUI thread. Control methods (`pause`, `stop`...) are thread-safe and take effect
    while `Trainer.run` blocks the worker's thread. Its signals are `TrainingSignals`', emitted
    on the worker's thread.

    Args:
        engine_loader: returns the engine namespace (see `load_engine`); tests pass a fake.
    """

    _start_requested = Signal(object)
    _resume_requested = Signal(str, object, object, object)

    def __init__(self, engine_loader: Callable[[], Any] | None = None):
        super().__init__()
        self._engine_loader = engine_loader or load_engine
        self._lock = threading.Lock()
        self._control = None
        self._requests: dict[str, bool] = {}
        self._holds = 0  # `hold`s not yet released: a run that starts meanwhile waits too
        self._start_requested.connect(self._run_new)
        self._resume_requested.connect(self._run_resumed)

    # ---- called from the GUI thread -------------------------------------------------------
    def start(self, config: TrainConfig) -> None:
        """Starts a new run with a copy of `config` (so the caller may go on changing its own)."""
        self._reset_requests()
        self._start_requested.emit(copy.deepcopy(config))

    def resume(self, run_dir: str, length: dict | None = None,
               checkpoint: str | None = None, overrides: dict | None = None) -> None:
        """Continues the run in `run_dir` (from `checkpoint`, default the latest) on the
        worker's thread, for `length` (`Trainer.resume`'s `minutes`, `epochs` or `max_steps`),
        with the levers `overrides` changes (`Trainer.resume`'s)."""
        self._reset_requests()
        self._resume_requested.emit(run_dir, dict(length or {}), checkpoint,
                                    dict(overrides or {}))

    def pause(self) -> None:
        """Asks the trainer to pause after the current step."""
        self._request("pause")

    def unpause(self) -> None:
        """Lets a paused trainer continue."""
        self._request("resume")

    def stop(self) -> None:
        """Asks the trainer to save a checkpoint and stop; also cancels a download."""
        self._request("stop")

    def request_checkpoint(self) -> None:
        """Asks the trainer to save a checkpoint at the next step."""
        self._request("request_checkpoint")

    def request_evaluation(self) -> None:
        """Asks the trainer to measure the generator's quality at the next step."""
        self._request("request_evaluation")

    def hold(self) -> None:
        """Asks the trainer to wait before its next step until `release` (a latent search
        needs the CPU); counted, and kept for a run that starts before the release."""
        with self._lock:
            self._holds += 1
            if self._control is not None:
                self._control.hold()

    def release(self) -> None:
        """Ends one `hold`."""
        with self._lock:
            if self._holds:
                self._holds -= 1
                if self._control is not None:
                    self._control.release()

    def cancel_download(self) -> None:
        """Aborts a running data-set download (and the run waiting for it)."""
        self._request("cancel")
        self._request("stop")

    def _reset_requests(self) -> None:
        with self._lock:
            self._requests = {}

    def _request(self, name: str) -> None:
        with self._lock:
            if name in ("pause", "resume"):
                self._requests.pop("pause" if name == "resume" else "resume", None)
            self._requests[name] = True
            control = self._control
        if control is not None and name != "cancel":
            getattr(control, name)()

    # ---- run on the worker's thread -------------------------------------------------------
    @Slot(object)
    def _run_new(self, config: TrainConfig) -> None:
        self._run(lambda engine, options: engine.Trainer.create(config, **options))

    @Slot(str, object, object, object)
    def _run_resumed(self, run_dir: str, length: dict, checkpoint: str | None,
                     overrides: dict) -> None:
        strategy = single_machine_strategy(run_dir)
        placement = {"strategy": strategy} if strategy else {}
        changes = {"overrides": overrides} if overrides else {}
        self._run(lambda engine, options: engine.Trainer.resume(
            run_dir, checkpoint=checkpoint, **length, **placement, **changes, **options))

    def _run(self, make_trainer: Callable[[Any, dict], Any]) -> None:
        # Each session gets a thread of its own: TensorFlow on a long-lived QThread hung (or
        # crashed) in the second run of a window session (see `call_on_fresh_thread`).
        call_on_fresh_thread(lambda: self._run_session(make_trainer), "training session")

    def _run_session(self, make_trainer: Callable[[Any, dict], Any]) -> None:
        callbacks = None
        run_dir = ""
        engine = trainer = None
        lower_thread_priority()  # training yields the CPU to the window and the explorer
        try:
            engine = self._engine_loader()
            control = self._make_control(engine)
            convert = getattr(engine, "numpy_generator_from_keras", None)
            snapshots = GeneratorSnapshots(convert, self.generator.emit) if convert else None
            callbacks = SignalCallbacks(self, self._download_cancelled, snapshots)
            trainer = make_trainer(engine, dict(callbacks=callbacks, control=control))
            run_dir = str(trainer.run_dir)
            # A copy: the trainer goes on changing its config (channels, once the data is read).
            self.run_started.emit(run_dir, copy.deepcopy(trainer.config))
            trainer.run()
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user, not kill the thread
            self._report_failure(engine, exc)
        finally:
            if callbacks is not None:
                callbacks.flush()
            with self._lock:
                self._control = None
            trainer = callbacks = snapshots = None
            settle_garbage()
            self.finished.emit(run_dir)

    def _make_control(self, engine: Any) -> Any:
        control = engine.TrainControl()
        with self._lock:
            self._control = control
            requests = dict(self._requests)
            for _ in range(self._holds):
                control.hold()
        for name in ("pause", "request_checkpoint", "request_evaluation", "stop"):
            if requests.get(name):
                getattr(control, name)()
        return control

    def _download_cancelled(self) -> bool:
        with self._lock:
            return self._requests.get("cancel", False)

    def _report_failure(self, engine: Any, exc: Exception) -> None:
        cancelled = self._download_cancelled()
        cancelled_type = getattr(engine, "DatasetCancelledError", DownloadCancelled)
        if cancelled or isinstance(exc, (DownloadCancelled, cancelled_type)):
            message = "Download cancelled." if cancelled else "Stopped before training began."
            self.event.emit(Event(EventKind.CANCELLED, message))
            return
        unavailable = getattr(engine, "DataUnavailableError", None)
        if unavailable is not None and isinstance(exc, unavailable):
            self.data_missing.emit(str(getattr(exc, "url", "")), str(getattr(exc, "path", "")),
                                   str(getattr(exc, "folder", "")))
            return
        log.error("training failed:\n%s", traceback.format_exc())
        self.error.emit(describe_exception(exc))


def single_machine_strategy(run_dir: str) -> str | None:
    """The strategy the window continues a run with: `default` for a multi-worker run (the
    window trains on this machine alone), else None (the run's own)."""
    from gan_studio.core.config import ConfigError, TrainConfig
    from gan_studio.core.runs.layout import CONFIG_FILE

    try:
        config = TrainConfig.load(os.path.join(run_dir, CONFIG_FILE))
    except ConfigError:
        return None  # the trainer names the problem
    return "default" if config.strategy == "multiworker" else None

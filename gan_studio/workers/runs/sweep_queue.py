"""`SweepQueue`: a sweep's runs trained one after another on a thread of their own, reported
to the window by signal."""

from __future__ import annotations

import logging
import traceback

from PySide6.QtCore import QObject, QThread, Signal, Slot

from gan_studio.core.sweep.sweep_plan import SweepPlan
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.core.training.control import TrainControl
from gan_studio.workers.fresh_thread import call_on_fresh_thread
from gan_studio.workers.tasks import describe_exception

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.25  # seconds: the window's progress rate (4 a second)


class _RunReports(TrainingCallbacks):
    """One run's trainer reports: its progress (4 a second) and quality, by signal."""

    progress_interval = PROGRESS_INTERVAL

    def __init__(self, worker: _SweepWorker, index: int):
        self._worker, self._index = worker, index

    def on_progress(self, progress) -> None:
        self._worker.progress.emit((self._index, progress))

    def on_quality(self, report) -> None:
        self._worker.quality.emit((self._index, report))


class _SweepWorker(QObject):
    """Runs a `SweepRunner` on the thread it was moved to; its signals come from there."""

    run_started = Signal(str)
    run_finished = Signal(str)
    progress = Signal(object)
    quality = Signal(object)
    ranked = Signal(object)
    failed = Signal(str)
    finished = Signal(str)
    sweep_folder = Signal(str)

    @Slot(object, object)
    def run(self, source, control: TrainControl) -> None:
        """Trains the sweep `source` (a `SweepPlan`, or a sweep folder to continue)."""
        # A thread per sweep: TensorFlow on a long-lived QThread hung in its second job.
        outcome = call_on_fresh_thread(lambda: self._run(source, control), "sweep")
        self.finished.emit(outcome)

    def _run(self, source, control: TrainControl) -> str:
        from gan_studio.workers.tf_loader import lower_thread_priority

        lower_thread_priority()  # training yields the CPU to the window
        try:
            from gan_studio.ml.training.sweep_runner import SweepRunner

            callbacks = self._callbacks()
            if isinstance(source, SweepPlan):
                runner = SweepRunner.create(source, callbacks=callbacks, control=control,
                                            on_fault="raise")
            else:
                runner = SweepRunner.open(source, callbacks=callbacks, control=control,
                                          on_fault="raise")
            self.sweep_folder.emit(runner.folder)
            return runner.run()
        except Exception as exc:  # noqa: BLE001 - every failure must reach the user
            log.debug("the sweep failed:\n%s", traceback.format_exc())
            self.failed.emit(describe_exception(exc))
            return "failed"

    def _callbacks(self):
        from gan_studio.ml.training.sweep_runner import SweepCallbacks

        worker = self

        class Signals(SweepCallbacks):
            def training_callbacks(self, index, run_dir):
                return _RunReports(worker, index)

            def on_run_started(self, index, run_dir, label):
                worker.run_started.emit(run_dir)

            def on_run_ended(self, index, run_dir, state, reason):
                worker.run_finished.emit(run_dir)
                if reason:
                    worker.failed.emit(f"{run_dir}: {reason}")

            def on_ranked(self, ranking):
                worker.ranked.emit(list(ranking))

        return Signals()


class SweepQueue(QObject):
    """Trains a sweep's runs one after another on a thread of its own.

    Make it on the GUI thread; its signals arrive there. One sweep at a time: `start` a new
    one or `continue_sweep` a stopped one, `stop` it (the current run saves its checkpoint and
    the rest stay pending in sweep.json), and `shutdown` before the window closes.

    Signals:
        sweep_started(str): the sweep's folder, once made or opened.
        run_started(str): a run's folder as it starts or resumes.
        run_finished(str): a run's folder as it ends (done, stopped or failed).
        progress(object): `(index, Progress)` of the current run, at most 4 a second.
        quality(object): `(index, QualityReport)`, each measurement of the current run.
        ranked(object): the ranking (`RankedRun`s, best first) once every run has trained.
        failed(str): one line: a run that failed (its folder and why), or the sweep.
        finished(str): `finished`, `stopped` or `failed`; the queue takes a new sweep.

    Args:
        parent: the owning QObject.
    """

    sweep_started = Signal(str)
    run_started = Signal(str)
    run_finished = Signal(str)
    progress = Signal(object)
    quality = Signal(object)
    ranked = Signal(object)
    failed = Signal(str)
    finished = Signal(str)
    _requested = Signal(object, object)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._control: TrainControl | None = None
        self.folder = ""  # the current (or last) sweep's folder
        self._thread = QThread()
        self._thread.setObjectName("sweep queue")
        self._worker = _SweepWorker()  # parentless: it lives on the thread
        self._worker.moveToThread(self._thread)
        self._requested.connect(self._worker.run)
        # Signal to signal: queued onto this object's (the GUI) thread, as the explorer's
        # slots forward their workers' (a lambda would run on the emitting thread).
        for name in ("run_started", "run_finished", "progress", "quality", "ranked", "failed"):
            getattr(self._worker, name).connect(getattr(self, name))
        self._worker.sweep_folder.connect(self._on_sweep_folder)
        self._worker.finished.connect(self._on_finished)
        self._thread.start()

    @property
    def running(self) -> bool:
        """Whether a sweep is training (or stopping)."""
        return self._control is not None

    def start(self, plan: SweepPlan) -> None:
        """Starts a new sweep of `plan` (its folder is made in the plan's `runs_dir`).

        Raises:
            RuntimeError: if a sweep is running.
        """
        self._begin(plan)

    def continue_sweep(self, folder: str) -> None:
        """Continues the sweep in `folder`: its interrupted run resumes, the pending follow.

        Raises:
            RuntimeError: if a sweep is running.
        """
        self._begin(str(folder))

    def _begin(self, source) -> None:
        if self._control is not None:
            raise RuntimeError("a sweep is running: stop it first")
        self._control = TrainControl()
        self._requested.emit(source, self._control)

    def stop(self) -> None:
        """Stops the current run after its step (a checkpoint is saved); the rest wait."""
        if self._control is not None:
            self._control.stop()

    def shutdown(self) -> None:
        """Stops the sweep, waits for its run to save, and ends the thread."""
        self.stop()
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait()

    @Slot(str)
    def _on_sweep_folder(self, folder: str) -> None:
        self.folder = folder
        self.sweep_started.emit(folder)

    @Slot(str)
    def _on_finished(self, outcome: str) -> None:
        self._control = None
        self.finished.emit(outcome)

"""The signals of a training run, declared once for the worker and the session."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class TrainingSignals(QObject):
    """A QObject with the signals a training run sends.

    `TrainingWorker` emits them on the training thread; `TrainingSession` re-emits the same
    signals on the GUI thread. The hop is needed: PySide calls a slot that is not a QObject's
    method (a lambda, a function, `list.append`) on the thread that emits, so GUI code
    connected straight to the worker would run on the training thread.

    Signals:
        progress(Progress): the steps since the previous report, at most 4 reports a second
            (more only just before a notice and at the end).
        grid(SampleGrid): the fixed-noise grid (uint8), at most 10 a second.
        event(Event): the engine's notices (`checkpoint`, `paused`, `nan`, ...) and `cancelled`.
        error(str): a readable message when training fails.
        data_missing(str, str, str): url, file and folder of a data set that could not be fetched.
        download(object, object): bytes done and total (total may be 0 when unknown).
        run_started(str, object): the run folder and a copy of the run's `TrainConfig`.
        generator(object): a `NumpyGenerator` copy of the generator being trained, at most
            once a second (when the engine offers snapshots) and once more at the end.
        quality(QualityReport): a quality evaluation (each epoch's end, every few minutes and
            on request); small and rare, so never throttled.
        collapse(CollapseWarning): signs of mode collapse, right after the `quality` that
            raised them.
        finished(str): the run folder ("" if none was created), after every run, failed or not.
    """

    progress = Signal(object)
    grid = Signal(object)
    event = Signal(object)
    error = Signal(str)
    data_missing = Signal(str, str, str)
    download = Signal(object, object)
    run_started = Signal(str, object)
    generator = Signal(object)
    quality = Signal(object)
    collapse = Signal(object)
    finished = Signal(str)


SIGNAL_NAMES = tuple(name for name, value in vars(TrainingSignals).items()
                     if isinstance(value, Signal))

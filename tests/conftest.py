"""Shared fixtures for the Qt tests: isolated settings, tiny data sets, a fake engine."""

from __future__ import annotations

import gc
import os
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import write_tiny_mnist

from gan_studio.core.training.events import EventKind

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _point_qsettings_at(folder) -> None:
    """Sends every `QSettings()` without a file name (either format, user and system scope) to
    `folder`: Qt keeps these paths process-wide and has no getter to save them by."""
    from PySide6.QtCore import QSettings

    for form in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
            QSettings.setPath(form, scope, str(folder))


@pytest.fixture(autouse=True)
def _unfrozen_heap():
    """The window's TensorFlow loader freezes the garbage collector's heap (`gc.freeze`, for
    the rest of the process, as it should in the app): no test leaves that to the next one."""
    yield
    gc.unfreeze()


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Each test's own cache folder (the speeds runs note for plans) and default runs folder:
    no test reads the user's, or one that an earlier test wrote, nor trains into ~/Documents."""
    from gan_studio.core.runs.location import RUNS_DIR_ENV
    from gan_studio.core.training.speed_book import CACHE_DIR_ENV

    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "user-cache"))
    monkeypatch.setenv(RUNS_DIR_ENV, str(tmp_path / "default-runs"))


@pytest.fixture(autouse=True)
def _numpy_rendering(monkeypatch):
    """The explorer renders with the numpy copy, as where the OpenVINO extra is missing: which
    CPU backend measures faster is the machine's to say, and pixels may differ by a level.
    The tests of OpenVINO's backend lift this (`GAN_STUDIO_RENDER_BACKEND`)."""
    monkeypatch.setenv("GAN_STUDIO_RENDER_BACKEND", "numpy")


@pytest.fixture(scope="session", autouse=True)
def _settings_home(tmp_path_factory):
    """A session folder for QSettings' default paths: no test reads or writes the user's own
    settings (a `QSettings()` of the app, a Qt file dialog's state), whatever runs before it."""
    folder = tmp_path_factory.mktemp("qsettings-home")
    _point_qsettings_at(folder)
    return folder


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch, _settings_home):
    """Points QSettings at a temporary INI file and returns an `AppSettings` on it.

    The default format and paths are process-wide: they are put back after the test (the
    paths to a session folder), so no later test reads or writes this test's folder.
    """
    from PySide6.QtCore import QSettings

    from gan_studio.ui.settings import AppSettings

    monkeypatch.delenv("GAN_STUDIO_DATA_DIR", raising=False)
    default_format = QSettings.defaultFormat()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "settings"))
    yield AppSettings(QSettings(str(tmp_path / "settings" / "gan-studio.ini"),
                                QSettings.Format.IniFormat))
    QSettings.setDefaultFormat(default_format)
    _point_qsettings_at(_settings_home)


@pytest.fixture
def tiny_mnist_dir(tmp_path):
    """A data folder with a 48-digit mnist.npz (6 steps per epoch at batch 8)."""
    return write_tiny_mnist(tmp_path / "data")


@pytest.fixture
def tiny_config(tiny_mnist_dir, tmp_path):
    """A config that trains on the tiny MNIST with batches of 8 (6 steps per epoch)."""
    from gan_studio.core.config import TrainConfig

    return TrainConfig(dataset="mnist", data_dir=tiny_mnist_dir, runs_dir=str(tmp_path / "runs"),
                       batch_size=8, epochs=1, grid_size=2, sample_every_steps=2)


class FakeTrainer:
    """Stands in for `gan_studio.ml.training.trainer.Trainer`: fast, deterministic, no TensorFlow.

    It reports every step (ignoring `callbacks.progress_interval`, so consumers see reports
    faster than the real trainer sends them) and, when the callbacks want generator
    snapshots, offers the string `model@<step>` after each report. At each epoch's end, and
    after a step at which an evaluation was requested, it sends a `fake_quality` report; from
    the engine's `collapse_at` step on, the reports lose their diversity and the real
    collapse detector's warnings follow them. With the engine's `until_stopped`, a download
    waits before its last chunk and training before its last step until the run is stopped
    (pausing and resuming as asked meanwhile): a test that acts on a running run never finds
    it over, however slowly the machine runs it. `delay` only paces the reports.
    """

    steps_per_epoch = 4

    def __init__(self, engine, config, run_dir, callbacks, control):
        self.engine, self.config, self.run_dir = engine, config, run_dir
        self.callbacks, self.control = callbacks, control
        self.quality = []

    def _total(self):
        """The step the run ends at: a run whose length is a time trains two epochs."""
        return self.config.max_steps or (self.config.epochs or 2) * self.steps_per_epoch

    def run(self):
        engine = self.engine
        engine.runs.append(self)
        if engine.download_bytes:
            for done in range(0, engine.download_bytes + 1, engine.download_bytes // 10):
                if done == engine.download_bytes:
                    self._hold()
                if self.control.stopping:
                    raise engine.DatasetCancelledError("cancelled")
                self.callbacks.on_download(done, engine.download_bytes)
                time.sleep(engine.delay)
        if engine.failure is not None:
            raise engine.failure
        total = self._total()
        for step in range(engine.start_step + 1, total + 1):
            if step == total:
                self._hold()
            self._pause_if_asked()
            if self.control.stopping:
                self._checkpoint(step - 1)
                self.callbacks.on_event(engine.Event(EventKind.STOPPED,
                                                     f"Stopped at step {step - 1}"))
                return "stopped"
            self._report(step)
            requested = self.control.take_evaluation_request()
            if requested or step % self.steps_per_epoch == 0:
                self._evaluate(step)
            if step == engine.nan_at:
                self.callbacks.on_event(engine.Event(EventKind.NAN, "NaN losses", {"step": step}))
                self.control.pause()
            time.sleep(engine.delay)
        self._checkpoint(total)
        self.callbacks.on_event(engine.Event(EventKind.FINISHED,
                                             f"Training finished at step {total}"))
        return "finished"

    def _pause_if_asked(self):
        if self.control.paused and not self.control.stopping:
            self.callbacks.on_event(self.engine.Event(EventKind.PAUSED, "Paused"))
            while not self.control.wait_while_paused(0.01):
                pass
            if not self.control.stopping:
                self.callbacks.on_event(self.engine.Event(EventKind.RESUMED, "Resumed"))

    def _hold(self):
        """With the engine's `until_stopped`, waits here until the run is stopped."""
        while self.engine.until_stopped and not self.control.stopping:
            self._pause_if_asked()
            self.control.stop_event.wait(0.01)

    def _report(self, step):
        epoch = (step - 1) // self.steps_per_epoch
        loss = 1.0 / step
        self.callbacks.on_progress(self.engine.Progress(
            step=step, epoch=epoch, steps_per_epoch=self.steps_per_epoch,
            total_steps=self._total(),
            g_loss=loss, d_loss=2 * loss, d_real=0.7, d_fake=0.3, images_per_sec=100.0,
            eta_seconds=1.0, elapsed_seconds=step * self.engine.delay, steps=[step],
            g_losses=[loss], d_losses=[2 * loss], d_reals=[0.7], d_fakes=[0.3]))
        if self.callbacks.wants_generator:
            self.callbacks.on_generator(f"model@{step}")
        tiles = np.full((4, 3, 3, 1), step % 256, dtype=np.uint8)
        from gan_studio.core.grid import tile_grid

        self.callbacks.on_grid(self.engine.SampleGrid(step, epoch, tile_grid(tiles), tiles))

    def _evaluate(self, step):
        from gan_studio.core.quality.collapse import collapse_warning

        collapsing = self.engine.collapse_at is not None and step >= self.engine.collapse_at
        report = fake_quality(step, (step - 1) // self.steps_per_epoch, collapsing)
        self.quality.append(report)
        self.callbacks.on_quality(report)
        warning = collapse_warning(self.quality)
        if warning is not None:
            self.callbacks.on_collapse(warning)

    def _checkpoint(self, step):
        path = os.path.join(self.run_dir, "checkpoints", f"ckpt-{step}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path + ".index", "w") as f:
            f.write("fake")
        self.callbacks.on_event(self.engine.Event(EventKind.CHECKPOINT,
                                                  f"Checkpoint saved (step {step})",
                                                  {"path": path, "step": step}))


def fake_quality(step, epoch, collapsing=False):
    """A deterministic `QualityReport` whose FD falls as `step` grows (10 classes).

    Args:
        step: the step evaluated.
        epoch: its zero-based epoch.
        collapsing: the samples have lost their variety (diversity 0.3, one class takes 60%)
            and FD has turned (a generator still improving fast is in its untrained start,
            which the collapse detector does not judge).
    """
    from gan_studio.core.quality.report import QualityReport

    fd = 100.0 / step + (50.0 if collapsing else 0.0)
    return QualityReport(step=step, epoch=epoch, fd=fd, kid=0.5 / step,
                         kid_error=0.05 / step, diversity=0.3 if collapsing else 0.9,
                         score=2.0 if collapsing else 8.0, rarest_class=0.0 if collapsing else 0.08,
                         commonest_class=0.6 if collapsing else 0.12, classes=10, samples=64,
                         seconds=0.01, time=1_700_000_000.0 + step)


class FakeEngine(SimpleNamespace):
    """A namespace shaped like `training_worker.load_engine()`'s, driving `FakeTrainer`s.

    Attributes to tweak: `delay` (seconds per step), `failure` (an exception `run` raises),
    `download_bytes` (simulate a download first), `nan_at` (a step with NaN losses),
    `collapse_at` (the step from which the quality reports show a collapsing generator),
    `until_stopped` (runs and downloads end only when stopped: for tests that act mid-run).
    """

    def __init__(self):
        from gan_studio.core.training.control import TrainControl
        from gan_studio.core.training.progress import Event, Progress, SampleGrid

        class DataUnavailableError(Exception):
            def __init__(self, url, path):
                super().__init__(f"cannot download {url}")
                self.url, self.path, self.folder = url, path, os.path.dirname(path)

        class DatasetCancelledError(Exception):
            pass

        engine = self

        class Trainer:
            @classmethod
            def create(cls, config, **kwargs):
                run_dir = os.path.join(config.runs_dir, f"fake-{len(engine.runs)}")
                os.makedirs(run_dir, exist_ok=True)
                return FakeTrainer(engine, config, run_dir, **kwargs)

            @classmethod
            def resume(cls, run_dir, epochs=None, checkpoint=None, strategy=None, minutes=None,
                       max_steps=None, overrides=None, **kwargs):
                from gan_studio.core.config import TrainConfig

                engine.resumed.append((run_dir, epochs, checkpoint))
                engine.overrides.append(overrides)
                engine.lengths.append({"epochs": epochs, "minutes": minutes,
                                       "max_steps": max_steps})
                engine.strategies.append(strategy)
                return FakeTrainer(engine, TrainConfig(epochs=epochs or 2), run_dir, **kwargs)

        super().__init__(Trainer=Trainer, TrainControl=TrainControl,
                         DataUnavailableError=DataUnavailableError,
                         DatasetCancelledError=DatasetCancelledError, Event=Event,
                         Progress=Progress, SampleGrid=SampleGrid, delay=0.005, failure=None,
                         download_bytes=0, nan_at=None, collapse_at=None, start_step=0,
                         until_stopped=False,
                         runs=[], resumed=[], lengths=[], strategies=[], overrides=[], loads=0,
                         lock=threading.Lock())

    def __call__(self):
        self.loads += 1
        return self


@pytest.fixture
def fake_engine():
    """A fresh `FakeEngine`; pass it as `engine_loader`."""
    return FakeEngine()


@pytest.fixture
def quality_report():
    """`fake_quality`: makes the deterministic `QualityReport` the fake trainer sends."""
    return fake_quality


@pytest.fixture
def message_boxes(monkeypatch):
    """Records QMessageBox calls instead of showing them; `question` answers Yes."""
    from PySide6.QtWidgets import QMessageBox

    calls = []

    def recorder(kind, answer=None):
        def record(parent, title, text, *args, **kwargs):
            calls.append((kind, title, text))
            return answer
        return record

    monkeypatch.setattr(QMessageBox, "critical", recorder("critical"))
    monkeypatch.setattr(QMessageBox, "warning", recorder("warning"))
    monkeypatch.setattr(QMessageBox, "information", recorder("information"))
    monkeypatch.setattr(QMessageBox, "about", recorder("about"))
    monkeypatch.setattr(QMessageBox, "question",
                        recorder("question", QMessageBox.StandardButton.Yes))
    return calls


@pytest.fixture
def full_disk(monkeypatch):
    """Every image Pillow saves from now on is written half, then the disk is full (ENOSPC)."""
    import errno

    from PIL import Image

    real_save = Image.Image.save

    def save(self, fp, *args, **kwargs):
        real_save(self, fp, *args, **kwargs)
        with open(fp, "r+b") as f:  # what a partial write leaves: a truncated file
            f.truncate(os.path.getsize(fp) // 2)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Image.Image, "save", save)


@pytest.fixture
def clock(monkeypatch):
    """A monotonic clock the test moves by hand: `clock[0] += seconds` (no sleeping, no flakes)."""
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    return now

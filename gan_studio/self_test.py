"""`gan-studio --self-test`: proves an installed or frozen app works, with no network or data.

It starts the app offscreen, opens the real window, trains the MNIST DCGAN for 2 steps on
generated digits through the window's own training thread, shows the sample grid in the
window, saves it as a PNG in a temporary folder, checks the pixels, and exits 0. Any failure
exits 1 with the reason.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import traceback

import numpy as np

TIMEOUT_S = 300


class SelfTestError(RuntimeError):
    """A self-test check that failed."""


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SelfTestError(message)


def _fake_digits(count: int, seed: int = 0) -> np.ndarray:
    """Bright strokes on black, 28x28: enough like MNIST for two training steps."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[:28, :28]
    images = np.zeros((count, 28, 28), np.uint8)
    for i in range(count):
        cy, cx, r = rng.uniform(9, 19), rng.uniform(9, 19), rng.uniform(4, 8)
        ring = np.abs(np.hypot(yy - cy, xx - cx) - r) < 1.5
        images[i][ring] = 255
    return images


class _AutoGraphWarnings(logging.Handler):
    """Collects AutoGraph's "could not transform" warnings (a frozen app without sources)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        text = record.getMessage()
        if "AutoGraph" in text or "Unable to locate the source code" in text:
            self.messages.append(text)


def _wait(app, predicate, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not predicate():
        if time.monotonic() > deadline:
            raise SelfTestError(f"timed out after {TIMEOUT_S} s waiting for {what}")
        app.processEvents()
        time.sleep(0.01)


def _run(workdir: str) -> str:
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gan_studio.core.resources import icon_path
    from gan_studio.ui.main_window import MainWindow
    from gan_studio.ui.settings import AppSettings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    _check(icon_path(256).is_file(), "the app icon is missing")
    settings = AppSettings(QSettings(os.path.join(workdir, "settings.ini"),
                                     QSettings.Format.IniFormat))
    window = MainWindow(settings=settings, load_tensorflow=False)
    try:
        return _train_and_save(app, window, workdir)
    finally:
        window.shutdown()  # joins every thread, also when a check failed mid-training
        window.close()
        app.processEvents()


def _train_and_save(app, window, workdir: str) -> str:
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.images import load_image, save_png

    window.resize(1280, 800)
    window.show()
    app.processEvents()

    data_dir = os.path.join(workdir, "data")
    os.makedirs(data_dir)
    digits = _fake_digits(32)
    np.savez(os.path.join(data_dir, "mnist.npz"), x_train=digits, y_train=np.zeros(32, np.uint8),
             x_test=digits[:4], y_test=np.zeros(4, np.uint8))
    config = TrainConfig(dataset="mnist", data_dir=data_dir, runs_dir=os.path.join(workdir, "runs"),
                         batch_size=8, max_steps=2, epochs=1, grid_size=4, sample_every_steps=1)
    errors, done = [], []
    window.session.error.connect(errors.append)
    window.session.finished.connect(done.append)
    window.session.train(config)
    _wait(app, lambda: done or errors, "two training steps")
    _check(not errors, f"training failed: {errors[0] if errors else ''}")
    _wait(app, lambda: window.sample_view.current_image() is not None, "the sample grid")

    shown = window.sample_view.current_image()
    _check(shown.shape[:2] == (112, 112), f"unexpected grid shape {shown.shape}")
    _check(int(shown.max()) > int(shown.min()), "the sample grid is blank")
    out = os.path.join(workdir, "self-test-grid.png")
    save_png(out, shown, scale=2)
    saved = load_image(out)
    expected = np.repeat(np.repeat(shown.reshape(112, 112, -1)[..., 0], 2, 0), 2, 1)
    _check(saved.shape == expected.shape and np.array_equal(saved, expected),
           "the saved PNG differs from the pixels shown")
    _check(not window.sample_view.grab().isNull(), "the window could not be rendered")
    return out


def run_self_test() -> int:
    """Runs the self-test; returns 0 on success, 1 on failure (with the reason on stderr)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from gan_studio.ml.device import import_tensorflow

    warnings = _AutoGraphWarnings()
    try:
        tf = import_tensorflow()
        tf.get_logger().addHandler(warnings)
        with tempfile.TemporaryDirectory(prefix="gan-studio-self-test-") as workdir:
            start = time.monotonic()
            path = _run(workdir)
            _check(not warnings.messages, f"AutoGraph warned: {warnings.messages[0] if warnings.messages else ''}")
            print(f"GAN Studio self-test passed in {time.monotonic() - start:.1f} s "
                  f"(trained 2 steps, rendered and saved {os.path.basename(path)})")
        return 0
    except Exception as exc:  # report every failure as the reason, then exit non-zero
        if os.environ.get("GAN_STUDIO_DEBUG"):
            traceback.print_exc()
        print(f"GAN Studio self-test FAILED: {exc}", file=sys.stderr)
        return 1

"""`gan-studio --self-test`: proves an installed or frozen app works, with no network or data.

It starts the app offscreen, opens the real window, trains the MNIST DCGAN for 2 steps on
generated digits through the window's own training thread, shows the sample grid in the
window, saves it as a PNG in a temporary folder and checks the pixels. Then, on the run it
trained (`self_test_checks`), the latent explorer renders it, the quality meter scores it,
Find Image in Latent Space searches one step for a held-out digit, and `gan-studio sample`
runs in a process of its own. It prints one line per check and exits 0; any failure exits 1
with the reason.
"""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import time
import traceback

import numpy as np

from gan_studio.self_test_checks import Driver, run_checks
from gan_studio.self_test_checks import check as _check

TRAIN_IMAGES, TEST_IMAGES = 32, 16


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


def _run(workdir: str) -> list[str]:
    """Trains in the window, then runs the checks on the run; returns one line per check."""
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from gan_studio.core.images import save_png
    from gan_studio.core.resources import icon_path
    from gan_studio.ui.main_window import MainWindow
    from gan_studio.ui.settings import AppSettings

    app = QApplication.instance() or QApplication([sys.argv[0]])
    _check(icon_path(256).is_file(), "the app icon is missing")
    settings = AppSettings(QSettings(os.path.join(workdir, "settings.ini"),
                                     QSettings.Format.IniFormat))
    window = MainWindow(settings=settings, load_tensorflow=False)
    driver = Driver(app, window)
    try:
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        digits = _write_data(os.path.join(workdir, "data"))
        picture = os.path.join(workdir, "held-out-digit.png")
        save_png(picture, digits[TRAIN_IMAGES])  # a test image: never trained on
        start = time.monotonic()
        grid = _train_and_save(driver, workdir)
        lines = [f"trained 2 steps in the window, showed and saved the sample grid "
                 f"({os.path.basename(grid)}; {time.monotonic() - start:.1f} s)"]
        return lines + run_checks(driver, window.session.run_dir, picture, workdir)
    finally:
        driver.stop()
        window.shutdown()  # joins every thread, also when a check failed mid-training
        window.close()
        app.processEvents()


def _write_data(data_dir: str) -> np.ndarray:
    """Writes fake digits as the MNIST cache file (train and test splits); returns them all."""
    os.makedirs(data_dir)
    digits = _fake_digits(TRAIN_IMAGES + TEST_IMAGES)
    train, test = digits[:TRAIN_IMAGES], digits[TRAIN_IMAGES:]
    np.savez(os.path.join(data_dir, "mnist.npz"), x_train=train,
             y_train=np.zeros(len(train), np.uint8), x_test=test,
             y_test=np.zeros(len(test), np.uint8))
    return digits


def _train_and_save(driver: Driver, workdir: str) -> str:
    from gan_studio.core.config import TrainConfig
    from gan_studio.core.images import load_image, save_png

    window, data_dir = driver.window, os.path.join(workdir, "data")
    config = TrainConfig(dataset="mnist", data_dir=data_dir, runs_dir=os.path.join(workdir, "runs"),
                         batch_size=8, max_steps=2, epochs=1, grid_size=4, sample_every_steps=1)
    errors, done = [], []
    window.session.error.connect(errors.append)
    window.session.finished.connect(done.append)
    window.session.train(config)
    driver.wait(lambda: done or errors, "two training steps")
    _check(not errors, f"training failed: {errors[0] if errors else ''}")
    driver.wait(lambda: window.sample_view.current_image() is not None, "the sample grid")

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
    from gan_studio.ml.runtime.device import import_tensorflow

    warnings = _AutoGraphWarnings()
    try:
        tf = import_tensorflow()
        tf.get_logger().addHandler(warnings)
        with tempfile.TemporaryDirectory(prefix="gan-studio-self-test-") as workdir:
            start = time.monotonic()
            lines = _run(workdir)
            _check(not warnings.messages, f"AutoGraph warned: {warnings.messages[0] if warnings.messages else ''}")
            print(f"GAN Studio self-test passed in {time.monotonic() - start:.1f} s:")
            for line in lines:
                print(f"  {line}")
        return 0
    except Exception as exc:  # report every failure as the reason, then exit non-zero
        if os.environ.get("GAN_STUDIO_DEBUG"):
            traceback.print_exc()
        print(f"GAN Studio self-test FAILED: {exc}", file=sys.stderr)
        return 1

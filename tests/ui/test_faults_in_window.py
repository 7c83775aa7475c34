"""Faults of a real run in the window (TensorFlow on the CPU): losses that become NaN, and a
disk that refuses a run file. Both pause the run and ask; neither ends it nor writes a
checkpoint from bad weights."""

import os
import re

import numpy as np
import pytest
from helpers import refuse_grids
from PySide6.QtCore import Qt

from gan_studio.core.runs.layout import list_checkpoints
from gan_studio.core.training.session_states import PAUSED
from gan_studio.ui.training import training_feedback

TIMEOUT = 180_000  # ms: the first run imports TensorFlow and traces the models


@pytest.fixture
def window(open_window, tiny_mnist_dir):
    return open_window(dataset="mnist", data_dir=tiny_mnist_dir, batch_size=8,
                       length=(50, "epochs"),
                       sample_every_steps=1, grid_size=2)


def test_real_nan_losses_pause_ask_with_the_step_and_write_no_checkpoint(
        qtbot, window, monkeypatch, message_boxes):
    from gan_studio.ml.training import gan as gan_module

    poison, real_train = [False], gan_module.GAN.train

    def train(self, batches, step):
        if poison[0]:  # real NaN losses: the discriminator's first kernel becomes NaN
            kernel = self.discriminator.trainable_variables[0]
            kernel.assign(kernel * np.nan)
        return real_train(self, batches, step)

    monkeypatch.setattr(gan_module.GAN, "train", train)
    asked = []
    monkeypatch.setattr(training_feedback, "ask_after_nan",
                        lambda parent, message: asked.append(message) or "keep_paused")
    session = window.session
    qtbot.mouseClick(window.training_panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.loss_plot.point_count >= 3, timeout=TIMEOUT)
    session.request_checkpoint()
    qtbot.waitUntil(lambda: bool(list_checkpoints(session.run_dir)), timeout=30000)
    poison[0] = True
    qtbot.waitUntil(lambda: bool(asked), timeout=30000)
    assert session.state == PAUSED
    step = int(re.search(r"at step (\d+)", asked[0]).group(1))
    assert "Roll back" in asked[0]
    before = [s for s, _ in list_checkpoints(session.run_dir)]
    assert before and max(before) < step
    session.request_checkpoint()  # asked for while poisoned: refused, as is the stop's save
    with qtbot.waitSignal(session.finished, timeout=60000):
        qtbot.mouseClick(window.training_panel.stop_button, Qt.MouseButton.LeftButton)
    assert [s for s, _ in list_checkpoints(session.run_dir)] == before
    assert not [m for m in message_boxes if m[0] == "critical"], message_boxes


def test_a_full_disk_pauses_the_real_run_asks_and_resume_goes_on(qtbot, window, monkeypatch,
                                                                 message_boxes):
    full = refuse_grids(monkeypatch)
    asked = []

    def answer(parent, message):
        asked.append(message)
        full[0] = False  # the user made room
        return "resume"

    monkeypatch.setattr(training_feedback, "ask_after_write_failure", answer)
    session = window.session
    states = []
    session.state_changed.connect(states.append)
    qtbot.mouseClick(window.training_panel.train_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.loss_plot.point_count >= 3, timeout=TIMEOUT)
    full[0] = True
    qtbot.waitUntil(lambda: bool(asked), timeout=30000)
    assert asked[0].startswith("Cannot write the sample grid ")
    assert "No space left on device" in asked[0] and "\n" not in asked[0]
    qtbot.waitUntil(lambda: states[-1:] == ["training"] and PAUSED in states, timeout=30000)
    resumed_at = window.loss_plot.point_count
    qtbot.waitUntil(lambda: window.loss_plot.point_count > resumed_at + 2, timeout=30000)
    with qtbot.waitSignal(session.finished, timeout=60000):
        qtbot.mouseClick(window.training_panel.stop_button, Qt.MouseButton.LeftButton)
    assert list_checkpoints(session.run_dir)
    samples = os.path.join(session.run_dir, "samples")
    assert not [n for n in os.listdir(samples) if n.endswith(".tmp")]
    assert not [m for m in message_boxes if m[0] == "critical"], message_boxes

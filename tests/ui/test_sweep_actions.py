"""Sweeps in the real window, with a queue that stands in for the trainer: Training → Sweep…
starts the dialog's plan, each run joins the comparison as it starts, the ranking shows at the
end, Train waits while a sweep runs, and closing the window stops the sweep to be continued."""

import os

import pytest
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QDialog

from gan_studio.core.config import TrainConfig
from gan_studio.core.sweep.ranking import RankedRun
from gan_studio.core.sweep.sweep_file import new_sweep
from gan_studio.core.sweep.sweep_plan import make_plan
from gan_studio.ui.runs import sweep_actions
from gan_studio.ui.runs.sweep_actions import SweepActions


class FakeQueue(QObject):
    """The `SweepQueue`'s interface, driven by the test."""

    sweep_started = Signal(str)
    run_started = Signal(str)
    run_finished = Signal(str)
    progress = Signal(object)
    quality = Signal(object)
    ranked = Signal(object)
    failed = Signal(str)
    finished = Signal(str)

    def __init__(self):
        super().__init__()
        self.running, self.folder, self.started, self.stops = False, "", [], 0

    def start(self, plan):
        self.running = True
        self.started.append(plan)

    def continue_sweep(self, folder):
        self.running = True
        self.started.append(folder)

    def stop(self):
        self.stops += 1

    def end(self, outcome):
        self.running = False
        self.finished.emit(outcome)

    def shutdown(self):
        self.running = False


@pytest.fixture
def window(open_window, fake_engine):
    return open_window(fake_engine, length=(2, "epochs"), batch_size=8)


@pytest.fixture
def queue(window):
    fake = FakeQueue()
    window.sweeps.shutdown()  # the real queue's thread
    sweeps = SweepActions(window, window.session, window.training_panel.config,
                          lambda: window.runs_windows.comparison, queue=fake)
    window.sweeps = sweeps
    window.training_panel.train_blocked_by = sweeps.blocked_reason
    fake.finished.connect(window._close_if_requested)
    return fake


def run_folder(sweep, index: int) -> str:
    sweep.runs[index].run_dir = f"run-{index}"
    sweep.runs[index].state = "running"
    sweep.save()
    path = sweep.run_path(index)
    os.makedirs(path, exist_ok=True)
    TrainConfig(dataset="mnist", learning_rate=(1e-4, 2e-4)[index]).save(
        os.path.join(path, "config.json"))
    return path


def test_a_sweep_from_the_menu_shows_its_runs_live_and_its_ranking(qtbot, window, queue,
                                                                  tmp_path, monkeypatch,
                                                                  message_boxes):
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()[1].menu().actions()]
    assert {"Sweep…", "Continue Sweep…", "Stop Sweep"} <= set(titles)
    plan = make_plan("mnist", ["lr=1e-4,2e-4"], minutes=3, runs_dir=str(tmp_path / "runs"))
    monkeypatch.setattr(sweep_actions.SweepDialog, "exec",
                        lambda self: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(sweep_actions.SweepDialog, "plan", lambda self: plan)
    sweeps = window.sweeps
    sweeps.start_sweep.trigger()
    assert queue.started == [plan] and sweeps.running
    assert not sweeps.start_sweep.isEnabled() and sweeps.stop_action.isEnabled()

    sweep = new_sweep(plan)
    queue.folder = sweep.folder
    queue.sweep_started.emit(sweep.folder)
    compare = window.runs_windows.comparison
    assert compare.isVisible() and compare.windowTitle().startswith("Sweep: sweep-mnist-")
    first = run_folder(sweep, 0)
    queue.run_started.emit(first)
    assert compare.run_dirs == [first] and sweeps.current_run == first
    assert window.runs_windows._folders_training() == [first]  # the library guards it

    window.training_panel.train_action.trigger()  # Train waits for the sweep
    assert not window.session.busy
    assert message_boxes[-1][0:2] == ("information", "Train")
    assert "A sweep is training" in message_boxes[-1][2]

    queue.run_finished.emit(first)
    second = run_folder(sweep, 1)
    queue.run_started.emit(second)
    assert compare.run_dirs == [first, second]
    ranking = [RankedRun(1, 1, "lr 0.0002", {"learning_rate": 2e-4}, 41.0, 0.02, 8.1, 0.9,
                         500, 16000, 3.0, second, "done"),
               RankedRun(2, 0, "lr 0.0001", {"learning_rate": 1e-4}, 55.0, 0.03, 7.5, 0.8,
                         480, 15360, 3.0, first, "done")]
    queue.ranked.emit(ranking)
    table = sweeps.ranking_dialog.findChild(sweep_actions.QPlainTextEdit).toPlainText()
    lines = table.splitlines()
    assert lines[0].split()[:3] == ["rank", "levers", "FD"]
    assert lines[1].split()[:4] == ["1", "lr", "0.0002", "41.000"]
    queue.end("finished")
    assert not sweeps.running and sweeps.start_sweep.isEnabled()


def test_closing_the_window_stops_the_sweep_and_closes_once_it_has(qtbot, window, queue,
                                                                   message_boxes):
    queue.running = True
    window.close()
    assert window.isVisible() and queue.stops == 1  # asked (Yes), then stopping
    assert "A sweep is still running" in message_boxes[-1][2]
    assert "Continue Sweep" in message_boxes[-1][2]
    queue.end("stopped")
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=5000)


def test_continue_refuses_a_folder_that_is_no_sweep(qtbot, window, queue, tmp_path,
                                                    message_boxes):
    window.sweeps.continue_sweep(str(tmp_path))
    assert queue.started == []
    assert message_boxes[-1][1:] == ("Continue Sweep", f"{tmp_path} is not a sweep folder "
                                                       "(it has no sweep.json).")


def test_continue_sweep_offers_the_sweeps_with_runs_left(qtbot, window, queue, tmp_path,
                                                         monkeypatch):
    from PySide6.QtWidgets import QInputDialog

    from gan_studio.core.sweep.sweep_file import STOPPED

    runs_dir = window.training_panel.runs_dir.path()
    plan = make_plan("mnist", ["lr=1e-4,2e-4"], minutes=3, runs_dir=runs_dir)
    sweep = new_sweep(plan)
    sweep.runs[0].state = STOPPED
    sweep.save()
    window.sweeps.mention_unfinished()  # as the window does once it is ready
    assert window.statusBar().currentMessage().startswith(os.path.basename(sweep.folder))
    offered = []
    monkeypatch.setattr(QInputDialog, "getItem", lambda parent, title, label, items, *a: (
        offered.extend(items), items[0], True)[1:])
    window.sweeps.continue_action.trigger()
    assert offered == [sweep.describe(), "Another sweep folder…"]
    assert queue.started == [sweep.folder] and window.sweeps.running

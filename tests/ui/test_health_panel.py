"""The Health dock: the doctor's findings for the run shown, and the remedy's one click."""

import os

from PySide6.QtCore import QObject, Qt, Signal
from synthetic_runs import healthy_metrics, make_run

from gan_studio.core.runs.run_model import RunModel
from gan_studio.ui.training.health_panel import UNTRAINED, HealthPanel


def winning_run(folder):
    metrics = healthy_metrics()
    metrics["d_real"][1500:], metrics["d_fake"][1500:] = 0.97, 0.03
    return make_run(folder, metrics)


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


class FakeSession(QObject):
    """The session's one signal the panel follows."""

    progress = Signal(object)


def test_findings_show_with_evidence_and_the_remedy_asks_first(qtbot, tmp_path):
    run = RunModel()
    panel = HealthPanel(run=run)
    qtbot.addWidget(panel)
    run_dir = winning_run(tmp_path / "run")
    run.show_run(run_dir, None)
    assert panel.text.startswith("1 problem found (checked losses of 2,000 steps")
    (button,) = panel.buttons
    assert button.text() == "Continue from Step 1,500…"
    assert button.toolTip().startswith("Continue from step 1,500 with augment on (ckpt-1500)")
    asked = []
    panel.confirm = lambda parent, title, text: asked.append(text) or False
    with qtbot.assertNotEmitted(panel.remedy_requested):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert "ckpt-1500" in asked[0] and "continues from that checkpoint" in asked[0]
    panel.confirm = lambda *args: True
    with qtbot.waitSignal(panel.remedy_requested) as sent:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    folder, remedy = sent.args
    assert folder == run_dir and remedy.overrides == {"augment": "on"}
    assert remedy.checkpoint == os.path.join(run_dir, "checkpoints", "ckpt-1500")


def test_healthy_untrained_and_unreadable_runs_say_so(qtbot, tmp_path):
    run = RunModel()
    panel = HealthPanel(run=run)
    qtbot.addWidget(panel)
    run.show_run(make_run(tmp_path / "healthy"), None)
    assert panel.text.startswith("No problems found (checked losses of 2,000 steps, "
                                 "5 quality evaluations, the sample grid of step 2,000)")
    assert panel.buttons == []
    run.show_run(make_run(tmp_path / "young", reports=[]), None)
    assert panel.text == UNTRAINED
    broken = make_run(tmp_path / "broken")
    with open(os.path.join(broken, "config.json"), "w") as f:
        f.write("{")
    run.show_run(broken, None)
    assert panel.text.startswith("The doctor cannot read this run: cannot read config")
    run.clear_run()
    assert panel.text.startswith("Open or start a run")


def test_it_reads_off_the_gui_thread_and_looks_again_during_training(qtbot, tmp_path):
    from gan_studio.workers.tasks import TaskRunner

    tasks, clock, session = TaskRunner("health-test"), Clock(), FakeSession()
    run = RunModel()
    panel = HealthPanel(session, run, tasks, clock=clock)
    qtbot.addWidget(panel)
    run_dir = make_run(tmp_path / "run")
    run.show_run(run_dir, None)
    qtbot.waitUntil(lambda: panel.text.startswith("No problems found"), timeout=10000)
    # the run goes on and its discriminator starts winning: seen once the throttle allows
    winning_run(tmp_path / "run")
    session.progress.emit(object())
    qtbot.wait(50)
    assert panel.text.startswith("No problems found")  # within the throttle: not read again
    clock.now += 10
    session.progress.emit(object())
    qtbot.waitUntil(lambda: panel.text.startswith("1 problem found"), timeout=10000)
    tasks.shutdown()


def test_the_window_continues_the_run_with_the_changed_lever(qtbot, open_window, fake_engine,
                                                             tmp_path):
    """End to end: the remedy's button, through RunActions (Roll Back's path), reaches the
    trainer's resume with the checkpoint and the override."""
    window = open_window(fake_engine)
    run_dir = winning_run(tmp_path / "run")
    window.runs.open_run_dir(run_dir)
    panel = window.health_panel
    qtbot.waitUntil(lambda: len(panel.buttons) == 1, timeout=10000)
    panel.confirm = lambda *args: True
    qtbot.mouseClick(panel.buttons[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake_engine.resumed) == 1, timeout=10000)
    assert fake_engine.resumed[0][2] == os.path.join(run_dir, "checkpoints", "ckpt-1500")
    assert fake_engine.overrides == [{"augment": "on"}]
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)

"""The quality meter in the window: the Quality plot, the sample grid's caption, the progress
panel's line, the collapse banner and Evaluate Now, fed by the fake engine or by hand."""

import dataclasses
import os
import pathlib
import re

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog

from gan_studio.core.quality.collapse import CollapseWarning
from gan_studio.core.quality.report import FD_NAME, append_quality
from gan_studio.core.runs.run_model import RunModel
from gan_studio.core.training.progress import SampleGrid
from gan_studio.ui.training.collapse_banner import NO_BEST_TIP, CollapseBanner
from gan_studio.ui.training.quality_plot import QualityPlot
from gan_studio.ui.training.sample_grid_view import SampleGridView

UI = pathlib.Path(__file__).parents[2] / "gan_studio" / "ui"


def grid(step):
    tiles = np.full((4, 2, 2, 1), step % 256, np.uint8)
    return SampleGrid(step=step, epoch=0, image=np.full((4, 4), step % 256, np.uint8),
                      tiles=tiles)


def start(qtbot, window):
    with qtbot.waitSignal(window.session.run_started, timeout=10000):
        window.training_panel.train_action.trigger()
    return window.session.run_dir


# ---- the plot -------------------------------------------------------------------------------
def test_the_plot_grows_in_place_from_a_fake_run(qtbot, open_window, fake_engine):
    window = open_window(fake_engine, length=(3, "epochs"), batch_size=8)
    plot = window.quality_plot
    assert "each epoch's end and every 5 minutes" in plot.empty_text
    assert "Training → Evaluate Now measures at once" in plot.empty_text
    docks = window._docks
    assert docks["quality"] in window.tabifiedDockWidgets(docks["losses"])
    assert docks["explorer"] in window.tabifiedDockWidgets(docks["losses"])
    items = dict(plot.curves), plot.kid_errors
    fake_engine.delay = 0.05
    start(qtbot, window)
    qtbot.waitUntil(lambda: plot.point_count >= 1, timeout=10000)
    assert len(plot.curves["fd"].getData()[0]) == plot.point_count
    qtbot.waitUntil(lambda: not window.session.busy, timeout=10000)
    assert (dict(plot.curves), plot.kid_errors) == items  # the same items, more points
    steps, fds = plot.curves["fd"].getData()
    assert list(steps) == [4, 8, 12] and fds[0] > fds[1] > fds[2]
    assert list(plot.curves["score"].getData()[1]) == [8.0] * 3
    assert plot.report_at(8).step == 8 and plot.report_at(9) is None
    assert FD_NAME in plot.distance_plot.getAxis("left").labelText
    assert window.progress_panel.quality_text.startswith(f"{FD_NAME} {100 / 12:.2f}")
    assert window.progress_panel.quality_text.endswith("(step 12)")


def test_unlabelled_reports_have_no_score_axis(qtbot, quality_report):
    plot = QualityPlot()
    qtbot.addWidget(plot)
    plot.add(dataclasses.replace(quality_report(4, 0), score=None, rarest_class=None,
                                 commonest_class=None, classes=0))
    steps, _scores = plot.curves["score"].getData()
    assert plot.point_count == 1 and (steps is None or len(steps) == 0)
    axis = plot.sample_plot.getAxis("right")  # kept for the steps to line up, but empty
    assert not axis.style["showValues"] and axis.labelText == "" and not plot._score_box.isVisible()
    assert axis.width() == plot.distance_plot.getAxis("right").width()
    assert "KID" in plot._tip(4.0, 0.0) and "score" not in plot._tip(4.0, 0.0)
    plot.clear()
    assert plot.point_count == 0 and plot.report_at(4) is None


def test_the_meter_is_called_fd_never_fid():
    for path in UI.rglob("*.py"):
        assert not re.search(r"\bFID\b", path.read_text(encoding="utf-8")), path


# ---- the sample grid's caption --------------------------------------------------------------
def test_the_slider_names_the_quality_of_the_grid_it_shows(qtbot, quality_report):
    run = RunModel()
    view = SampleGridView(run=run)
    qtbot.addWidget(view)
    for step in (500, 600, 700):
        view.add_grid(grid(step))
    assert view.caption == "step 700 · 3 / 3"  # nothing measured yet
    run.add_report(dataclasses.replace(quality_report(500, 4), fd=14.0))
    run.add_report(dataclasses.replace(quality_report(600, 5), fd=12.34, score=8.1))
    assert view.caption == "step 700 · 3 / 3 · FD 12.3 at step 600"
    view._slider.setValue(1)
    assert view.caption == "step 600 · 2 / 3 · FD 12.3 · score 8.1"
    view._slider.setValue(0)
    assert view.caption == "step 500 · 1 / 3 · FD 14 · score 8"
    run.set_reports([])
    assert view.caption == "step 500 · 1 / 3"


# ---- an opened run --------------------------------------------------------------------------
def test_an_opened_run_shows_its_quality_and_a_new_run_clears_it(qtbot, open_window,
                                                                 finished_run, quality_report):
    window = open_window()
    run_dir = finished_run  # its grids are at steps 10 and 20, the ends of its two epochs
    append_quality(run_dir, dataclasses.replace(quality_report(10, 0), fd=20.0))
    append_quality(run_dir, dataclasses.replace(quality_report(20, 1), fd=10.0))
    window.runs.open_run_dir(str(run_dir))
    qtbot.waitUntil(lambda: window.training_panel.run_dir == str(run_dir), timeout=10000)
    assert window.quality_plot.point_count == 2
    assert list(window.quality_plot.curves["fd"].getData()[1]) == [20.0, 10.0]
    view = window.sample_view
    assert view.caption == "step 20 · 2 / 2 · FD 10 · score 8"
    view._slider.setValue(0)
    assert view.caption == "step 10 · 1 / 2 · FD 20 · score 8"
    assert window.progress_panel.quality_text.endswith("(step 20)")
    window.runs.new_run.trigger()
    assert window.quality_plot.point_count == 0 and window.progress_panel.quality_text == "–"


# ---- the collapse banner --------------------------------------------------------------------
def test_a_collapse_shows_a_banner_that_rolls_back_to_the_best_checkpoint(qtbot, open_window,
                                                                          fake_engine, tmp_path):
    best = tmp_path / "runs" / "fake-0" / "best"
    best.mkdir(parents=True)
    (best / "best-4.index").write_text("fake")
    window = open_window(fake_engine, length=(50, "epochs"), batch_size=8)
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True  # training goes on under the banner until stopped
    fake_engine.collapse_at = 8
    banner = window.collapse_banner
    assert not banner.isVisible()
    run_dir = start(qtbot, window)
    qtbot.waitUntil(banner.isVisible, timeout=10000)
    # The first collapsing report (step 8) raised it; training goes on, so on a busy machine a
    # later report's warning may already have replaced it when the test reads the text.
    seen = re.search(r"Signs of mode collapse at step (\d+)\.", banner.text)
    assert seen and int(seen.group(1)) >= 8
    assert "only 30% as varied as real images" in banner.text  # the evidence, with its numbers
    assert "One class takes 60% of the samples" in banner.text
    assert QApplication.activeModalWidget() is None and not isinstance(banner, QDialog)
    assert window.session.busy  # training goes on under the warning
    assert banner.roll_back_button.isEnabled()
    qtbot.mouseClick(banner.roll_back_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(fake_engine.resumed) == 1, timeout=10000)
    assert fake_engine.resumed[0] == (run_dir, 50, os.path.join(run_dir, "best", "best-4"))
    assert not banner.isVisible()
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        window.training_panel.stop_action.trigger()


def test_roll_back_to_best_waits_for_a_best_checkpoint(qtbot, tmp_path):
    run = RunModel()
    run.show_run(str(tmp_path), None)
    banner = CollapseBanner(run=run)
    qtbot.addWidget(banner)
    warning = CollapseWarning(300, ("Variety fell from 0.90 to 0.40 of real images'.",))
    banner.show_warning(warning)
    assert not banner.isHidden()
    assert banner.text == ("Signs of mode collapse at step 300. "
                           "Variety fell from 0.90 to 0.40 of real images'.")
    assert not banner.roll_back_button.isEnabled()
    assert banner.roll_back_button.toolTip() == NO_BEST_TIP
    (tmp_path / "best").mkdir()
    (tmp_path / "best" / "best-200.index").write_text("fake")
    banner._look_again()  # as a quality report or a notice would
    assert banner.roll_back_button.isEnabled() and "best-200" in banner.roll_back_button.toolTip()
    with qtbot.waitSignal(banner.roll_back_requested) as requested:
        banner.roll_back_button.click()
    assert requested.args == [str(tmp_path), str(tmp_path / "best" / "best-200")]
    assert banner.isHidden() and banner.warning is None
    banner.show_warning(warning)
    banner.dismiss_button.click()
    assert banner.isHidden()


def test_the_banner_goes_when_a_later_measurement_shows_no_signs(qtbot):
    from PySide6.QtCore import QObject, Signal

    from gan_studio.core.training.events import EventKind
    from gan_studio.core.training.progress import Event

    class Session(QObject):
        collapse, quality, event, run_started = Signal(object), Signal(object), Signal(object), \
            Signal(str, object)

    session = Session()
    banner = CollapseBanner(session)
    qtbot.addWidget(banner)
    session.collapse.emit(CollapseWarning(110, ("Samples are only 25% as varied.",)))
    assert not banner.isHidden()
    session.event.emit(Event(EventKind.CHECKPOINT, "Checkpoint saved", {"step": 200}))
    assert not banner.isHidden()  # other notices leave it
    session.event.emit(Event(EventKind.COLLAPSE_CLEARED, "No signs of mode collapse",
                             {"step": 450}))
    assert banner.isHidden() and banner.warning is None


# ---- Evaluate Now ---------------------------------------------------------------------------
def test_evaluate_now_measures_at_once(qtbot, open_window, fake_engine, monkeypatch):
    import sys

    # Epochs too long to end here: every report then comes from the request.
    fake_trainer = sys.modules[type(fake_engine).__module__].FakeTrainer
    monkeypatch.setattr(fake_trainer, "steps_per_epoch", 10_000)
    window = open_window(fake_engine, length=(1, "epochs"), batch_size=8)
    action = window.runs.evaluate_now
    training_menu = window.menuBar().actions()[1].menu()
    assert action in training_menu.actions() and action.shortcut().toString() == "F7"
    assert not action.isEnabled()
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True
    start(qtbot, window)
    qtbot.waitUntil(lambda: window.session.state == "training", timeout=10000)
    window.training_panel.pause_action.trigger()
    assert action.isEnabled()
    action.trigger()
    assert "Measuring" in window.statusBar().currentMessage()
    window.training_panel.pause_action.trigger()
    qtbot.waitUntil(lambda: len(window.run.reports) == 1, timeout=10000)
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        window.training_panel.stop_action.trigger()
    assert not action.isEnabled()


def test_evaluate_now_is_answered_in_the_status_bar(qtbot, open_window, fake_engine,
                                                   monkeypatch):
    import sys

    from gan_studio.core.training.events import EventKind
    from gan_studio.core.training.progress import Event

    fake_trainer = sys.modules[type(fake_engine).__module__].FakeTrainer
    monkeypatch.setattr(fake_trainer, "steps_per_epoch", 10_000)  # reports only when asked
    measure, answers = fake_trainer._evaluate, iter(["prepared", "off"])

    def answer(self, step):  # as LiveQuality answers: a meter to prepare first, then one off
        if next(answers) == "off":
            self.callbacks.on_event(Event(EventKind.QUALITY_OFF, "The quality meter is off for "
                                          "this run: training diverged (NaN or Inf losses)"))
            return
        for done in (1, 2):
            self.callbacks.on_event(Event(EventKind.QUALITY_PREPARING, "Preparing the quality "
                                          f"meter's feature network: {done} / 3",
                                          {"done": done, "total": 3}))
        self.callbacks.on_event(Event(EventKind.QUALITY_PREPARING, "The quality meter is ready; "
                                      "measuring the generator's quality…"))
        measure(self, step)

    monkeypatch.setattr(fake_trainer, "_evaluate", answer)
    window = open_window(fake_engine, length=(1, "epochs"), batch_size=8)
    bar, shown = window.statusBar(), []
    bar.messageChanged.connect(lambda text: text and shown.append(text))
    fake_engine.delay = 0.02
    fake_engine.until_stopped = True
    start(qtbot, window)
    qtbot.waitUntil(lambda: window.session.state == "training", timeout=10000)
    window.runs.evaluate_now.trigger()
    qtbot.waitUntil(lambda: bar.currentMessage().startswith("Quality at step"), timeout=10000)
    asked = next(i for i, text in enumerate(shown) if text.startswith("Measuring"))
    expected = ["Preparing the quality meter's feature network: 1 / 3",
                "Preparing the quality meter's feature network: 2 / 3",
                "The quality meter is ready; measuring", "Quality at step"]
    assert len(shown) == asked + 1 + len(expected)  # each replaced the one before
    assert all(text.startswith(start) for text, start in zip(shown[asked + 1:], expected))
    report = window.run.reports[-1]
    assert shown[-1].startswith(f"Quality at step {report.step:,}: {FD_NAME} {report.fd:.2f}")
    window.runs.evaluate_now.trigger()  # the meter is off now: it says why, in one line
    qtbot.waitUntil(lambda: "quality meter is off" in bar.currentMessage(), timeout=10000)
    assert "diverged" in bar.currentMessage() and len(window.run.reports) == 1
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        window.training_panel.stop_action.trigger()


def test_the_training_views_and_the_explorer_follow_the_run_model(qtbot, open_window,
                                                                  finished_run, quality_report):
    from gan_studio.core.runs.history import load_run_history

    window = open_window()
    append_quality(finished_run, dataclasses.replace(quality_report(20, 1), fd=10.0))
    history = load_run_history(str(finished_run))
    window.run.show_saved(history)  # no action in between: each view follows the model itself
    assert window.training_panel.run_dir == str(finished_run)
    assert window.loss_plot.point_count == 20 and window.sample_view.frame_count == 2
    assert window.quality_plot.point_count == 1 and "FD 10" in window.sample_view.caption
    assert window.progress_panel.quality_text.startswith("FD")
    assert window.runs.export_generator.isEnabled()  # the run's actions follow it too
    window.run.set_tile_latents(np.eye(4, 100, dtype=np.float32))
    window.sample_view.select_tile(3)
    assert window.run.selected_tile == 3 and window.sample_view.selected_tile_image() is not None
    assert window.explorer._tile_latent() is None  # no generator in the explorer yet
    window.run.start_afresh()  # a different run starts: every view forgets this one
    assert window.loss_plot.point_count == 0 and window.sample_view.frame_count == 0
    assert window.quality_plot.point_count == 0 and window.progress_panel.quality_text == "–"
    assert window.run.selected_tile == -1
    window.run.clear_run()
    assert window.training_panel.run_dir is None and not window.runs.export_generator.isEnabled()


# ---- the copy rate --------------------------------------------------------------------------
def _copy_report(step, rate, floor=0.05):
    from gan_studio.core.quality.report import QualityReport

    return QualityReport(step=step, epoch=0, fd=10.0, kid=0.1, kid_error=0.01, diversity=0.9,
                         copy_rate=rate, copy_floor=floor)


def test_the_copy_rate_is_plotted_with_its_floor_once_measured(qtbot):
    run = RunModel()
    plot = QualityPlot(run=run)
    qtbot.addWidget(plot)
    run.set_reports([_copy_report(10, None, None)])
    assert not plot.copy_plot.isVisible()
    run.set_reports([_copy_report(10, None, None), _copy_report(20, 0.04), _copy_report(30, 0.07)])
    assert plot.copy_plot.isVisible()
    steps, rates = plot.curves["copy_rate"].getData()
    assert list(steps) == [20, 30] and list(rates) == [0.04, 0.07]
    assert plot.copy_floor.value() == 0.05
    assert "copy rate 7.0% (real images 5.0%)" in plot._tip(30, 0.07)


def test_the_copy_banner_follows_the_reports_and_rolls_back_before_the_climb(qtbot, tmp_path):
    from gan_studio.ui.training.copy_banner import CopyBanner

    for step in (100, 300, 400):
        (tmp_path / "checkpoints").mkdir(exist_ok=True)
        (tmp_path / "checkpoints" / f"ckpt-{step}.index").write_text("fake")
    run = RunModel()
    run.show_run(str(tmp_path), None)
    banner = CopyBanner(run)
    qtbot.addWidget(banner)
    run.set_reports([_copy_report(100, 0.04), _copy_report(200, 0.05), _copy_report(300, 0.3)])
    assert not banner.isHidden() and banner.warning.before_step == 200
    assert banner.text.startswith("The generator may be copying training images at step 300.")
    assert "30% of the samples" in banner.text and "real images: 5%" in banner.text
    # No checkpoint at step 200 is kept: the newest before it is step 100's.
    assert banner.roll_back_button.text() == "Roll Back to Step 100"
    assert QApplication.activeModalWidget() is None
    with qtbot.waitSignal(banner.roll_back_requested) as requested:
        banner.roll_back_button.click()
    assert requested.args == [str(tmp_path), str(tmp_path / "checkpoints" / "ckpt-100")]
    assert banner.isHidden()
    run.add_report(_copy_report(400, 0.5))  # a later warning shows again
    assert not banner.isHidden()
    banner.dismiss_button.click()
    assert banner.isHidden()
    run.add_report(_copy_report(500, 0.1))  # under the warning rate: nothing to show
    assert banner.isHidden() and banner.warning is None
    run.set_reports([_copy_report(100, 0.9)])  # high from the first: nothing to go back to
    assert not banner.isHidden() and not banner.roll_back_button.isEnabled()

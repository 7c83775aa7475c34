"""The training panel's length: a time by default, a count when asked, kept and continued."""

from PySide6.QtCore import Qt

from gan_studio.core.config import DEFAULT_MINUTES, TrainConfig


def test_a_new_run_trains_for_the_default_time(open_window, fake_engine, tmp_path, monkeypatch):
    from gan_studio.core.training import plan

    monkeypatch.setattr(plan, "REFERENCE_SPEEDS", {})  # (alike on either kind of CPU)
    panel = open_window(fake_engine).training_panel
    assert panel.length.length() == (DEFAULT_MINUTES, "minutes")
    assert "measured as it trains" in panel.plan.text()  # a plan from the start
    config = panel.config().resolved()
    assert config.max_minutes == DEFAULT_MINUTES and config.epochs is None
    panel.dataset.set_dataset(str(tmp_path))  # other data keeps the time: it is the user's
    assert panel.length.length() == (DEFAULT_MINUTES, "minutes")


def test_each_unit_makes_its_own_length(open_window, fake_engine):
    panel = open_window(fake_engine).training_panel
    expected = {"minutes": (45, None, 0), "hours": (120, None, 0), "epochs": (0, 2, 0),
                "steps": (0, None, 500)}
    for unit, value in (("minutes", 45), ("hours", 2), ("epochs", 2), ("steps", 500)):
        panel.length.set_length(value, unit)
        config = panel.config().resolved()
        assert (config.max_minutes, config.epochs, config.max_steps) == expected[unit], unit


def test_the_length_is_kept_and_an_old_form_s_default_epochs_become_the_time(
        open_window, fake_engine):
    panel = open_window(fake_engine).training_panel
    panel.length.set_length(3, "hours")
    values = panel.values()
    panel.length.set_length(7, "steps")
    panel.set_values(values)
    assert panel.length.length() == (3, "hours")
    panel.set_values({"epochs": 50, "max_steps": 0})  # saved before lengths had units
    assert panel.length.length() == (3, "hours")  # 50 was the old default, not a choice
    panel.set_values({"epochs": 12, "max_steps": 0})
    assert panel.length.length() == (12, "epochs")
    panel.set_values({"epochs": 50, "max_steps": 900})
    assert panel.length.length() == (900, "steps")
    panel.set_values({"length": ["x", "minutes"]})  # malformed: skipped
    panel.set_values({"length": [5, "fortnights"]})
    assert panel.length.length() == (900, "steps")


def test_a_shown_run_is_continued_for_more_time(qtbot, open_window, fake_engine, finished_run):
    config = TrainConfig.load(finished_run / "config.json")
    config.epochs, config.max_minutes = None, 20.0
    config.save(finished_run / "config.json")
    window = open_window(fake_engine)
    window.runs.open_run_dir(str(finished_run))
    panel = window.training_panel
    qtbot.waitUntil(lambda: panel.run_dir == str(finished_run), timeout=10000)
    assert panel.length.length() == (20, "minutes")
    assert panel.length.number.prefix() == "another "  # a time continues for that much more
    panel.length.set_length(10, "minutes")
    with qtbot.waitSignal(window.session.finished, timeout=10000):
        qtbot.mouseClick(panel.train_button, Qt.MouseButton.LeftButton)
    assert fake_engine.lengths == [{"epochs": None, "minutes": 10, "max_steps": None}]
    window.runs.new_run.trigger()
    assert panel.length.number.prefix() == ""


def test_the_progress_of_a_timed_run_counts_toward_its_time(qtbot):
    from gan_studio.core.training.progress import Progress
    from gan_studio.ui.training.progress_panel import ProgressPanel

    panel = ProgressPanel()
    qtbot.addWidget(panel)
    report = dict(step=340, epoch=1, steps_per_epoch=300, total_steps=1700, g_loss=1.0,
                  d_loss=1.0, d_real=0.5, d_fake=0.5, images_per_sec=20.0, eta_seconds=1440,
                  elapsed_seconds=60)
    panel.update_progress(Progress(**report, trained_seconds=360, budget_seconds=1800))
    assert panel.length_title == "Time" and panel.epoch_bar.value() == 360
    assert panel.epoch_bar.maximum() == 1800
    assert panel.epoch_bar.text() == "6:00 / 30:00  (20%, epoch 2)"
    assert panel.step_bar.text() == "40 / 300  (step 340 of about 1,700)"
    assert panel.text("elapsed") == "6:00" and panel.text("eta") == "24:00"
    panel.update_progress(Progress(**report))  # a length in epochs
    assert panel.length_title == "Epoch" and panel.epoch_bar.text() == "2 / 6  (20%)"
    assert panel.text("elapsed") == "1:00"


def test_the_plan_says_what_the_length_buys_on_this_machine(open_window, fake_engine):
    from gan_studio.core.machine import cpu_signature
    from gan_studio.core.training.speed_book import SpeedBook, speed_key

    panel = open_window(fake_engine).training_panel
    panel.dataset.set_dataset("mnist")
    SpeedBook().record(speed_key(panel.config().resolved()), cpu_signature(), 0.5)
    panel.length.set_length(10, "minutes")
    assert panel.plan.text().startswith("In 10 minutes: about 1,200 steps (500 ms a step here).")
    panel.length.set_length(2, "epochs")
    assert panel.plan.text().startswith("3,750 steps: about 31:15 (500 ms a step here).")
    panel.recipe.loss.setCurrentIndex(panel.recipe.loss.findData("hinge"))  # another model
    assert "this machine's speed for this model is measured as it trains" in \
        panel.plan.text().lower()

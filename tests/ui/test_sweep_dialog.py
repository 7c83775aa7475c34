"""The sweep dialog: prefilled from a config, checked as it is typed, and its plan."""

from PySide6.QtWidgets import QDialogButtonBox

from gan_studio.core.config import TrainConfig
from gan_studio.core.sweep.sweep_plan import Vary
from gan_studio.ui.runs.sweep_dialog import SweepDialog


def _ok(dialog):
    return dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)


def _pick(combo, name):
    combo.setCurrentIndex(combo.findData(name))


def test_the_dialog_starts_from_the_config_and_refuses_until_values_are_given(qtbot, tmp_path):
    config = TrainConfig(dataset="fashion_mnist", preset="paper", seed=7,
                         runs_dir=str(tmp_path / "runs"), data_dir=str(tmp_path / "data"))
    dialog = SweepDialog(config)
    qtbot.addWidget(dialog)
    assert dialog.dataset.currentText() == "fashion_mnist"
    assert dialog.preset.currentText() == "paper" and dialog.seed.value() == 7
    assert dialog.levers[0].currentData() == "learning_rate"
    assert not _ok(dialog).isEnabled()
    assert dialog.error.text() == "give learning_rate one value or more, comma-separated"
    assert "now 0.0002" in dialog.values[0].placeholderText()  # the paper's rate


def test_values_are_checked_live_by_the_lever_s_rule(qtbot, tmp_path):
    dialog = SweepDialog(TrainConfig(runs_dir=str(tmp_path)))
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.values[0], "1e-4, abc")
    assert dialog.error.text() == "learning_rate takes a number above 0 below 1, not 'abc'"
    assert not _ok(dialog).isEnabled()
    dialog.values[0].setText("1e-4, 2e-4, 4e-4")
    assert dialog.error.text() == "" and _ok(dialog).isEnabled()
    assert dialog.summary.text().startswith("3 runs of 5 minutes each")
    dialog.values[0].setText("1e-4, 1e-4")
    assert dialog.error.text() == "1e-4 is given twice" and not _ok(dialog).isEnabled()


def test_two_levers_and_a_budget_in_images_make_the_plan(qtbot, tmp_path):
    config = TrainConfig(dataset="mnist", seed=3, runs_dir=str(tmp_path / "runs"))
    dialog = SweepDialog(config)
    qtbot.addWidget(dialog)
    dialog.values[0].setText("1e-4,2e-4")
    _pick(dialog.levers[1], "loss")
    assert not _ok(dialog).isEnabled()  # the second lever needs values too
    dialog.values[1].setText("bce, hinge")
    dialog.budget_kind.setCurrentText("images")
    dialog.amount.setValue(6400)
    assert _ok(dialog).isEnabled()
    plan = dialog.plan()
    assert plan.vary == (Vary("learning_rate", (1e-4, 2e-4)), Vary("loss", ("bce", "hinge")))
    assert plan.budget.kind == "images" and plan.budget.amount == 6400
    assert plan.base["seed"] == 3 and plan.base["runs_dir"] == str(tmp_path / "runs")
    assert len(plan.run_configs()) == 4
    _pick(dialog.levers[1], "learning_rate")
    dialog.values[1].setText("3e-4")
    assert dialog.error.text() == "learning_rate is varied twice: give all its values in one row"
    assert not _ok(dialog).isEnabled()
    _pick(dialog.levers[1], "")
    assert _ok(dialog).isEnabled() and not dialog.values[1].isEnabled()

"""Which levers set runs apart (core/runs/lever_diff.py)."""

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs.lever_diff import (
    lever_label,
    lever_value,
    levers_off_preset,
    levers_that_differ,
)


def test_a_run_on_its_presets_values_changed_nothing():
    assert levers_off_preset(TrainConfig(dataset="mnist").resolved()) == {}
    assert levers_off_preset(TrainConfig(dataset="cifar10").resolved()) == {}


def test_levers_off_preset_names_what_the_user_changed():
    config = TrainConfig(dataset="mnist", learning_rate=1e-4, loss="hinge", seed=3).resolved()
    # D's learning rate follows G's unless set: it is no lever of its own then.
    assert levers_off_preset(config) == {"learning_rate": 1e-4, "seed": 3, "loss": "hinge"}
    own = TrainConfig(dataset="mnist", d_learning_rate=1e-4).resolved()
    assert levers_off_preset(own) == {"d_learning_rate": 1e-4}


def test_unresolved_config_reads_its_presets_values():
    config = TrainConfig(dataset="cifar10")  # as an old config.json with None fields reads
    assert lever_value(config, "loss") == "hinge"
    assert lever_value(config, "d_learning_rate") == 4e-4


def test_levers_that_differ_and_their_labels():
    runs = [TrainConfig(dataset="mnist", learning_rate=lr).resolved() for lr in (1e-4, 2e-4)]
    names = levers_that_differ(runs)
    assert names == ["learning_rate"]  # D's follows G's in both
    ttur = [runs[0], TrainConfig(dataset="mnist", learning_rate=1e-4,
                                 d_learning_rate=4e-4).resolved()]
    assert levers_that_differ(ttur) == ["d_learning_rate"]
    assert lever_label(runs[0], ["learning_rate"]) == "lr 0.0001"
    assert levers_that_differ(runs[:1]) == []
    other = TrainConfig(dataset="cifar10", preset="paper", spectral_norm=True).resolved()
    assert {"dataset", "preset", "spectral_norm"} <= set(levers_that_differ([runs[0], other]))
    assert lever_label(other, ["spectral_norm", "preset"]) == "spectral-norm on · preset paper"

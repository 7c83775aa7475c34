"""Which levers a run continued from a checkpoint may change (core/continuation.py)."""

import pytest

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.continuation import (
    changed_config,
    continuation_problem,
    continued_config,
    describe_changes,
)
from gan_studio.core.levers import LEVERS


def test_only_levers_that_change_no_variables_continue():
    assert {name for name, lever in LEVERS.items() if lever.continues} == {
        "learning_rate", "beta1", "loss", "d_learning_rate", "r1_gamma", "augment",
        "d_dropout", "mode_seeking"}
    config = TrainConfig(d_dropout=0.3).resolved()
    changed = continued_config(config, {"d_learning_rate": 1e-4, "d_dropout": 0.5})
    assert (changed.d_learning_rate, changed.d_dropout) == (1e-4, 0.5)
    assert config.d_dropout == 0.3 and continued_config(config, None) == config
    assert "start a new run" in continuation_problem(config, {"kernel_size": 5})
    assert "on or off" in continuation_problem(config, {"d_dropout": 0.0})
    with pytest.raises(ConfigError, match="invalid augment"):
        continued_config(config, {"augment": "sometimes"})


def test_a_new_run_may_change_any_lever_its_rule_takes():
    config = TrainConfig().resolved()
    assert changed_config(config, {"kernel_size": 4}).kernel_size == 4
    with pytest.raises(ConfigError, match="kernel_size"):
        changed_config(config, {"kernel_size": 7})
    assert describe_changes({"kernel_size": 4, "learning_rate": 0.0001, "spectral_norm": True}) \
        == "kernel_size 4 and learning_rate 0.0001 and spectral_norm on"

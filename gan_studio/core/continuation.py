"""A run continued from a checkpoint with some levers changed: which may change, and how.

A checkpoint holds the networks' variables, so a continuation may change only the levers that
add or remove none (`Lever.continues`: the learning rates, Adam's β1, the loss, R1, the
augmentation, D's dropout rate, mode seeking); the architecture (kernels, spectral norm, the
weight average) needs a new run. D's dropout is a rate the checkpoint's networks must already
have, or not: turning it on or off changes D's layers (a dropout layer keeps its random state
in the checkpoint).

Example:

```python
config = continued_config(TrainConfig.load("runs/x/config.json"), {"d_learning_rate": 1e-4})
describe_changes({"d_learning_rate": 1e-4})  # "d_learning_rate 0.0001"
```
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gan_studio.core.config import ConfigError, TrainConfig
from gan_studio.core.levers import LEVERS
from gan_studio.core.runs.lever_diff import format_value


def continuation_problem(config: TrainConfig, overrides: Mapping[str, Any]) -> str | None:
    """Why `config`'s run cannot continue from a checkpoint with `overrides`, or None.

    Args:
        config: the run's config (as its config.json holds it).
        overrides: lever name → the value to continue with.

    Returns:
        One line naming the first lever that cannot change this way, or None when all can.
    """
    for name, value in overrides.items():
        lever = LEVERS.get(name)
        if lever is None:
            return f"{name!r} is not a lever of the recipe"
        if not lever.continues:
            return (f"{name} cannot change in a continued run: it changes the networks' "
                    "variables, which the checkpoint holds (start a new run instead)")
        if not lever.rule.accepts(value):
            return f"invalid {name}: {value!r} (takes {lever.rule.explain()})"
        if name == "d_dropout" and bool(value) != bool(config.d_dropout):
            return ("d_dropout cannot be turned on or off in a continued run: it changes the "
                    "discriminator's layers (change its rate, or start a new run)")
    return None


def continued_config(config: TrainConfig, overrides: Mapping[str, Any] | None) -> TrainConfig:
    """`config` with `overrides` applied, for a run continued from a checkpoint.

    Args:
        config: the run's config.
        overrides: lever name → value (None or empty: `config` unchanged, as a copy).

    Returns:
        A new, validated `TrainConfig`.

    Raises:
        ConfigError: one line naming a lever that cannot change (`continuation_problem`).
    """
    overrides = dict(overrides or {})
    problem = continuation_problem(config, overrides)
    if problem is not None:
        raise ConfigError(problem)
    changed = dataclasses.replace(config, extra=dict(config.extra),
                                  class_names=list(config.class_names),
                                  devices=list(config.devices), **overrides)
    changed.validate()
    return changed


def changed_config(config: TrainConfig, overrides: Mapping[str, Any]) -> TrainConfig:
    """`config` with `overrides` applied, for a new run (any lever may change).

    Raises:
        ConfigError: naming a lever that is not one, or a value its rule refuses.
    """
    for name, value in overrides.items():
        lever = LEVERS.get(name)
        if lever is None:
            raise ConfigError(f"{name!r} is not a lever of the recipe")
        if not lever.rule.accepts(value):
            raise ConfigError(f"invalid {name}: {value!r} (takes {lever.rule.explain()})")
    changed = dataclasses.replace(config, extra=dict(config.extra),
                                  class_names=list(config.class_names),
                                  devices=list(config.devices), **dict(overrides))
    changed.validate()
    return changed


def describe_changes(overrides: Mapping[str, Any]) -> str:
    """The changes in words: "d_learning_rate 0.0001 and augment on"."""
    parts = [f"{name} {format_value(value)}" for name, value in overrides.items()]
    return " and ".join(parts)


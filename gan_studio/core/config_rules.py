"""Every `TrainConfig` field's rule (`FIELD_RULES`): the levers' from their rows, the rest here.

The levers (recipe and optimiser) are described in `gan_studio.core.levers`; the fields below
are a run's other settings: its data, length, folders, outputs and devices.
"""

from __future__ import annotations

from gan_studio.core.catalog import IMAGE_SIZES
from gan_studio.core.distribution import STRATEGIES
from gan_studio.core.field_rule import Rule, int_rule
from gan_studio.core.levers import LEVERS
from gan_studio.core.presets import PRESETS

MAX_STEPS = 10**12
MAX_MINUTES = 60.0 * 24 * 365  # a year of training: anything longer is a typing slip

# The rules of the fields that are not levers, in the order TrainConfig.validate checks them
# (before the levers').
SETTING_RULES: dict[str, Rule] = {
    "dataset": Rule("str", nonempty=True),
    "preset": Rule("choice", choices=tuple(PRESETS)),
    "epochs": int_rule(1, 10**7, optional=True),
    "max_steps": int_rule(0, MAX_STEPS),
    "max_minutes": Rule("float", 0, MAX_MINUTES),
    "image_size": Rule("choice", choices=IMAGE_SIZES, optional=True),  # None: automatic
    "channels": Rule("choice", choices=(1, 3), optional=True),
    "data_dir": Rule("str", nonempty=True, optional=True),
    "runs_dir": Rule("str", nonempty=True),
    "sample_every_steps": int_rule(1, MAX_STEPS),
    "sample_every_seconds": Rule("float", 0, None, low_open=True),  # 1e9: grids off
    "grid_size": int_rule(1, 16),
    "keep_checkpoints": int_rule(1, 10_000),
    "keep_every_epochs": int_rule(1, 10**7),
    "steps_per_call": int_rule(1, 1000),
    "quality_every_minutes": Rule("float", 0, 24 * 60),
    "quality_samples": int_rule(100, 50_000),
    "r1_every": int_rule(1, 1000),
    "augment_policy": Rule("str"),  # each of its ops among AUGMENT_OPS: TrainConfig.validate
    "strategy": Rule("choice", choices=STRATEGIES),
    "devices": Rule("list"),
    "sync_batch_norm": Rule("bool"),
    "num_classes": int_rule(0, 1000),
    "class_names": Rule("list"),
    "extra": Rule("dict"),
}
# One rule per field.
FIELD_RULES: dict[str, Rule] = {**SETTING_RULES,
                                **{name: lever.rule for name, lever in LEVERS.items()}}

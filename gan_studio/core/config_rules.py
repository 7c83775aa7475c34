"""What each `TrainConfig` field may hold: its type and range, checked in one place.

A config comes from the command line, the training panel or a `config.json` that anyone may
have edited, so every field is checked by type as well as by range before any data is loaded:
`8.5` images per batch, a seed of `"x"` or `-1`, a list where a preset's name belongs must each
give one line naming the field, never a traceback from deep inside the trainer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from gan_studio.core.catalog import IMAGE_SIZES
from gan_studio.core.distribution import STRATEGIES
from gan_studio.core.presets import (
    AUGMENT_MODES,
    D_KERNELS,
    G_ACTIVATIONS,
    LOSSES,
    PRECISIONS,
    PRESETS,
    STRIDE1_KERNELS,
)

# numpy's legacy seeding (which Keras' set_random_seed also calls) takes 0 <= seed < 2**32.
MAX_SEED = 2**32 - 1
MAX_STEPS = 10**12
MAX_MINUTES = 60.0 * 24 * 365  # a year of training: anything longer is a typing slip


@dataclass(frozen=True)
class Rule:
    """The values one field accepts.

    Args:
        kind: `int`, `float`, `bool`, `str`, `list`, `dict`, or `choice` (one of `choices`).
        low: smallest number allowed (ints and floats).
        high: largest number allowed.
        low_open: whether `low` itself is refused (floats: `0 < learning_rate`).
        high_open: whether `high` itself is refused (`beta1 < 1`).
        optional: whether `None` is allowed (left for the preset or the data to fill).
        choices: the allowed values of a `choice`.
        nonempty: strings only: whether `""` (or only spaces) is refused.
    """

    kind: str
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    optional: bool = False
    choices: tuple = ()
    nonempty: bool = False

    def explain(self) -> str:
        """What the field takes, in words: the second half of its error message."""
        if self.kind == "choice":
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind in ("int", "float"):
            noun = "a whole number" if self.kind == "int" else "a number"
            low = "above" if self.low_open else "from"
            high = "below" if self.high_open else ("to" if self.low is not None else "up to")
            bounds = [f"{low} {_number(self.low)}"] if self.low is not None else []
            bounds += [f"{high} {_number(self.high)}"] if self.high is not None else []
            text = " ".join([noun, *bounds])
        else:
            text = {"bool": "true or false", "str": "a non-empty text" if self.nonempty else
                    "a text", "list": "a list", "dict": "a JSON object"}[self.kind]
        return text + (", or left unset" if self.optional else "")

    def accepts(self, value: Any) -> bool:
        """Whether `value` is of the right type and in range."""
        if value is None:
            return self.optional
        if self.kind == "choice":
            return isinstance(value, (str, int, float)) and not isinstance(value, bool) \
                and value in self.choices
        if self.kind == "bool":  # 0 and 1 too: what a hand-edited JSON often holds
            return isinstance(value, bool) or (type(value) is int and value in (0, 1))
        if self.kind == "str":
            return isinstance(value, str) and not (self.nonempty and not value.strip())
        if self.kind in ("list", "dict"):
            return isinstance(value, list if self.kind == "list" else dict)
        # bool is an int to Python, and True images per batch is a mistake, not a 1
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        if self.kind == "int" and not isinstance(value, int):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False
        if self.low is not None and (value < self.low or (self.low_open and value == self.low)):
            return False
        return self.high is None or (value < self.high or (not self.high_open
                                                           and value == self.high))


def _number(value: float) -> str:
    if float(value).is_integer() and abs(value) >= 10_000:
        return f"{int(value):,}"
    return f"{value:g}"


def check_fields(values: dict[str, Any], rules: dict[str, Rule]) -> None:
    """Checks `values` field by field, in the order of `rules`.

    Raises:
        ValueError: for the first field whose value the rule refuses, naming the field, the
            value and what the field takes (the caller turns it into its own error type).
    """
    for name, rule in rules.items():
        value = values.get(name)
        if not rule.accepts(value):
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            raise ValueError(f"invalid {name}: {shown} (takes {rule.explain()})")

def _int(low, high=None, optional=False):
    return Rule("int", low, high, optional=optional)


def _unit(optional=True, low_open=True):  # a rate or decay: 0 (<) x < 1
    return Rule("float", 0, 1, low_open=low_open, high_open=True, optional=optional)


# One rule per field; TrainConfig.validate checks them in this order.
FIELD_RULES: dict[str, Rule] = {
    "dataset": Rule("str", nonempty=True),
    "preset": Rule("choice", choices=tuple(PRESETS)),
    "epochs": _int(1, 10**7, optional=True),
    "max_steps": _int(0, MAX_STEPS),
    "max_minutes": Rule("float", 0, MAX_MINUTES),
    "batch_size": _int(1, 65536, optional=True),
    "learning_rate": _unit(),
    "beta1": _unit(low_open=False),
    "latent_dim": _int(1, 4096, optional=True),
    "image_size": Rule("choice", choices=IMAGE_SIZES, optional=True),  # None: automatic
    "channels": Rule("choice", choices=(1, 3), optional=True),
    "seed": _int(0, MAX_SEED),
    "weight_init": Rule("choice", choices=("glorot", "normal_0.02"), optional=True),
    "data_dir": Rule("str", nonempty=True, optional=True),
    "runs_dir": Rule("str", nonempty=True),
    "sample_every_steps": _int(1, MAX_STEPS),
    "sample_every_seconds": Rule("float", 0, None, low_open=True),  # 1e9: grids off
    "grid_size": _int(1, 16),
    "keep_checkpoints": _int(1, 10_000),
    "keep_every_epochs": _int(1, 10**7),
    "steps_per_call": _int(1, 1000),
    "precision": Rule("choice", choices=PRECISIONS),
    "generator_ema": _unit(low_open=False),
    "quality_every_minutes": Rule("float", 0, 24 * 60),
    "quality_samples": _int(100, 50_000),
    "loss": Rule("choice", choices=LOSSES, optional=True),
    "spectral_norm": Rule("bool", optional=True),
    "d_learning_rate": _unit(),
    "r1_gamma": Rule("float", 0, 1000, optional=True),
    "r1_every": _int(1, 1000),
    "augment": Rule("choice", choices=AUGMENT_MODES, optional=True),
    "augment_policy": Rule("str"),
    "kernel_size": Rule("choice", choices=(3, 4, 5), optional=True),
    "d_dropout": _unit(low_open=False),
    "g_activation": Rule("choice", choices=G_ACTIVATIONS, optional=True),
    "g_stride1_kernel": Rule("choice", choices=STRIDE1_KERNELS, optional=True),
    "d_kernel_size": Rule("choice", choices=D_KERNELS, optional=True),
    "conditional": Rule("bool"),
    "mode_seeking": Rule("float", 0, 100, optional=True),
    "strategy": Rule("choice", choices=STRATEGIES),
    "devices": Rule("list"),
    "sync_batch_norm": Rule("bool"),
    "num_classes": _int(0, 1000),
    "class_names": Rule("list"),
    "extra": Rule("dict"),
}

"""`Rule`: the values one config field accepts, checked by type as well as by range.

A config comes from the command line, the training panel or a `config.json` that anyone may
have edited, so every field is checked by type as well as by range before any data is loaded:
`8.5` images per batch, a seed of `"x"` or `-1`, a list where a preset's name belongs must each
give one line naming the field, never a traceback from deep inside the trainer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


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


def int_rule(low: int, high: int | None = None, optional: bool = False) -> Rule:
    """Whole numbers from `low` to `high`."""
    return Rule("int", low, high, optional=optional)


def unit_rule(optional: bool = True, low_open: bool = True) -> Rule:
    """A rate or a decay: 0 (<) x < 1."""
    return Rule("float", 0, 1, low_open=low_open, high_open=True, optional=optional)

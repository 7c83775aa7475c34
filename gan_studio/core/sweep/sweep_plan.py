"""A sweep's plan: the levers it varies (`--vary NAME=V1,V2,...`), the settings every run
shares, and the budget each run gets.

A lever's values are checked by its own `Rule` (`core/levers.py`), the same rule the config,
`gan-studio train` and the training panel use, and a bad one is refused with one line that
names the `--vary` text, the lever and what it takes.

Example:

```python
from gan_studio.core.sweep.sweep_plan import Budget, SweepPlan, parse_vary

plan = SweepPlan(base={"dataset": "mnist", "runs_dir": "runs"},
                 vary=(parse_vary("lr=1e-4,2e-4,4e-4"),), budget=Budget("minutes", 5))
[c.learning_rate for c in plan.run_configs()]  # [0.0001, 0.0002, 0.0004]
```
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from typing import Any

from gan_studio.core.config import MAX_MINUTES, ConfigError, TrainConfig
from gan_studio.core.levers import LEVERS, Lever
from gan_studio.core.runs.lever_diff import format_value, short_name

MAX_LEVERS = 2  # a grid of two levers is still a table one can read
MAX_RUNS = 36  # runs of one sweep (6 values by 6): hours of training at a few minutes each
BUDGET_KINDS = ("minutes", "steps", "images")
# What a sweep's runs share; the budget and the varied levers are set per run.
BASE_FIELDS = ("dataset", "preset", "seed", "data_dir", "runs_dir")
_LENGTH_FIELDS = ("epochs", "max_steps", "max_minutes")
_TRUE, _FALSE = ("on", "true", "yes", "1"), ("off", "false", "no", "0")


class SweepError(ValueError):
    """A sweep that cannot be planned: its message is one line the user can act on."""


def lever_named(name: str) -> Lever | None:
    """The lever a `--vary` name means: its field (`learning_rate`) or its flag (`lr`,
    `d-lr`, `d_lr`); None for none."""
    key = name.strip().lower()
    for lever in LEVERS.values():
        flag = short_name(lever.name)  # the field's name where the lever has no flag
        if key in (lever.name, flag, flag.replace("-", "_")):
            return lever
    return None


def lever_names() -> str:
    """The levers a sweep can vary, `learning_rate (lr), beta1, ...`, for messages."""
    names = []
    for lever in LEVERS.values():
        flag = short_name(lever.name)
        names.append(lever.name if flag == lever.name else f"{lever.name} ({flag})")
    return ", ".join(names)


def _parse_value(lever: Lever, text: str) -> Any:
    """`text` as `lever`'s type, or None where it is not one (the rule then refuses it)."""
    rule, text = lever.rule, text.strip()
    try:
        if rule.kind == "bool":
            low = text.lower()
            return True if low in _TRUE else False if low in _FALSE else None
        if rule.kind == "int" or (rule.kind == "choice" and isinstance(rule.choices[0], int)):
            return int(text)
        if rule.kind == "float":
            return float(text)
    except ValueError:
        return None
    return text


def _explain(lever: Lever) -> str:
    # "or left unset" is the config's: a sweep's value is always one of its own.
    return dataclasses.replace(lever.rule, optional=False).explain()


@dataclass(frozen=True)
class Vary:
    """One varied lever: its `TrainConfig` field and its values, in the order given."""

    name: str
    values: tuple

    def text(self) -> str:
        """As `--vary` takes it: `learning_rate=0.0001,0.0002`."""
        return f"{self.name}=" + ",".join(format_value(v) for v in self.values)


def parse_vary(text: str) -> Vary:
    """Parses one `--vary NAME=V1,V2,...`.

    Raises:
        SweepError: one line starting `--vary TEXT:` for a missing `=`, an unknown lever (the
            message lists them), a value its rule refuses, or a value given twice.
    """
    where = f"--vary {text}"
    name, sep, values_text = text.partition("=")
    if not sep or not name.strip():
        raise SweepError(f"{where}: give NAME=V1,V2,... (e.g. --vary lr=1e-4,2e-4)")
    lever = lever_named(name)
    if lever is None:
        raise SweepError(f"{where}: {name.strip()} is not a lever; vary one of: {lever_names()}")
    parts = [part.strip() for part in values_text.split(",")]
    if not any(parts):
        raise SweepError(f"{where}: give {lever.name} one value or more, comma-separated")
    values: list = []
    for part in parts:
        value = _parse_value(lever, part)
        if part == "" or value is None or not lever.rule.accepts(value):
            raise SweepError(f"{where}: {lever.name} takes {_explain(lever)}, not {part!r}")
        if any(value == seen and type(value) is type(seen) for seen in values):
            raise SweepError(f"{where}: {part} is given twice")
        values.append(value)
    return Vary(lever.name, tuple(values))


@dataclass(frozen=True)
class Budget:
    """Each run's length: `minutes` of training, `steps`, or `images` seen (rounded up to
    whole steps of the run's batch)."""

    kind: str
    amount: float

    def check(self) -> None:
        """Raises SweepError for an unknown kind or an amount out of range."""
        if self.kind not in BUDGET_KINDS:
            raise SweepError(f"a sweep's budget is one of {', '.join(BUDGET_KINDS)}, "
                             f"not {self.kind!r}")
        amount = self.amount
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or \
                not math.isfinite(amount):
            raise SweepError(f"--{self.kind} takes a number, not {amount!r}")
        if self.kind == "minutes" and not 0 < amount <= MAX_MINUTES:
            raise SweepError(f"--minutes takes a number above 0 up to {MAX_MINUTES:g}, "
                             f"not {amount:g}")
        if self.kind != "minutes" and (amount < 1 or amount != int(amount)):
            raise SweepError(f"--{self.kind} takes a whole number from 1, not {amount:g}")

    def length(self, batch_size: int) -> dict:
        """The config fields that give a run of `batch_size` this budget."""
        if self.kind == "minutes":
            return {"max_minutes": float(self.amount), "max_steps": 0, "epochs": None}
        steps = int(self.amount) if self.kind == "steps" else math.ceil(self.amount / batch_size)
        return {"max_steps": steps, "max_minutes": 0.0, "epochs": None}

    def describe(self) -> str:
        """`5 minutes`, `2,000 steps`, `64,000 images`."""
        amount = f"{self.amount:g}" if self.kind == "minutes" else f"{int(self.amount):,}"
        return f"{amount} {self.kind if self.amount != 1 else self.kind[:-1]}"


@dataclass(frozen=True)
class SweepPlan:
    """What a sweep trains: the grid of its varied levers' values, each run with `base`'s
    settings and the same `budget`.

    Args:
        base: `TrainConfig` fields every run shares (`BASE_FIELDS`, and any others such as
            `batch_size` or `quality_samples`); not a length, nor a varied lever.
        vary: one or two `Vary`, each lever once.
        budget: each run's length.

    Raises:
        SweepError: on construction, for a plan no run could train (too many levers or runs,
            a lever varied twice, a bad budget or setting).
    """

    base: dict
    vary: tuple
    budget: Budget
    _configs: tuple = field(default=(), compare=False, repr=False)

    def __post_init__(self):
        vary = tuple(self.vary)
        object.__setattr__(self, "vary", vary)
        if not vary:
            raise SweepError("a sweep varies one lever or two: give --vary NAME=V1,V2,...")
        if len(vary) > MAX_LEVERS:
            raise SweepError(f"a sweep varies at most {MAX_LEVERS} levers, got {len(vary)}: "
                             + ", ".join(v.name for v in vary))
        names = [v.name for v in vary]
        if len(set(names)) < len(names):
            raise SweepError(f"{names[0]} is varied twice: give all its values in one --vary")
        count = math.prod(len(v.values) for v in vary)
        if count > MAX_RUNS:
            raise SweepError(f"the sweep would train {count} runs; at most {MAX_RUNS}: give "
                             "fewer values")
        if count < 2:
            raise SweepError("a sweep of one run compares nothing: give two values or more")
        clash = set(self.base) & ({*names, *_LENGTH_FIELDS})
        if clash:
            raise SweepError(f"the sweep sets {', '.join(sorted(clash))} itself")
        self.budget.check()
        object.__setattr__(self, "_configs", tuple(self._make_configs()))

    def grid(self) -> list[dict[str, Any]]:
        """Each run's varied values, name → value, the first lever's slowest."""
        return [dict(zip([v.name for v in self.vary], values, strict=True))
                for values in itertools.product(*(v.values for v in self.vary))]

    @property
    def lever_names(self) -> list[str]:
        """The varied levers' fields, in the plan's order."""
        return [v.name for v in self.vary]

    def run_configs(self) -> list[TrainConfig]:
        """Each run's resolved config, in the order of `grid`; `runs_dir` is `base`'s (the
        runner sets the sweep's folder)."""
        return [dataclasses.replace(c, extra=dict(c.extra), class_names=list(c.class_names),
                                    devices=list(c.devices)) for c in self._configs]

    def _make_configs(self):
        for levers in self.grid():
            try:
                first = TrainConfig(**self.base, **levers, max_steps=1).resolved()
                length = self.budget.length(first.batch_size)
                yield TrainConfig(**self.base, **levers, **length).resolved()
            except TypeError as exc:
                raise SweepError(f"a sweep's settings are TrainConfig fields: {exc}") from None
            except ConfigError as exc:
                raise SweepError(str(exc)) from None

    def to_dict(self) -> dict:
        """The plan as JSON-ready data (`from_dict` reads it)."""
        return {"base": dict(self.base), "vary": [[v.name, list(v.values)] for v in self.vary],
                "budget": {"kind": self.budget.kind, "amount": self.budget.amount}}

    @classmethod
    def from_dict(cls, data: Any) -> SweepPlan:
        """Reads `to_dict`'s data, checking every value as `parse_vary` does.

        Raises:
            SweepError: naming what is missing or wrong.
        """
        if not isinstance(data, dict) or not isinstance(data.get("base"), dict) or \
                not isinstance(data.get("vary"), list) or not isinstance(data.get("budget"), dict):
            raise SweepError("the plan needs base, vary and budget")
        vary = []
        for item in data["vary"]:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and isinstance(item[1], list)):
                raise SweepError(f"a varied lever is [name, [values]], not {item!r}")
            lever = LEVERS.get(item[0])
            if lever is None:
                raise SweepError(f"{item[0]} is not a lever")
            bad = [v for v in item[1] if not lever.rule.accepts(v) or v is None]
            if bad or not item[1]:
                raise SweepError(f"{lever.name} takes {_explain(lever)}, not {bad!r}")
            vary.append(Vary(lever.name, tuple(item[1])))
        budget = data["budget"]
        return cls(base=dict(data["base"]), vary=tuple(vary),
                   budget=Budget(str(budget.get("kind")), budget.get("amount")))


def make_plan(dataset: str, vary: list[str], *, minutes: float | None = None,
              steps: int | None = None, images: int | None = None,
              **base: Any) -> SweepPlan:
    """The plan of `gan-studio sweep`: `--vary` texts and exactly one budget.

    Args:
        dataset: the data set every run trains on.
        vary: one or two `NAME=V1,V2,...` texts.
        minutes, steps, images: the budget; exactly one.
        **base: other settings every run shares (`preset`, `seed`, `data_dir`, `runs_dir`;
            a `None` is left out).

    Raises:
        SweepError: one line, as `parse_vary` and `SweepPlan` say.
    """
    given = [(kind, amount) for kind, amount in
             (("minutes", minutes), ("steps", steps), ("images", images)) if amount is not None]
    if len(given) != 1:
        raise SweepError("give each run's budget once: --minutes N, --steps N or --images N")
    settings = {"dataset": dataset, **{k: v for k, v in base.items() if v is not None}}
    return SweepPlan(base=settings, vary=tuple(parse_vary(text) for text in vary),
                     budget=Budget(*given[0]))

"""Which levers set runs apart: a run's levers off its preset, and the levers several runs
disagree on, named the way the command line names them (`lr 0.0004`, `loss hinge`).

The runs library shows a run by what it changed from its preset; a comparison and a sweep
label each run by the levers in which the compared runs differ, and nothing else.

Example:

```python
from gan_studio.core.runs.lever_diff import levers_that_differ, lever_label

names = levers_that_differ(configs)          # ["learning_rate"]
lever_label(configs[0], names)               # "lr 0.0001"
```
"""

from __future__ import annotations

from typing import Any

from gan_studio.core.catalog import channels_of
from gan_studio.core.config import TrainConfig
from gan_studio.core.levers import LEVERS
from gan_studio.core.presets import PRESETS, preset_values

# What sets runs apart besides the levers: the data, the preset and the run's length.
SETTINGS = ("dataset", "preset")


def _channels(config: TrainConfig) -> int | None:
    return config.channels or channels_of(config.dataset)


def preset_baseline(config: TrainConfig) -> dict[str, Any]:
    """The values the run's preset gives its levers for its data (D's learning rate: G's)."""
    preset = config.preset if config.preset in PRESETS else "studio"
    values = preset_values(preset, _channels(config))
    if values.get("d_learning_rate") is None:
        values["d_learning_rate"] = values.get("learning_rate")
    return values


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= 1e-12 * max(1.0, abs(float(a)), abs(float(b)))
        except (TypeError, ValueError):
            return False
    return a == b


def lever_value(config: TrainConfig, name: str) -> Any:
    """The value `config` trains `name` with: its own, else its preset's (a `None` in a config
    file means the preset's)."""
    value = getattr(config, name, None)
    if value is None:
        value = preset_baseline(config).get(name)
    if name == "d_learning_rate" and value is None:
        value = lever_value(config, "learning_rate")
    return value


def follows_generator_rate(config: TrainConfig) -> bool:
    """Whether D's learning rate is G's (unset, or set to the same value): then it is no lever
    of its own, and naming it beside `lr` would only repeat it."""
    return _same(lever_value(config, "d_learning_rate"), lever_value(config, "learning_rate"))


def levers_off_preset(config: TrainConfig) -> dict[str, Any]:
    """The levers a run sets to other values than its preset gives them, in `LEVERS`' order.

    Levers the presets do not set (the seed, the latent size, the precision, conditional)
    count where they differ from a fresh config's default; D's learning rate does not where
    it follows G's (`follows_generator_rate`).
    """
    baseline = preset_baseline(config)
    defaults = TrainConfig()
    changed = {}
    for name, lever in LEVERS.items():
        if name == "d_learning_rate" and follows_generator_rate(config):
            continue
        value = lever_value(config, name)
        reference = baseline.get(name) if lever.preset else getattr(defaults, name, None)
        if reference is None and not lever.preset:
            continue  # latent_dim None: the data set's own, never "changed"
        if not _same(value, reference):
            changed[name] = value
    return changed


def levers_that_differ(configs: list[TrainConfig]) -> list[str]:
    """The settings (`SETTINGS`, then levers in `LEVERS`' order) on which `configs` disagree;
    D's learning rate only where some run sets it apart from G's (`follows_generator_rate`).

    Args:
        configs: two or more run configurations (one gives []).
    """
    names = [*SETTINGS, *LEVERS]
    if all(follows_generator_rate(c) for c in configs):
        names.remove("d_learning_rate")
    out = []
    for name in names:
        values = [lever_value(c, name) if name in LEVERS else getattr(c, name) for c in configs]
        if any(not _same(values[0], v) for v in values[1:]):
            out.append(name)
    return out


def short_name(name: str) -> str:
    """A lever's short name: its command-line flag without dashes (`lr`, `d-lr`), else the
    field's name."""
    lever = LEVERS.get(name)
    return lever.flag.lstrip("-") if lever is not None and lever.flag else name


def format_value(value: Any) -> str:
    """A lever's value as the command line would take it (`0.0004`, `hinge`, `on`)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def lever_label(config: TrainConfig, names: list[str]) -> str:
    """`config`'s values of `names`, as `lr 0.0001 · loss hinge` ("" for no names)."""
    parts = []
    for name in names:
        value = lever_value(config, name) if name in LEVERS else getattr(config, name, "")
        parts.append(f"{short_name(name)} {format_value(value)}")
    return " · ".join(parts)

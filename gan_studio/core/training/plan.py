"""What a run's length buys on this machine: the plan the training panel shows before Train.

A plan turns a length (a time, or a count of epochs or steps) into the other one, from the
time per step of the same model on the same CPU noted by earlier runs (`SpeedBook`), else from
`REFERENCE_SPEEDS`, measured on the machines this project was measured on; and it says which
`MILESTONES` of runs like it the length reaches.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from gan_studio.core.catalog import builtin_name, builtin_source
from gan_studio.core.presets import DEFAULT_PRESET, preset_values
from gan_studio.core.training.budget import describe_minutes
from gan_studio.core.training.progress import format_duration
from gan_studio.core.training.speed_book import SpeedBook, speed_key


@dataclass(frozen=True)
class Milestone:
    """A point runs of the default recipe reach: after `step` steps, `what` can be seen."""

    step: int
    what: str


# Steps at which runs of the default recipe (`studio`, batch 32) reached what the meter's
# classifier and FD show (tests/benchmarks/RESULTS.md, section 14): MNIST's classifier score
# 6/10 ("recognisable": 63 % of the real digits' 9.5) and FD below 5 ("sharp"); CIFAR-10's
# FD 26 at 940 steps and 21.5 at 3,600 (its classifier's score then 57 % of the real
# images').
MILESTONES: dict[str, tuple[Milestone, ...]] = {
    "mnist": (Milestone(600, "digits take shape"),
              Milestone(1600, "most digits are recognisable"),
              Milestone(4000, "digits are sharp")),
    "cifar10": (Milestone(900, "colours and rough shapes of objects appear"),
                Milestone(3600, "some objects can be told apart")),
}

# Seconds per step of the default recipe at its batch size (32), all of a run's work included,
# measured on one core of the machine of RESULTS.md section 14 (an AMD EPYC) in float32 with
# oneDNN held to AVX2, as on most laptops. A plan from them says so; bfloat16 CPUs (AVX512-BF16,
# AMX) have none yet and plan from their own first run.
REFERENCE_SPEEDS: dict[tuple[str, str], float] = {("float32", "cifar10"): 0.50,
                                                   ("float32", "mnist"): 0.14}
REFERENCE_CPU = "one core of an AMD EPYC"
REFERENCE_BATCH = 32


@dataclass(frozen=True)
class Plan:
    """A plan: the length in steps and in time, and what it buys, in words.

    Args:
        seconds_per_step: the speed the plan assumes (None: unknown).
        measured_here: whether that speed was measured on this machine.
        steps: the steps the length makes (None: unknown).
        seconds: the time it takes (None: unknown).
        text: the plan in a sentence or three.
    """

    seconds_per_step: float | None
    measured_here: bool
    steps: int | None
    seconds: float | None
    text: str


def steps_per_epoch(config) -> int | None:
    """Steps in one epoch of a built-in data set (None for other data: its size is not known
    before it is read)."""
    source = builtin_source(builtin_name(config.dataset) or "")
    if source is None or not source.train_images:
        return None
    return max(1, source.train_images // max(1, config.batch_size))


def reference_speed(config, native_bfloat16: bool) -> float | None:
    """The reference seconds per step for `config` (None when none was measured for it).

    Only the default recipe was measured; another batch size is scaled to it (a step's
    arithmetic grows with the batch).
    """
    name = builtin_name(config.dataset)
    precision = config.precision
    if precision == "auto":
        precision = "mixed_bfloat16" if native_bfloat16 else "float32"
    seconds = REFERENCE_SPEEDS.get((precision, name or ""))
    if seconds is None or not _default_recipe(config):
        return None
    return seconds * config.batch_size / REFERENCE_BATCH


def _default_recipe(config) -> bool:
    """Whether `config` trains a built-in data set with the default recipe (what the
    references and milestones were measured with)."""
    name = builtin_name(config.dataset)
    if name is None or config.preset != DEFAULT_PRESET or config.conditional or \
            config.strategy != "default":
        return False
    channels = builtin_source(name).shape[-1]
    preset = preset_values(DEFAULT_PRESET, channels)
    levers = ("loss", "spectral_norm", "kernel_size", "d_dropout", "g_stride1_kernel",
              "d_kernel_size",
              "r1_gamma", "augment", "latent_dim")
    return all(getattr(config, name) == preset.get(name, getattr(config, name))
               for name in levers)


def make_plan(config, cpu: str, native_bfloat16: bool, minutes: float = 0.0,
              more: bool = False, book: SpeedBook | None = None) -> Plan:
    """The plan for a resolved `config`'s length (`max_minutes`, `epochs` or `max_steps`).

    Args:
        config: a resolved `TrainConfig` (its length is the one planned, unless `minutes`).
        cpu: this machine's `cpu_signature()`.
        native_bfloat16: whether this CPU computes bfloat16 natively (`precision="auto"`).
        minutes: plan this time instead of the config's length (a run continued for more).
        more: the time is added to a run's (the text says "another").
        book: where this machine's speeds are noted (None: the user's).
    """
    seconds_per_step = (book or SpeedBook()).seconds_per_step(speed_key(config), cpu)
    here = seconds_per_step is not None
    if not here:
        seconds_per_step = reference_speed(config, native_bfloat16)
    minutes = minutes or config.max_minutes
    steps = seconds = None
    if minutes:
        seconds = minutes * 60
        steps = int(seconds / seconds_per_step) if seconds_per_step else None
    else:
        per_epoch = steps_per_epoch(config)
        if config.epochs and not config.max_steps:
            steps = config.epochs * per_epoch if per_epoch else None
        else:
            steps = config.max_steps or None
        seconds = steps * seconds_per_step if steps and seconds_per_step else None
    return Plan(seconds_per_step, here, steps, seconds,
                _text(config, minutes, more, steps, seconds, seconds_per_step, here))


def _text(config, minutes, more, steps, seconds, seconds_per_step, here) -> str:
    if seconds_per_step is None:
        return ("This machine's speed for this model is measured as it trains; after a "
                "minute of training, plans for it say what a time buys.")
    where = "here" if here else f"on {REFERENCE_CPU}"
    speed = _speed_words(seconds_per_step)
    if minutes:
        length = f"{'Another' if more else 'In'} {describe_minutes(minutes)}: about " \
                 f"{steps:,} steps"
    elif steps and seconds:
        length = f"{steps:,} steps: about {format_duration(seconds)}"
    else:  # epochs of a folder: its size is not known yet
        return f"A step takes about {speed} {where}."
    text = f"{length} ({speed} a step {where}" + \
        ("" if here else "; this machine's own speed is measured as it trains") + ")."
    reached = _milestones(config, steps, seconds_per_step)
    return f"{text} {reached}".strip()


def _speed_words(seconds_per_step: float) -> str:
    if seconds_per_step >= 1:
        return f"{seconds_per_step:.1f} s"
    return f"{seconds_per_step * 1000:.0f} ms"


def _milestones(config, steps: int | None, seconds_per_step: float) -> str:
    milestones = MILESTONES.get(builtin_name(config.dataset) or "")
    if not milestones or steps is None or not _default_recipe(config):
        return ""
    scale = REFERENCE_BATCH / config.batch_size  # a bigger batch sees more images a step

    def when(milestone: Milestone) -> str:
        step = math.ceil(milestone.step * scale)
        return f"{milestone.what} after ~{step:,} steps " \
               f"({_minutes_words(step * seconds_per_step)})"

    reached = [m for m in milestones if math.ceil(m.step * scale) <= steps]
    ahead = [m for m in milestones if m not in reached]
    parts = []
    if reached:
        parts.append("On runs like this, " + ", ".join(when(m) for m in reached) + ".")
    if ahead:
        parts.append(("More time: " if reached else "Too short for runs like this to show "
                      "much; ") + when(ahead[0]) + ".")
    return " ".join(parts)


def _minutes_words(seconds: float) -> str:
    minutes = seconds / 60
    if minutes < 1:
        return "under a minute"
    if minutes < 90:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"

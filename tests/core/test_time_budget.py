"""A run's time budget: time trained, pauses, earlier sessions, and the record per checkpoint."""

import json
import math

import pytest

from gan_studio.core.config import DEFAULT_MINUTES, ConfigError, TrainConfig
from gan_studio.core.runs.trained_time import (
    TRAINED_TIME_FILE,
    read_trained_times,
    record_trained_seconds,
    trained_seconds_at,
)
from gan_studio.core.training.budget import TimeBudget, describe_minutes


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_time_paused_is_not_trained_and_earlier_sessions_count():
    clock = Clock()
    budget = TimeBudget(minutes=2, trained_before=30, clock=clock)
    assert budget.limited and budget.trained == 30 and budget.remaining == 90
    clock.now += 60
    budget.pause()
    clock.now += 3600  # lunch
    assert budget.trained == 90 and not budget.spent
    budget.resume()
    clock.now += 29
    assert budget.trained == 119 and budget.session == 89 and not budget.spent
    clock.now += 1
    assert budget.spent and budget.remaining == 0


def test_a_run_counted_in_steps_has_no_time_limit():
    budget = TimeBudget(clock=Clock())
    assert not budget.limited and not budget.spent and math.isinf(budget.remaining)


@pytest.mark.parametrize("minutes, words", [(30, "30 minutes"), (1, "1 minute"), (60, "1 hour"),
                                            (150, "2.5 hours"), (0.5, "30 seconds"),
                                            (45.5, "45.5 minutes")])
def test_budgets_in_words(minutes, words):
    assert describe_minutes(minutes) == words


def test_a_new_run_without_a_length_trains_for_the_default_time():
    cfg = TrainConfig().resolved()
    assert cfg.max_minutes == DEFAULT_MINUTES and cfg.epochs is None and cfg.max_steps == 0
    assert TrainConfig(epochs=3).resolved().max_minutes == 0
    counted = TrainConfig(max_steps=10).resolved()
    assert counted.max_minutes == 0 and counted.epochs is None  # the steps alone


@pytest.mark.parametrize("fields, problem", [
    ({"max_minutes": -5}, "invalid max_minutes: -5"),
    ({"max_minutes": "abc"}, "invalid max_minutes: 'abc'"),
    ({"max_minutes": float("nan")}, "invalid max_minutes"),
    ({"max_minutes": 10, "max_steps": 100}, "a time or a count, not both"),
    ({"max_minutes": 10, "epochs": 2}, "a time or a count, not both"),
])
def test_bad_budgets_get_one_line(fields, problem):
    with pytest.raises(ConfigError, match=problem) as info:
        TrainConfig(**fields).resolved()
    assert "\n" not in str(info.value)


def test_a_budget_survives_the_config_file(tmp_path):
    cfg = TrainConfig(max_minutes=45).resolved()
    cfg.save(tmp_path / "config.json")
    again = TrainConfig.load(tmp_path / "config.json")
    assert again.max_minutes == 45 and again.epochs is None


def test_the_time_trained_is_kept_per_checkpoint_and_rolls_back(tmp_path):
    assert trained_seconds_at(tmp_path, 100) == 0.0  # a run from before budgets
    for step, seconds in ((10, 60.0), (20, 120.5), (30, 181.0)):
        record_trained_seconds(tmp_path, step, seconds)
    assert trained_seconds_at(tmp_path, 20) == 120.5
    assert trained_seconds_at(tmp_path, 25) == 120.5  # the best/ checkpoint between two saves
    # Rolled back to step 20 and trained on: the later branch's entries go.
    record_trained_seconds(tmp_path, 24, 150.0)
    assert read_trained_times(tmp_path) == {10: 60.0, 20: 120.5, 24: 150.0}


@pytest.mark.parametrize("content", [b"", b"not json", b"[1, 2]", b'{"seconds_at_step": 3}',
                                     b"\xff\xfe", b"[" * 100_000])
def test_a_damaged_time_record_counts_from_zero(tmp_path, content):
    (tmp_path / TRAINED_TIME_FILE).write_bytes(content)
    assert trained_seconds_at(tmp_path, 10) == 0.0


def test_bad_entries_of_the_time_record_are_dropped(tmp_path):
    data = {"seconds_at_step": {"10": 5.0, "x": 1.0, "20": -1, "30": True, "40": "7", "50": 9}}
    (tmp_path / TRAINED_TIME_FILE).write_text(json.dumps(data))
    assert read_trained_times(tmp_path) == {10: 5.0, 50: 9.0}

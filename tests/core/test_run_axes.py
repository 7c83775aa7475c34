"""Lining runs up by step, images seen and time trained (core/runs/run_axes.py)."""

import numpy as np
import pytest
from synthetic_runs import report

from gan_studio.core.runs.run_axes import RunAxis, common_budget, quality_at_budget, trained_seconds


def _metrics(steps, times):
    return {"step": np.asarray(steps, dtype=np.int64), "time": np.asarray(times, float)}


def test_trained_seconds_leaves_out_a_pause():
    times = [100.0, 101.0, 102.0, 3000.0, 3001.0]  # paused for 48 minutes after step 3
    assert trained_seconds(times).tolist() == [1.0, 2.0, 3.0, 4.0, 5.0]


def test_trained_seconds_keeps_slow_steps_of_a_slow_run():
    times = np.arange(0, 2000, 40.0)  # 40 s a step: slow, never a pause
    assert trained_seconds(times)[-1] == pytest.approx(40.0 * len(times))


def test_axes_place_steps_by_images_and_minutes():
    axis = RunAxis.of(_metrics([1, 2, 3, 4], [0, 30, 60, 90]), batch_size=32)
    assert axis.values("images").tolist() == [32, 64, 96, 128]
    assert axis.values("time").tolist() == [0.5, 1.0, 1.5, 2.0]
    assert axis.at("images", [2.5, 8]).tolist() == [80, 256]  # between rows; past the log
    assert axis.at("time", [8])[0] == pytest.approx(4.0)
    assert axis.end("step") == 4


def test_unknown_batch_size_gives_no_images_and_no_common_budget():
    axis = RunAxis.of(_metrics([1, 2], [0, 1]), batch_size=None)
    assert np.isnan(axis.values("images")).all()
    assert common_budget([axis], "images") == 0.0


def test_common_budget_is_where_every_run_got_to():
    fast = RunAxis.of(_metrics(range(1, 101), np.arange(100) * 0.5), batch_size=32)
    slow = RunAxis.of(_metrics(range(1, 51), np.arange(50) * 2.0), batch_size=128)
    assert common_budget([fast, slow], "step") == 50
    assert common_budget([fast, slow], "images") == 3200
    assert common_budget([fast, slow], "time") == pytest.approx(min(fast.end("time"),
                                                                    slow.end("time")))


def test_quality_at_budget_takes_the_newest_report_not_past_it():
    axis = RunAxis.of(_metrics(range(1, 1001), np.arange(1000) * 0.2), batch_size=10)
    reports = [report(200, 90.0), report(500, 60.0), report(1000, 40.0)]
    assert quality_at_budget(reports, axis, "step", 600).fd == 60.0
    assert quality_at_budget(reports, axis, "images", 10_000).fd == 40.0
    assert quality_at_budget(reports, axis, "step", 100) is None
    assert quality_at_budget([], axis, "step", 100) is None
    with pytest.raises(ValueError, match="unknown axis"):
        axis.values("epochs")

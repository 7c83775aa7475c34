"""The sweep queue trains a real two-run sweep on its thread, stops, continues and ranks."""

import pytest

from gan_studio.core.sweep.sweep_file import DONE, load_sweep
from gan_studio.core.sweep.sweep_plan import Budget, SweepPlan, parse_vary
from gan_studio.workers.runs.sweep_queue import SweepQueue

TIMEOUT = 180_000  # a guard against a hang, not a speed limit


@pytest.fixture
def queue(qtbot):
    queue = SweepQueue()
    yield queue
    queue.shutdown()
    assert not queue.running


def test_the_queue_stops_continues_and_ranks_a_real_sweep(qtbot, queue, tiny_mnist_dir, tmp_path):
    base = {"dataset": "mnist", "data_dir": tiny_mnist_dir, "runs_dir": str(tmp_path / "runs"),
            "batch_size": 8, "grid_size": 2, "quality_samples": 100}
    plan = SweepPlan(base=base, vary=(parse_vary("lr=1e-4,3e-4"),), budget=Budget("steps", 2))
    started, ended, ranked, failed, progress = [], [], [], [], []
    queue.run_started.connect(started.append)
    queue.run_finished.connect(ended.append)
    queue.ranked.connect(ranked.append)
    queue.failed.connect(failed.append)
    queue.progress.connect(progress.append)
    queue.run_started.connect(lambda run_dir: queue.stop())  # in the first run
    with qtbot.waitSignal(queue.finished, timeout=TIMEOUT) as finished:
        queue.start(plan)
        with pytest.raises(RuntimeError, match="a sweep is running"):  # one at a time
            queue.continue_sweep(str(tmp_path))
    assert finished.args == ["stopped"] and ranked == [] and failed == []
    assert len(started) == 1
    assert not queue.running

    queue.run_started.disconnect()
    queue.run_started.connect(started.append)
    with qtbot.waitSignal(queue.finished, timeout=TIMEOUT) as finished:
        queue.continue_sweep(queue.folder)
    assert finished.args == ["finished"] and failed == []
    sweep = load_sweep(queue.folder)
    assert [run.state for run in sweep.runs] == [DONE, DONE]
    assert {sweep.run_path(0), sweep.run_path(1)} <= set(started)
    (ranking,) = ranked
    assert sorted(row.index for row in ranking) == [0, 1]
    assert all(row.rank and row.steps == 2 for row in ranking)
    assert ranking[0].fd <= ranking[1].fd
    assert all(isinstance(item[0], int) for item in progress)

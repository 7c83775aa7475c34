"""A real sweep of two tiny runs: stopped in its first run, continued, measured and ranked."""

import json
import os

import pytest

from gan_studio.core.quality.report import read_quality
from gan_studio.core.runs.layout import SWEEP_FILE, list_checkpoints
from gan_studio.core.sweep.sweep_file import DONE, PENDING, STOPPED, load_sweep
from gan_studio.core.sweep.sweep_plan import Budget, SweepPlan, parse_vary
from gan_studio.core.training.callbacks import TrainingCallbacks
from gan_studio.ml.training.sweep_runner import SweepCallbacks, SweepRunner


class StopAt(TrainingCallbacks):
    """Reports every step, and stops the sweep at `step` (None: never)."""

    progress_interval = 0.0

    def __init__(self, control, step=None):
        self.control, self.step, self.steps = control, step, []

    def on_progress(self, progress):
        self.steps.append(progress.step)
        if self.step is not None and progress.step >= self.step:
            self.control.stop()


class Record(SweepCallbacks):
    def __init__(self, stop_run=None, stop_step=None):
        self.calls, self.stop_run, self.stop_step, self.runner = [], stop_run, stop_step, None

    def training_callbacks(self, index, run_dir):
        self.calls.append(("callbacks", index, run_dir))
        step = self.stop_step if index == self.stop_run else None
        return StopAt(self.runner.control, step)

    def on_preparing(self, done, total):
        if not self.calls or self.calls[-1][0] != "preparing":
            self.calls.append(("preparing",))

    def on_run_started(self, index, run_dir, label):
        self.calls.append(("started", index, run_dir, label))

    def on_run_ended(self, index, run_dir, state, reason):
        self.calls.append(("ended", index, state, reason))

    def on_ranked(self, ranking):
        self.calls.append(("ranked", ranking))


@pytest.fixture
def tiny_meter(monkeypatch):
    from gan_studio.ml.quality import features

    for kind in list(features.DEFAULT_BUDGETS):
        monkeypatch.setitem(features.DEFAULT_BUDGETS, kind,
                            features.FeatureBudget(epochs=1, max_batches=2, batch_size=16))


def _plan(tiny_mnist_dir, tmp_path, steps=4):
    base = {"dataset": "mnist", "data_dir": tiny_mnist_dir, "runs_dir": str(tmp_path / "runs"),
            "batch_size": 8, "grid_size": 2, "sample_every_steps": 2, "quality_samples": 100}
    return SweepPlan(base=base, vary=(parse_vary("lr=1e-4,4e-4"),), budget=Budget("steps", steps))


@pytest.mark.slow
def test_a_sweep_stopped_in_its_first_run_continues_and_ranks_by_fd(tiny_mnist_dir, tmp_path,
                                                                      tiny_meter):
    record = Record(stop_run=0, stop_step=2)
    runner = SweepRunner.create(_plan(tiny_mnist_dir, tmp_path), callbacks=record)
    record.runner = runner
    assert os.path.basename(runner.folder).startswith("sweep-mnist-")
    assert runner.run() == "stopped"
    # The meter was prepared before the first run's budget started.
    assert [c[0] for c in record.calls[:3]] == ["preparing", "callbacks", "started"]
    sweep = load_sweep(runner.folder)
    assert [r.state for r in sweep.runs] == [STOPPED, PENDING]
    first = sweep.run_path(0)
    assert os.path.dirname(first) == runner.folder  # the run's folder is in the sweep's
    assert list_checkpoints(first)[-1][0] == 2  # stopped cleanly after step 2, saved
    assert sweep.run_path(1) == ""

    record = Record()
    runner = SweepRunner.open(sweep.folder, callbacks=record)
    record.runner = runner
    assert runner.run() == "finished"
    started = [c for c in record.calls if c[0] == "started"]
    assert [(c[1], c[3]) for c in started] == [(0, "lr 0.0001"), (1, "lr 0.0004")]
    assert started[0][2] == first  # resumed in its own folder, for the rest of its budget
    sweep = load_sweep(runner.folder)
    assert [r.state for r in sweep.runs] == [DONE, DONE]
    ranking = record.calls[-1][1]
    assert [row.steps for row in sorted(ranking, key=lambda r: r.index)] == [4, 4]
    assert [row.images for row in ranking] == [32, 32]
    # Every run measured at its budget's end, and ranked by that FD, lowest first.
    finals = {}
    for row in ranking:
        (report,) = [r for r in read_quality(row.run_dir) if r.step == 4]
        finals[row.index] = report.fd
        assert row.fd == report.fd and row.kid == report.kid and row.reason == ""
    assert [row.index for row in ranking] == sorted(finals, key=finals.get)
    assert [row.rank for row in ranking] == [1, 2]
    assert runner.ranking == ranking
    with open(os.path.join(runner.folder, SWEEP_FILE)) as f:
        assert [r["run_dir"] for r in json.load(f)["runs"]] == [os.path.basename(r.run_dir)
                                                               for r in sorted(ranking, key=lambda
                                                               r: r.index)]


def test_a_continued_sweep_with_every_run_done_only_ranks(tmp_path, tiny_mnist_dir):
    from gan_studio.core.sweep.sweep_file import new_sweep

    sweep = new_sweep(_plan(tiny_mnist_dir, tmp_path))
    for run in sweep.runs:
        run.state, run.reason = "failed", "the disk was full"
    sweep.save()
    record = Record()
    runner = SweepRunner.open(sweep.folder, callbacks=record)
    assert runner.run() == "finished"
    assert [c[0] for c in record.calls] == ["ranked"]  # nothing to train, no meter prepared
    assert [(r.rank, r.reason) for r in runner.ranking] == [(None, "failed: the disk was full")] * 2


def test_a_stop_while_the_meter_prepares_trains_nothing(tmp_path, tiny_mnist_dir, tiny_meter):
    class StopPreparing(Record):
        def on_preparing(self, done, total):
            super().on_preparing(done, total)
            self.runner.control.stop()

    record = StopPreparing()
    runner = SweepRunner.create(_plan(tiny_mnist_dir, tmp_path), callbacks=record)
    record.runner = runner
    assert runner.run() == "stopped"
    assert [c[0] for c in record.calls] == ["preparing"]
    assert [r.state for r in load_sweep(runner.folder).runs] == [PENDING, PENDING]

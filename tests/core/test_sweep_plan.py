"""A sweep's plan (`--vary` by each lever's rule, the budget), sweep.json and the ranking."""

import json
import os

import pytest

from gan_studio.core.quality.report import QualityReport, append_quality
from gan_studio.core.runs.layout import CHECKPOINT_DIR, CONFIG_FILE, SWEEP_FILE
from gan_studio.core.sweep.ranking import rank_sweep
from gan_studio.core.sweep.sweep_file import (
    DONE,
    FAILED,
    PENDING,
    SweepFileError,
    load_sweep,
    new_sweep,
)
from gan_studio.core.sweep.sweep_plan import (
    MAX_RUNS,
    Budget,
    SweepError,
    Vary,
    make_plan,
    parse_vary,
)


@pytest.mark.parametrize("text, vary", [
    ("learning_rate=1e-4,2e-4,4e-4", Vary("learning_rate", (1e-4, 2e-4, 4e-4))),
    ("lr=0.0002", Vary("learning_rate", (2e-4,))),  # the flag's name too
    ("d-lr=1e-4, 3e-4", Vary("d_learning_rate", (1e-4, 3e-4))),
    ("loss=bce,hinge", Vary("loss", ("bce", "hinge"))),
    ("kernel_size=4,5", Vary("kernel_size", (4, 5))),
    ("spectral-norm=on,off", Vary("spectral_norm", (True, False))),
    ("batch_size=32,64", Vary("batch_size", (32, 64))),
])
def test_vary_parses_each_lever_s_values_as_its_type(text, vary):
    assert parse_vary(text) == vary


@pytest.mark.parametrize("text, message", [
    ("learning_rate=abc", "--vary learning_rate=abc: learning_rate takes a number above 0 "
                          "below 1, not 'abc'"),
    ("lr=1e-4,1.5", "--vary lr=1e-4,1.5: learning_rate takes a number above 0 below 1, not "
                    "'1.5'"),
    ("kernel_size=4,6", "--vary kernel_size=4,6: kernel_size takes one of 4, 5, not '6'"),
    ("batch_size=8,16.5", "--vary batch_size=8,16.5: batch_size takes a whole number from 1 to "
                          "65,536, not '16.5'"),
    ("lr=1e-4,,2e-4", "--vary lr=1e-4,,2e-4: learning_rate takes a number above 0 below 1, "
                      "not ''"),
    ("lr=1e-4,0.0001", "--vary lr=1e-4,0.0001: 0.0001 is given twice"),
    ("lr", "--vary lr: give NAME=V1,V2,... (e.g. --vary lr=1e-4,2e-4)"),
    ("lr=", "--vary lr=: give learning_rate one value or more, comma-separated"),
])
def test_a_bad_vary_is_one_line_naming_it(text, message):
    with pytest.raises(SweepError) as info:
        parse_vary(text)
    assert str(info.value) == message


def test_an_unknown_lever_lists_the_levers():
    with pytest.raises(SweepError) as info:
        parse_vary("learnrate=1e-4")
    message = str(info.value)
    assert message.startswith("--vary learnrate=1e-4: learnrate is not a lever; vary one of: "
                              "batch_size (batch-size), learning_rate (lr), beta1, ")
    assert "\n" not in message and "d_learning_rate (d-lr)" in message


@pytest.mark.parametrize("vary, message", [
    (["lr=1e-4,2e-4", "beta1=0.5,0.6", "loss=bce,hinge"],
     "a sweep varies at most 2 levers, got 3: learning_rate, beta1, loss"),
    (["lr=1e-4,2e-4", "learning_rate=3e-4"],
     "learning_rate is varied twice: give all its values in one --vary"),
    (["lr=1e-4"], "a sweep of one run compares nothing: give two values or more"),
    (["batch_size=" + ",".join(map(str, range(1, 8))), "lr=0.1,0.2,0.3,0.4,0.5,0.6"],
     f"the sweep would train 42 runs; at most {MAX_RUNS}: give fewer values"),
])
def test_a_plan_no_sweep_should_train_is_refused(vary, message):
    with pytest.raises(SweepError) as info:
        make_plan("mnist", vary, steps=10)
    assert str(info.value) == message


@pytest.mark.parametrize("budget, message", [
    ({}, "give each run's budget once: --minutes N, --steps N or --images N"),
    ({"minutes": 5, "steps": 10}, "give each run's budget once: --minutes N, --steps N or "
                                  "--images N"),
    ({"steps": 0}, "--steps takes a whole number from 1, not 0"),
    ({"images": 2.5}, "--images takes a whole number from 1, not 2.5"),
    ({"minutes": 0}, "--minutes takes a number above 0 up to 525600, not 0"),
])
def test_a_sweep_has_exactly_one_budget(budget, message):
    with pytest.raises(SweepError) as info:
        make_plan("mnist", ["lr=1e-4,2e-4"], **budget)
    assert str(info.value) == message


def test_the_grid_is_the_product_and_images_become_steps_of_each_run_s_batch():
    plan = make_plan("mnist", ["lr=1e-4,2e-4", "batch_size=32,100"], images=1000, seed=7,
                     runs_dir="runs")
    assert plan.grid() == [{"learning_rate": 1e-4, "batch_size": 32},
                           {"learning_rate": 1e-4, "batch_size": 100},
                           {"learning_rate": 2e-4, "batch_size": 32},
                           {"learning_rate": 2e-4, "batch_size": 100}]
    configs = plan.run_configs()
    assert [c.max_steps for c in configs] == [32, 10, 32, 10]  # ceil(1000 / 32) = 32
    assert all(c.epochs is None and c.max_minutes == 0 and c.seed == 7 for c in configs)
    assert [c.learning_rate for c in configs] == [1e-4, 1e-4, 2e-4, 2e-4]


def test_a_budget_in_images_uses_the_preset_s_batch_and_minutes_stay_a_time():
    from gan_studio.core.config import TrainConfig

    batch = TrainConfig(dataset="mnist", preset="paper").resolved().batch_size
    plan = make_plan("mnist", ["lr=1e-4,2e-4"], images=batch * 3 + 1, preset="paper")
    assert [c.max_steps for c in plan.run_configs()] == [4, 4]
    plan = make_plan("mnist", ["loss=bce,hinge"], minutes=2.5)
    assert [(c.max_minutes, c.max_steps, c.epochs) for c in plan.run_configs()] == \
        [(2.5, 0, None)] * 2
    assert Budget("images", 64000).describe() == "64,000 images"


def test_sweep_json_round_trips(tmp_path):
    plan = make_plan("mnist", ["loss=bce,hinge", "spectral_norm=on,off"], steps=50,
                     runs_dir=str(tmp_path))
    sweep = new_sweep(plan, stamp="20260101-120000")
    assert os.path.basename(sweep.folder) == "sweep-mnist-20260101-120000"
    assert new_sweep(plan, stamp="20260101-120000").folder.endswith("-120000-2")
    sweep.runs[0].state, sweep.runs[0].run_dir = DONE, "mnist-20260101-120001"
    sweep.runs[1].state, sweep.runs[1].reason = FAILED, "cannot write config.json"
    sweep.save()
    again = load_sweep(sweep.folder)
    assert again.plan == plan and again.runs == sweep.runs
    assert again.run_path(0) == os.path.join(sweep.folder, "mnist-20260101-120001")
    assert again.counts()[PENDING] == 2


@pytest.mark.parametrize("content, problem", [
    (b"{not json", "it is not JSON"),
    (b"\xff\xfe", "it is not JSON"),
    (b"[]", "not a version 1 sweep file"),
    (json.dumps({"version": 1, "plan": {"base": {"dataset": "mnist"}, "vary": [["lr", [1]]],
                                        "budget": {"kind": "steps", "amount": 5}},
                 "runs": []}).encode(), "lr is not a lever"),
    (json.dumps({"version": 1, "plan": {"base": {"dataset": "mnist"},
                                        "vary": [["learning_rate", [2.0, 0.1]]],
                                        "budget": {"kind": "steps", "amount": 5}},
                 "runs": []}).encode(), "learning_rate takes a number above 0 below 1"),
])
def test_a_damaged_sweep_json_is_one_line_naming_it(tmp_path, content, problem):
    (tmp_path / SWEEP_FILE).write_bytes(content)
    with pytest.raises(SweepFileError) as info:
        load_sweep(tmp_path)
    message = str(info.value)
    assert message.startswith(f"cannot read {tmp_path / SWEEP_FILE}: ") and problem in message
    assert "\n" not in message


def test_a_sweep_json_whose_runs_do_not_match_its_plan_is_refused(tmp_path):
    sweep = new_sweep(make_plan("mnist", ["lr=1e-4,2e-4"], steps=5, runs_dir=str(tmp_path)))
    data = json.loads(open(sweep.path).read())
    data["runs"][1]["run_dir"] = "../elsewhere"
    open(sweep.path, "w").write(json.dumps(data))
    with pytest.raises(SweepFileError, match="a run's folder is a name inside the sweep"):
        load_sweep(sweep.folder)
    data["runs"] = data["runs"][:1]
    open(sweep.path, "w").write(json.dumps(data))
    with pytest.raises(SweepFileError, match="the plan has 2 runs, the file lists 1"):
        load_sweep(sweep.folder)
    with pytest.raises(SweepFileError, match="is not a sweep folder"):
        load_sweep(tmp_path / "nothing")


def _finished_run(sweep, index, step, fd, name):
    """A run folder as training leaves it: config.json, a checkpoint at `step`, quality.csv."""
    config = sweep.plan.run_configs()[index]
    folder = os.path.join(sweep.folder, name)
    os.makedirs(os.path.join(folder, CHECKPOINT_DIR))
    config.save(os.path.join(folder, CONFIG_FILE))
    open(os.path.join(folder, CHECKPOINT_DIR, f"ckpt-{step}.index"), "wb").close()
    if fd is not None:
        append_quality(folder, QualityReport(step=step, epoch=0, fd=fd + 50, kid=0.0,
                                             kid_error=0.0, diversity=0.5, samples=100))
        append_quality(folder, QualityReport(step=step, epoch=0, fd=fd, kid=fd / 100,
                                             kid_error=0.0, diversity=0.5, samples=100))
    sweep.runs[index].state, sweep.runs[index].run_dir = DONE, name


def test_the_ranking_orders_by_final_fd_and_puts_the_unmeasured_last(tmp_path):
    plan = make_plan("mnist", ["lr=1e-4,2e-4,4e-4,8e-4,1e-3"], steps=20, runs_dir=str(tmp_path))
    sweep = new_sweep(plan)
    _finished_run(sweep, 0, 20, 30.0, "a")
    _finished_run(sweep, 1, 20, 10.0, "b")
    _finished_run(sweep, 2, 20, None, "c")  # no measurement
    _finished_run(sweep, 3, 20, 10.0, "d")  # a tie with b: the plan's order
    sweep.runs[4].state, sweep.runs[4].reason = FAILED, "the disk was full"
    ranking = rank_sweep(sweep)
    assert [(r.rank, r.index, r.fd) for r in ranking] == [
        (1, 1, 10.0), (2, 3, 10.0), (3, 0, 30.0), (None, 2, None), (None, 4, None)]
    assert ranking[0].label == "lr 0.0002" and ranking[0].kid == 0.1
    assert ranking[0].steps == 20 and ranking[0].images == 20 * plan.run_configs()[1].batch_size
    assert ranking[3].reason == "no quality measurement at its last step"
    assert ranking[4].reason == "failed: the disk was full"
    assert ranking[0].score is None  # the reports above are of unlabelled data


def test_unfinished_sweeps_are_those_with_runs_left_newest_first(tmp_path):
    import os

    from gan_studio.core.sweep.sweep_file import DONE, STOPPED, new_sweep, unfinished_sweeps

    plan = make_plan("mnist", ["lr=1e-4,2e-4"], minutes=3, runs_dir=str(tmp_path))
    done = new_sweep(plan, stamp="20261207-100000")
    for run in done.runs:
        run.state = DONE
    done.save()
    older = new_sweep(plan, stamp="20261207-110000")
    older.runs[0].state = DONE
    older.save()
    newer = new_sweep(plan, stamp="20261207-120000")
    newer.runs[0].state = STOPPED
    newer.save()
    os.utime(older.path, (1e9, 1e9))  # changed long before the newer one
    (tmp_path / "sweep-mnist-damaged").mkdir()
    (tmp_path / "sweep-mnist-damaged" / "sweep.json").write_text("{")
    found = unfinished_sweeps([str(tmp_path), str(tmp_path / "missing")])
    assert [s.folder for s in found] == [newer.folder, older.folder]
    assert done.finished and not older.finished
    assert older.describe() == ("sweep-mnist-20261207-110000: 1 of 2 trained, "
                                "learning_rate=0.0001,0.0002, 3 minutes each")


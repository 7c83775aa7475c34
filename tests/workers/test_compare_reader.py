"""The compared runs and their grids read off the GUI thread, and read again as they change
(workers/runs/compare_reader.py)."""

import threading

import pytest
from core.test_comparison import append_steps, write_run

from gan_studio.core.runs import comparison as comparison_module
from gan_studio.core.runs.comparison import ComparedRun
from gan_studio.workers.runs.compare_reader import CompareReader


@pytest.fixture
def reader(qtbot):
    reader = CompareReader()
    yield reader
    reader.shutdown()


@pytest.fixture
def runs(tmp_path):
    return [write_run(tmp_path / "a", 100, 0.5, batch_size=32, grid_every=50),
            write_run(tmp_path / "b", 60, 1.0, batch_size=64, grid_every=30)]


def test_reads_runs_off_the_gui_thread(qtbot, reader, runs, monkeypatch):
    threads = []
    read = ComparedRun.read.__func__
    monkeypatch.setattr(ComparedRun, "read",
                        classmethod(lambda cls, d: threads.append(threading.get_ident())
                                    or read(cls, d)))
    with qtbot.waitSignal(reader.loaded) as signal:
        reader.load(runs)
    comparison = signal.args[0]
    assert comparison.run_dirs == runs and comparison.labels == ["batch-size 32", "batch-size 64"]
    assert threads and threading.get_ident() not in threads


def test_reload_reads_only_changed_runs_and_emits_only_on_change(qtbot, reader, runs,
                                                                  monkeypatch):
    with qtbot.waitSignal(reader.loaded):
        reader.load(runs)
    read = []
    original = comparison_module.ComparedRun.read.__func__
    monkeypatch.setattr(ComparedRun, "read",
                        classmethod(lambda cls, d: read.append(d) or original(cls, d)))
    emitted = []
    reader.loaded.connect(emitted.append)
    reader.reload_if_changed()
    qtbot.waitUntil(lambda: not reader.busy)
    assert emitted == [] and read == []
    append_steps(runs[1], range(61, 81), 1.0)  # the second run trains on
    with qtbot.waitSignal(reader.loaded) as signal:
        reader.reload_if_changed()
    assert read == [runs[1]]
    assert [r.steps for r in signal.args[0].runs] == [100, 80]


def test_a_newer_load_wins(qtbot, reader, runs, tmp_path):
    third = write_run(tmp_path / "c", 10, 0.5, batch_size=128, grid_every=0)
    emitted = []
    reader.loaded.connect(emitted.append)
    reader.load(runs)
    reader.reload_if_changed()
    reader.load([runs[0], third])
    qtbot.waitUntil(lambda: not reader.busy and bool(emitted))  # every answer delivered
    assert [c.run_dirs for c in emitted] == [[runs[0], third]]


def test_too_many_runs_give_one_line(qtbot, reader, runs):
    with qtbot.waitSignal(reader.failed) as signal:
        reader.load(runs * 4)
    assert "at most 6" in signal.args[0] and "\n" not in signal.args[0]


def test_reads_grid_images_and_none_for_missing_ones(qtbot, reader, runs):
    with qtbot.waitSignal(reader.loaded) as signal:
        reader.load(runs)
    choices = signal.args[0].grids_at("step", 60)
    paths = [c.grid.path for c in choices] + [None, str(runs[0]) + "/samples/gone.png"]
    with qtbot.waitSignal(reader.grids_read) as signal:
        reader.read_grids(paths, tag=60)
    result = signal.args[0]
    assert result.tag == 60 and result.paths == tuple(paths)
    assert [int(i[0, 0]) for i in result.images[:2]] == [50, 60]
    assert result.images[2:] == (None, None)


def test_the_newest_grid_request_wins(qtbot, reader, runs):
    with qtbot.waitSignal(reader.loaded) as signal:
        reader.load(runs)
    comparison = signal.args[0]
    got = []
    reader.grids_read.connect(got.append)
    for step in (30, 50, 60):
        reader.read_grids([c.grid.path for c in comparison.grids_at("step", step)], tag=step)
    qtbot.waitUntil(lambda: not reader.busy and bool(got) and got[-1].tag == 60)
    assert all(g.tag != 50 for g in got)  # the one replaced while another was read

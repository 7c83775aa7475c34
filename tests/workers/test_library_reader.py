"""The runs library's reader: run folders read on its thread in batches, again only when they
change, folders that went reported, and a refresh superseded by a newer one."""

from __future__ import annotations

import itertools
import os

import numpy as np
import pytest
from synthetic_runs import healthy_metrics, make_run

from gan_studio.core.runs.layout import CONFIG_FILE
from gan_studio.core.runs.library import write_note
from gan_studio.workers.runs import library_reader
from gan_studio.workers.runs.library_reader import LibraryReader, _Generations, _ReadWorker


def make_runs(root, count: int) -> list[str]:
    return [make_run(root / f"run-{i:02d}", metrics=healthy_metrics(20), reports=[])
            for i in range(count)]


class Recorder:
    """What a reader or its worker emitted, in order."""

    def __init__(self):
        self.batches: list[list] = []
        self.removed: list[list] = []
        self.done = 0

    def folders(self) -> list[str]:
        return [row.summary.folder for batch in self.batches for row in batch]


@pytest.fixture
def reader(qtbot):
    made = []

    def make(**kwargs) -> tuple[LibraryReader, Recorder]:
        reader = LibraryReader(**kwargs)
        seen = Recorder()
        reader.summaries.connect(seen.batches.append)
        reader.removed.connect(seen.removed.append)
        reader.done.connect(lambda: setattr(seen, "done", seen.done + 1))
        made.append(reader)
        return reader, seen

    yield make
    for r in made:
        r.shutdown()


def refresh_and_wait(qtbot, reader, seen, roots, **kwargs) -> None:
    before = seen.done
    reader.refresh(roots, **kwargs)
    qtbot.waitUntil(lambda: seen.done > before, timeout=20_000)
    assert not reader.busy


def test_reads_every_run_in_batches_with_thumbnails(qtbot, reader, tmp_path, monkeypatch):
    monkeypatch.setattr(library_reader, "BATCH_SIZE", 3)
    runs = make_runs(tmp_path, 7)
    still = itertools.repeat(0.0)  # a clock that never moves: only the size cuts batches
    r, seen = reader(clock=lambda: next(still))
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    assert [len(b) for b in seen.batches] == [3, 3, 1]
    assert sorted(seen.folders()) == sorted(runs)
    row = seen.batches[0][0]
    assert row.summary.steps == 20 and row.thumbnail.dtype == np.uint8
    assert max(row.thumbnail.shape[:2]) <= 64


def test_a_slow_read_sends_what_it_has(qtbot, reader, tmp_path):
    make_runs(tmp_path, 3)
    ticks = itertools.count(0.0, 1.0)  # a second per look at the clock: past BATCH_SECONDS
    r, seen = reader(clock=lambda: next(ticks))
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    assert [len(b) for b in seen.batches] == [1, 1, 1]


def test_only_changed_folders_are_read_again(qtbot, reader, tmp_path):
    runs = make_runs(tmp_path, 4)
    r, seen = reader()
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    seen.batches.clear()
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    assert seen.folders() == [] and seen.removed == []
    write_note(runs[2], "better")
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    assert seen.folders() == [runs[2]]
    assert seen.batches[0][0].summary.note == "better"
    seen.batches.clear()
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)], reread=True)
    assert sorted(seen.folders()) == sorted(runs)


def test_folders_that_go_are_reported(qtbot, reader, tmp_path):
    runs = make_runs(tmp_path, 3)
    r, seen = reader()
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    os.rename(runs[0], str(tmp_path / "renamed"))
    seen.batches.clear()
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    assert seen.removed == [[runs[0]]]
    assert seen.folders() == [str(tmp_path / "renamed")]


def test_a_damaged_folder_is_a_row_with_its_problem(qtbot, reader, tmp_path):
    make_runs(tmp_path, 1)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / CONFIG_FILE).write_bytes(b"\xff\xfe")
    r, seen = reader()
    refresh_and_wait(qtbot, r, seen, [str(tmp_path)])
    rows = {row.summary.name: row for batch in seen.batches for row in batch}
    assert "not UTF-8" in rows["damaged"].summary.problem
    assert rows["damaged"].thumbnail is None and rows["run-00"].summary.problem == ""


def test_a_newer_refresh_stops_the_older_one(tmp_path, monkeypatch):
    runs = make_runs(tmp_path, 5)
    generations = _Generations()
    worker = _ReadWorker(generations, clock=lambda: 0.0)
    seen = Recorder()
    worker.rows.connect(lambda _g, rows: seen.batches.append(rows))
    worker.done.connect(lambda _g: setattr(seen, "done", seen.done + 1))
    read = library_reader.read_summary
    count = [0]

    def read_then_supersede(folder):
        count[0] += 1
        if count[0] == 2:
            generations.next()  # the window asked again while this read went on
        return read(folder)

    monkeypatch.setattr(library_reader, "read_summary", read_then_supersede)
    first = generations.next()
    worker.read(first, [str(tmp_path)], False)
    assert len(seen.folders()) == 2 and seen.done == 0  # stopped after its current folder
    worker.read(first, [str(tmp_path)], False)  # a stale request does nothing
    assert len(seen.folders()) == 2
    worker.read(generations.next(), [str(tmp_path)], False)
    assert sorted(seen.folders()) == sorted(runs) and seen.done == 1  # the rest, once each

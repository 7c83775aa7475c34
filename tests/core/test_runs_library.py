"""The runs library's files: run folders made by the real writers summed up in a line each,
damaged ones with their problem, the end of a large metrics.csv, and notes, names and the
trash."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
from synthetic_runs import healthy_metrics, make_run, report

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs import library
from gan_studio.core.runs.layout import (
    CONFIG_FILE,
    METRICS_FILE,
    NOTE_FILE,
    QUALITY_FILE,
    SWEEP_FILE,
)
from gan_studio.core.runs.library import (
    LibraryError,
    change_signature,
    read_thumbnail,
    rename_run,
    scan_runs,
    sweep_folders,
    trash_run,
    write_note,
)
from gan_studio.core.runs.metrics_log import MetricsLog
from gan_studio.core.runs.run_summary import TAIL_BYTES, read_metrics_tail, read_summary
from gan_studio.core.runs.trained_time import record_trained_seconds
from gan_studio.core.training.progress import StepMetrics


def metrics_of(steps: int) -> dict:
    return healthy_metrics(steps)


def test_a_healthy_run_is_summed_up(tmp_path):
    run = make_run(tmp_path / "hinge", loss="hinge", batch_size=64,
                   reports=[report(500, 30.0), report(1000, 14.0), report(2000, 16.0)])
    write_note(run, "hinge loss, first try\nsecond line")
    summary = read_summary(run)
    assert summary.problem == ""
    assert (summary.name, summary.dataset, summary.preset) == ("hinge", "mnist", "studio")
    assert "loss hinge" in summary.levers and "batch-size 64" in summary.levers
    assert summary.steps == 2000 and summary.batch_size == 64
    assert summary.images == 2000 * 64
    assert (summary.newest_fd, summary.newest_fd_step) == (16.0, 2000)
    assert (summary.best_fd, summary.best_fd_step) == (14.0, 1000)
    assert summary.note == "hinge loss, first try\nsecond line"
    assert summary.grid == os.path.join(run, "samples", "last.png")
    assert summary.sweep is None and summary.activity is not None
    # make_run logs a step a second: 2,000 steps, the first one's gap counted too.
    assert summary.seconds == pytest.approx(2000.0)


def test_time_trained_counts_from_the_newest_checkpoint(tmp_path):
    run = make_run(tmp_path / "run")
    record_trained_seconds(run, 1500, 900.0)
    # 500 steps a second apart since the checkpoint at step 1,500.
    assert read_summary(run).seconds == pytest.approx(900.0 + 500.0)


def test_a_preset_run_changes_no_lever(tmp_path):
    run = str(tmp_path / "plain")
    os.makedirs(run)
    TrainConfig(dataset="mnist").save(os.path.join(run, CONFIG_FILE))
    summary = read_summary(run)
    assert summary.levers == "" and summary.problem == ""
    assert summary.steps == 0 and summary.seconds is None and summary.newest_fd is None


def test_a_bad_config_is_a_problem_not_an_error(tmp_path):
    run = make_run(tmp_path / "bad")
    with open(os.path.join(run, CONFIG_FILE), "w") as f:
        f.write('{"dataset": "mnist", "batch_size": ')
    summary = read_summary(run)
    assert "cannot read config" in summary.problem and CONFIG_FILE in summary.problem
    assert "\n" not in summary.problem
    assert summary.dataset == "" and summary.images is None
    assert summary.steps == 2000  # what could be read still is


def test_an_out_of_range_config_value_is_a_problem(tmp_path):
    run = make_run(tmp_path / "range")
    with open(os.path.join(run, CONFIG_FILE)) as f:
        data = json.load(f)
    data["learning_rate"] = -1
    with open(os.path.join(run, CONFIG_FILE), "w") as f:
        json.dump(data, f)
    assert "learning_rate" in read_summary(run).problem


def test_a_truncated_metrics_file_is_a_problem(tmp_path):
    run = make_run(tmp_path / "cut")
    path = os.path.join(run, METRICS_FILE)
    with open(path, "rb+") as f:
        f.truncate(os.path.getsize(path) - 20)  # the last row cut in the middle
    summary = read_summary(run)
    assert f"{METRICS_FILE} ends in a cut-off row (read up to step 1999)" in summary.problem
    assert summary.steps == 1999


def test_garbage_metrics_and_quality_are_problems(tmp_path):
    run = make_run(tmp_path / "garbage")
    with open(os.path.join(run, QUALITY_FILE), "wb") as f:
        f.write(b"\x00\xffnot,a,table\n1,2\n")
    with open(os.path.join(run, METRICS_FILE), "wb") as f:
        f.write(os.urandom(3000))
    summary = read_summary(run)
    assert f"{QUALITY_FILE} is not a quality table" in summary.problem
    assert f"{METRICS_FILE} is not a metrics table" in summary.problem
    assert summary.newest_fd is None and summary.steps == 0


def test_unreadable_quality_rows_are_counted(tmp_path):
    run = make_run(tmp_path / "rows")
    with open(os.path.join(run, QUALITY_FILE), "a") as f:
        f.write("garbage\n")
    summary = read_summary(run)
    assert summary.problem == f"{QUALITY_FILE}: 1 of 6 rows cannot be read"
    assert summary.best_fd == 12.0


def test_the_tail_of_a_large_metrics_file_gives_its_last_step(tmp_path):
    run = str(tmp_path / "long")
    os.makedirs(run)
    log = MetricsLog(run)
    rows = 60_000
    log.append([StepMetrics(i + 1, i // 1000, 1.0, 1.2, 0.6, 0.4, 1.7e9 + 0.5 * i)
                for i in range(rows)])
    log.close()
    assert os.path.getsize(os.path.join(run, METRICS_FILE)) > 10 * TAIL_BYTES
    tail = read_metrics_tail(run)
    assert not tail.whole and tail.problem == ""
    assert tail.last_step == rows and tail.first_step == 1
    assert len(tail.steps) < rows // 10  # only the end was read
    assert np.all(np.diff(tail.steps) == 1)


def test_a_missing_or_header_only_metrics_file_is_no_problem(tmp_path):
    assert read_metrics_tail(tmp_path).problem == ""
    MetricsLog(str(tmp_path)).close()
    tail = read_metrics_tail(tmp_path)
    assert tail.problem == "" and tail.last_step == 0


def test_scan_finds_runs_and_sweep_runs_once(tmp_path):
    root = tmp_path / "runs"
    plain = make_run(root / "a", metrics=metrics_of(10), reports=[])
    sweep = root / "sweep-mnist-20250101-000000"
    first = make_run(sweep / "lr-1e-4", metrics=metrics_of(10), reports=[])
    second = make_run(sweep / "lr-2e-4", metrics=metrics_of(10), reports=[])
    (sweep / SWEEP_FILE).write_text("{}")
    (root / "not-a-run").mkdir()
    (root / "damaged").mkdir()
    (root / "damaged" / CONFIG_FILE).write_text("garbage")
    found = scan_runs([str(root), str(root), str(tmp_path / "missing")])
    assert sorted(found) == sorted([plain, first, second, str(root / "damaged")])
    assert read_summary(first).sweep == "sweep-mnist-20250101-000000"
    assert sweep_folders([str(root)]) == [str(sweep)]


def test_the_signature_changes_with_a_summary_s_files(tmp_path):
    run = make_run(tmp_path / "run", metrics=metrics_of(10), reports=[])
    before = change_signature(run)
    assert change_signature(run) == before
    write_note(run, "changed")
    assert change_signature(run) != before


def test_thumbnail_is_small_and_a_bad_grid_gives_none(tmp_path):
    run = make_run(tmp_path / "run", metrics=metrics_of(10), reports=[])
    thumbnail = read_thumbnail(read_summary(run).grid)
    assert thumbnail.dtype == np.uint8 and max(thumbnail.shape[:2]) <= library.THUMBNAIL_SIZE
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG garbage")
    assert read_thumbnail(str(bad)) is None and read_thumbnail(None) is None


def test_a_note_is_written_whole_and_a_blank_one_removed(tmp_path):
    run = make_run(tmp_path / "run", metrics=metrics_of(10), reports=[])
    write_note(run, "  épreuve \n")
    assert read_summary(run).note == "épreuve"
    write_note(run, "   ")
    assert not os.path.exists(os.path.join(run, NOTE_FILE))
    with open(os.path.join(run, NOTE_FILE), "wb") as f:
        f.write(b"bad \xff bytes")
    assert read_summary(run).note == "bad \ufffd bytes"


def test_rename_moves_the_folder_and_refuses_bad_names(tmp_path):
    run = make_run(tmp_path / "old", metrics=metrics_of(10), reports=[])
    make_run(tmp_path / "taken", metrics=metrics_of(10), reports=[])
    for name, words in (("", "needs a name"), ("a/b", "path separator"),
                        ("taken", "already exists"), ("..", "needs a name")):
        with pytest.raises(LibraryError, match=words):
            rename_run(run, name)
    new = rename_run(run, " new name ")
    assert new == str(tmp_path / "new name") and read_summary(new).steps == 10
    assert not os.path.exists(run)


def test_a_sweep_run_keeps_its_name(tmp_path):
    sweep = tmp_path / "sweep"
    run = make_run(sweep / "lr-1e-4", metrics=metrics_of(10), reports=[])
    (sweep / SWEEP_FILE).write_text("{}")
    with pytest.raises(LibraryError, match="belongs to the sweep sweep"):
        rename_run(run, "other")


@pytest.fixture
def private_trash(tmp_path, monkeypatch):
    """send2trash's own freedesktop.org trash, pointed into tmp_path (never the user's)."""
    send2trash = pytest.importorskip("send2trash")
    if not hasattr(os, "getuid"):
        pytest.skip("the freedesktop.org trash is Linux's and the BSDs'")
    from send2trash import plat_other

    data_home = tmp_path / "xdg-data"
    monkeypatch.setattr(plat_other, "XDG_DATA_HOME", os.fsencode(data_home))
    monkeypatch.setattr(plat_other, "HOMETRASH_B", os.fsencode(data_home / "Trash"))
    monkeypatch.setattr(plat_other, "get_dev", lambda _path: 0)  # always "the home's drive"
    monkeypatch.setattr(send2trash, "send2trash", plat_other.send2trash)
    return data_home / "Trash"


def test_trash_moves_a_run_into_the_trash(tmp_path, private_trash):
    run = make_run(tmp_path / "runs" / "doomed", metrics=metrics_of(10), reports=[])
    trash_run(run)
    assert not os.path.exists(run)
    assert (private_trash / "files" / "doomed" / CONFIG_FILE).is_file()
    info = (private_trash / "info" / "doomed.trashinfo").read_text()
    assert "Path=" in info and "doomed" in info


def test_trash_failure_is_one_line(tmp_path, monkeypatch):
    import send2trash

    run = make_run(tmp_path / "kept", metrics=metrics_of(10), reports=[])

    def refuse(path):
        raise OSError(13, "Permission denied", path)

    monkeypatch.setattr(send2trash, "send2trash", refuse)
    with pytest.raises(LibraryError) as raised:
        trash_run(run)
    assert str(raised.value) == f"Cannot move {run} to the trash: Permission denied: {run}"
    assert os.path.isdir(run)
    with pytest.raises(LibraryError, match="not a run folder"):
        trash_run(tmp_path)

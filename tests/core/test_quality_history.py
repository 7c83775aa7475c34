"""quality.csv round trips; the collapse detector on synthetic histories."""

import dataclasses

from gan_studio.core.quality.collapse import collapse_warning
from gan_studio.core.quality.report import (
    QualityReport,
    append_quality,
    drop_quality_after,
    read_quality,
)


def report(step, fd=10.0, diversity=0.9, score=8.0, rarest=0.08, commonest=0.12, classes=10):
    return QualityReport(step=step, epoch=0, fd=fd, kid=0.01, kid_error=0.001,
                         diversity=diversity, score=score, rarest_class=rarest,
                         commonest_class=commonest, classes=classes, samples=2000,
                         seconds=1.5, time=1_700_000_000.0 + step)


def test_quality_csv_round_trips_and_rolls_back(tmp_path):
    reports = [report(100), report(200, fd=8.5),
               dataclasses.replace(report(300), score=None, rarest_class=None,
                                   commonest_class=None, classes=0)]
    for r in reports:
        append_quality(tmp_path, r)
    assert read_quality(tmp_path) == reports
    assert not read_quality(tmp_path)[2].labelled
    with open(tmp_path / "quality.csv", "a") as f:
        f.write("garbage,row\n400,0,nan,1,1,1,,,,0,0,0,0\n")
    assert read_quality(tmp_path) == reports  # malformed rows are skipped
    drop_quality_after(tmp_path, 200)
    assert [r.step for r in read_quality(tmp_path)] == [100, 200]
    assert read_quality(tmp_path / "missing") == []


def test_a_learning_run_raises_no_warning():
    history = [report(i * 100, fd=30.0 - 2 * i, diversity=0.8 + 0.01 * i) for i in range(10)]
    assert collapse_warning(history) is None
    # noise: FD up twice in a row is not yet a trend
    noisy = history + [report(1100, fd=13.0), report(1200, fd=14.0)]
    assert collapse_warning(noisy) is None


def test_a_constant_generator_is_flagged_by_its_diversity():
    warning = collapse_warning([report(100), report(200, diversity=0.05)])
    assert warning.step == 200 and "varied" in warning.message


def test_sharp_diversity_drop_and_one_class_are_flagged():
    drop = collapse_warning([report(100, diversity=1.0), report(200, diversity=0.55)])
    assert drop is not None and "fell" in drop.message
    single = collapse_warning([report(100, rarest=0.0, commonest=0.97)])
    assert single is not None and "97%" in single.message
    vanishing = collapse_warning([report(100), report(200, rarest=0.005, commonest=0.2)])
    assert vanishing is not None and "rarest" in vanishing.message


def test_fd_worsening_several_times_in_a_row_is_flagged():
    history = [report(100, fd=10.0), report(200, fd=11.0), report(300, fd=12.0),
               report(400, fd=13.0)]
    warning = collapse_warning(history)
    assert warning is not None and "worsened 3 times" in warning.message
    slight = [report(100, fd=10.0), report(200, fd=10.1), report(300, fd=10.2),
              report(400, fd=10.3)]
    assert collapse_warning(slight) is None  # worse each time, but not by 25 %


def test_unlabelled_reports_are_judged_on_diversity_and_fd_only():
    plain = dataclasses.replace(report(100), score=None, rarest_class=None,
                                commonest_class=None, classes=0)
    assert collapse_warning([plain]) is None
    assert collapse_warning([dataclasses.replace(plain, diversity=0.1)]) is not None


def test_checkpoints_are_named_last_best_or_by_step(tmp_path):
    from gan_studio.core.runs.layout import best_checkpoint, list_checkpoints, resolve_checkpoint

    for folder, name in (("checkpoints", "ckpt-100"), ("checkpoints", "ckpt-300"),
                         ("best", "best-200")):
        (tmp_path / folder).mkdir(exist_ok=True)
        (tmp_path / folder / f"{name}.index").write_bytes(b"")
    assert best_checkpoint(tmp_path) == str(tmp_path / "best" / "best-200")
    assert [step for step, _ in list_checkpoints(tmp_path)] == [100, 200, 300]
    assert resolve_checkpoint(tmp_path, None) == str(tmp_path / "checkpoints" / "ckpt-300")
    assert resolve_checkpoint(tmp_path, "last") == resolve_checkpoint(tmp_path, None)
    assert resolve_checkpoint(tmp_path, "best") == str(tmp_path / "best" / "best-200")
    assert resolve_checkpoint(tmp_path, "100") == str(tmp_path / "checkpoints" / "ckpt-100")
    assert resolve_checkpoint(tmp_path, "150") is None
    assert resolve_checkpoint(tmp_path / "none", "best") is None

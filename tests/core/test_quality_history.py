"""quality.csv round trips; the collapse detector on synthetic histories."""

import csv
import dataclasses

import numpy as np

from gan_studio.core.quality.collapse import collapse_warning, untrained_start
from gan_studio.core.quality.report import (
    QUALITY_FIELDS,
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
    with open(tmp_path / "quality.csv", "ab") as f:
        f.write(b"\xff\xfe\x00\x80,1\n")
    assert read_quality(tmp_path) == reports  # so are bytes that are not text
    drop_quality_after(tmp_path, 200)
    assert [r.step for r in read_quality(tmp_path)] == [100, 200]
    assert read_quality(tmp_path / "missing") == []


def conditional(step, per_class, accuracy=1.0):
    return dataclasses.replace(report(step), class_accuracy=accuracy,
                               class_diversity=tuple(per_class))


def test_conditional_numbers_round_trip_and_files_without_them_still_read(tmp_path):
    reports = [conditional(100, [0.9, float("nan"), 0.25]), report(200)]
    for r in reports:
        append_quality(tmp_path, r)
    read = read_quality(tmp_path)
    assert read[1] == reports[1] and read[1].class_diversity is None
    assert read[0].class_accuracy == 1.0 and read[0].class_diversity[::2] == (0.9, 0.25)
    assert np.isnan(read[0].class_diversity[1])
    assert read[0].least_varied_class == (2, 0.25)
    assert abs(read[0].class_diversity_mean - 0.575) < 1e-12

    old = tmp_path / "old"  # a quality.csv written before the conditional columns
    old.mkdir()
    fields = QUALITY_FIELDS[:-2]
    with open(old / "quality.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(fields)
        writer.writerow([getattr(report(100), name) for name in fields])
    assert read_quality(old) == [report(100)]
    append_quality(old, conditional(200, [0.8, 0.9]))  # appending rewrites it under today's header
    assert read_quality(old) == [report(100), conditional(200, [0.8, 0.9])]
    with open(old / "quality.csv", newline="") as f:
        assert tuple(next(csv.reader(f))) == QUALITY_FIELDS


def test_a_collapse_within_classes_is_flagged_naming_the_classes():
    varied = conditional(1000, [0.95, 0.9, 0.85, float("nan")])
    assert collapse_warning([varied], trained=True) is None
    collapsed = conditional(2000, [0.95, 0.12, 0.3, float("nan")])
    warning = collapse_warning([varied, collapsed])
    assert warning is not None and warning.step == 2000
    assert "classes 1 (12%), 2 (30%)" in warning.message and "noise" in warning.message
    named = collapse_warning([collapsed], class_names=["cat", "dog", "frog", "ship"],
                             trained=True)
    assert "dog (12%), frog (30%)" in named.message
    # the overall numbers of such a run look healthy: only the per-class ratio tells
    assert collapsed.diversity == 0.9 and collapsed.commonest_class < 0.5


def test_a_learning_run_raises_no_warning():
    history = [report(i * 100, fd=30.0 - 2 * i, diversity=0.8 + 0.01 * i) for i in range(10)]
    assert collapse_warning(history) is None
    # noise: FD up twice in a row is not yet a trend
    noisy = history + [report(1100, fd=13.0), report(1200, fd=14.0)]
    assert collapse_warning(noisy) is None


def test_a_constant_generator_is_flagged_by_its_diversity():
    warning = collapse_warning([report(1000), report(2000, diversity=0.05)])
    assert warning.step == 2000 and "varied" in warning.message


def test_sharp_diversity_drop_and_one_class_are_flagged():
    drop = collapse_warning([report(100, diversity=1.0), report(200, diversity=0.55)])
    assert drop is not None and "fell" in drop.message
    single = collapse_warning([report(1000, rarest=0.0, commonest=0.97)], trained=True)
    assert single is not None and "97%" in single.message
    vanishing = collapse_warning([report(100), report(200, rarest=0.005, commonest=0.2)])
    assert vanishing is not None and "rarest" in vanishing.message


def test_a_young_generator_is_not_judged_while_it_is_still_learning_fast():
    # A CIFAR-10 run's first evaluation, at step 110: 25 % of real images' variety and one
    # class taking 74 %, which is where every generator starts, not a collapse.
    young = report(110, fd=103.0, diversity=0.25, commonest=0.74, rarest=0.0)
    assert untrained_start([young]) and collapse_warning([young]) is None
    assert collapse_warning([conditional(110, [0.2, 0.3])]) is None
    # ... and its second, FD down 61 %: still learning fast, so still not judged
    second = report(452, fd=40.5, diversity=0.3, commonest=0.6, rarest=0.0)
    assert untrained_start([young, second]) and collapse_warning([young, second]) is None
    # once FD falls slowly (27 % here), or turns, the floors and falls are judged
    slow = report(805, fd=29.6, diversity=0.25)
    assert not untrained_start([young, second, slow])
    assert collapse_warning([young, second, slow]) is not None
    fell = collapse_warning([report(100, diversity=0.9), report(200, diversity=0.52)])
    assert fell is not None and "fell" in fell.message  # FD flat: judged from the second


def test_the_small_folder_false_alarm_is_gone():
    """A 300-image folder at 64×64 was warned at step 70 ("only 16 % as varied as real images
    ... One class takes 93 %") while its samples were the untrained blur: its first
    evaluations, FD falling fast, are its untrained start, whatever the step."""
    blur = report(70, fd=310.0, diversity=0.16, commonest=0.93, rarest=0.0)
    assert collapse_warning([blur]) is None
    still = report(140, fd=190.0, diversity=0.18, commonest=0.93, rarest=0.0)
    assert collapse_warning([blur, still]) is None
    # at step 5,000 as at step 70: time alone does not end the start, the measurements do
    late = [dataclasses.replace(r, step=r.step * 100) for r in (blur, still)]
    assert collapse_warning(late) is None
    stuck = report(14_000, fd=185.0, diversity=0.16, commonest=0.93, rarest=0.0)
    assert collapse_warning([*late, stuck]) is not None  # no longer learning: judged


def test_fd_worsening_several_times_in_a_row_is_flagged():
    history = [report(100, fd=10.0), report(200, fd=11.0), report(300, fd=12.0),
               report(400, fd=13.0)]
    warning = collapse_warning(history)
    assert warning is not None and "worsened 3 times" in warning.message
    slight = [report(100, fd=10.0), report(200, fd=10.1), report(300, fd=10.2),
              report(400, fd=10.3)]
    assert collapse_warning(slight) is None  # worse each time, but not by 25 %


def test_unlabelled_reports_are_judged_on_diversity_and_fd_only():
    plain = dataclasses.replace(report(1000), score=None, rarest_class=None,
                                commonest_class=None, classes=0)
    assert collapse_warning([plain], trained=True) is None
    assert collapse_warning([dataclasses.replace(plain, diversity=0.1)], trained=True) is not None


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

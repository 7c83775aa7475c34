
import pytest

from gan_studio.core.training.control import TrainControl
from gan_studio.core.training.progress import StepMetrics, format_duration
from gan_studio.core.training.progress_meter import ProgressMeter


def _steps(first, count, loss=1.0):
    return [StepMetrics(s, 0, loss, loss, 0.5, 0.5, 0.0) for s in range(first, first + count)]


def test_progress_aggregates_rows_and_estimates_eta(clock):
    meter = ProgressMeter(step=10, total=20, batch_size=4, steps_per_epoch=6)
    clock[0] += 0.02
    rows = [StepMetrics(11, 0, 1.0, 2.0, 0.5, 0.25, 0.0), StepMetrics(12, 0, 3.0, 4.0, 0.7, 0.35, 0.0)]
    meter.add(rows)
    taken, p = meter.take_report(force=True)
    assert taken == rows and p.steps_per_epoch == 6
    assert p.step == 12 and p.steps == [11, 12] and p.g_loss == 2.0 and p.d_loss == 3.0
    assert abs(p.d_real - 0.6) < 1e-9 and p.images_per_sec > 0
    assert p.eta_seconds > 0 and p.finite


def test_paused_time_is_not_training_time(clock):
    meter = ProgressMeter(step=0, total=10, batch_size=1, steps_per_epoch=10)
    clock[0] += 3.0
    meter.pause()
    clock[0] += 200.0
    meter.unpause()
    clock[0] += 1.0
    meter.add([StepMetrics(1, 0, 0.0, 0.0, 0.5, 0.5, 0.0)])
    _rows, p = meter.take_report(force=True)
    assert p.elapsed_seconds == pytest.approx(4.0)


def test_a_report_over_two_steps_keeps_every_step_and_averages():
    meter = ProgressMeter(step=0, total=100, batch_size=1, steps_per_epoch=10)
    meter.add(_steps(1, 1, loss=1.0))
    meter.add(_steps(2, 1, loss=3.0))
    _rows, p = meter.take_report(force=True)
    assert p.steps == [1, 2]
    assert p.g_losses == [1.0, 3.0]
    assert p.g_loss == pytest.approx(2.0)
    assert p.step == 2


@pytest.mark.parametrize("interval", [0.05, 0.25])
def test_reports_come_at_most_once_per_interval_and_lose_no_step(clock, interval):
    now = clock
    meter = ProgressMeter(step=0, total=2000, batch_size=1, steps_per_epoch=100,
                          interval=interval)
    reports = []
    for step in range(1, 2001):
        now[0] += 0.001  # a step a millisecond
        meter.add(_steps(step, 1))
        report = meter.take_report()
        if report:
            reports.append(report[1])
    last = meter.take_report(force=True)
    reports += [last[1]] if last else []
    assert meter.take_report(force=True) is None  # nothing left to report
    assert len(reports) <= 2.0 / interval + 2
    assert len(reports) >= 2.0 / interval - 1  # and not fewer: the interval is not doubled
    assert [s for p in reports for s in p.steps] == list(range(1, 2001))  # nothing lost


def test_control_flags():
    control = TrainControl()
    assert not control.paused and not control.stopping
    control.pause()
    assert control.paused and not control.wait_while_paused(0.01)
    control.stop()
    assert control.stopping and not control.paused  # stop wakes a paused loop
    control.request_checkpoint()
    assert control.take_checkpoint_request() and not control.take_checkpoint_request()


def test_format_duration():
    assert format_duration(65) == "1:05"
    assert format_duration(3725) == "1:02:05"
    assert format_duration(float("inf")) == "--:--"

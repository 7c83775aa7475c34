import time

from gan_studio.core.control import TrainControl
from gan_studio.core.progress import StepMetrics, format_duration
from gan_studio.core.progress_meter import ProgressMeter


def test_progress_aggregates_rows_and_estimates_eta():
    meter = ProgressMeter(step=10, total=20, batch_size=4)
    time.sleep(0.02)
    meter.add(2)
    rows = [StepMetrics(11, 0, 1.0, 2.0, 0.5, 0.25, 0.0), StepMetrics(12, 0, 3.0, 4.0, 0.7, 0.35, 0.0)]
    p = meter.progress(rows, steps_per_epoch=6)
    assert p.step == 12 and p.steps == [11, 12] and p.g_loss == 2.0 and p.d_loss == 3.0
    assert abs(p.d_real - 0.6) < 1e-9 and p.images_per_sec > 0
    assert p.eta_seconds > 0 and p.finite


def test_paused_time_is_not_training_time():
    meter = ProgressMeter(step=0, total=10, batch_size=1)
    meter.pause()
    time.sleep(0.2)
    meter.unpause()
    meter.add(1)
    p = meter.progress([StepMetrics(1, 0, 0.0, 0.0, 0.5, 0.5, 0.0)], 10)
    assert p.elapsed_seconds < 0.15


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

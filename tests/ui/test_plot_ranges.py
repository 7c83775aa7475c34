"""What the plots' scales show: noise as noise on the Quality plot, epoch lines that never crowd
the loss plot (issue 28, items 9 and 11)."""

import dataclasses

import numpy as np
import pytest

from gan_studio.core.training.progress import Progress
from gan_studio.ui.training.epoch_lines import EPOCH_LINE_PIXELS, epoch_stride
from gan_studio.ui.training.loss_plot import LossPlot
from gan_studio.ui.training.quality_plot import QualityPlot


def y_span(box):
    low, high = box.viewRange()[1]
    return high - low


# ---- the Quality plot -----------------------------------------------------------------------
def test_two_close_evaluations_look_flat_and_a_real_fall_fills_the_plot(qtbot, quality_report):
    plot = QualityPlot()
    qtbot.addWidget(plot)
    boxes = plot._boxes
    plot.add(dataclasses.replace(quality_report(4, 0), fd=10.63, kid=0.0120, kid_error=0.0001,
                                 diversity=0.910, score=8.02))
    plot.add(dataclasses.replace(quality_report(8, 1), fd=10.60, kid=0.0118, kid_error=0.0001,
                                 diversity=0.905, score=8.00))
    for name, (a, b) in {"fd": (10.63, 10.60), "kid": (0.0120, 0.0118),
                         "diversity": (0.910, 0.905), "score": (8.02, 8.00)}.items():
        low, high = boxes[name].viewRange()[1]
        assert low <= 0 < max(a, b) <= high, name  # from zero: the points sit high and level
        assert y_span(boxes[name]) > 30 * abs(a - b), name
    # A real fall (FD 120 to 10) still fills the plot.
    plot.set_history([dataclasses.replace(quality_report(4, 0), fd=120.0),
                      dataclasses.replace(quality_report(8, 1), fd=10.0)])
    low, high = boxes["fd"].viewRange()[1]
    assert low <= 0 and 120 <= high < 140 and (120 - 10) / (high - low) > 0.8


def test_kid_below_zero_and_its_error_bars_stay_in_view(qtbot, quality_report):
    plot = QualityPlot()
    qtbot.addWidget(plot)
    plot.add(dataclasses.replace(quality_report(4, 0), kid=-0.002, kid_error=0.003))
    plot.add(dataclasses.replace(quality_report(8, 1), kid=0.010, kid_error=0.004))
    low, high = plot._boxes["kid"].viewRange()[1]
    assert low <= -0.005 and high >= 0.014


# ---- the loss plot's epoch lines ------------------------------------------------------------
def progress(steps, epoch, per_epoch):
    steps = list(steps)
    ones = [1.0] * len(steps)
    return Progress(step=steps[-1], epoch=epoch, steps_per_epoch=per_epoch, total_steps=2000,
                    g_loss=1.0, d_loss=1.0, d_real=0.5, d_fake=0.5, images_per_sec=1.0,
                    eta_seconds=1.0, elapsed_seconds=1.0, steps=steps, g_losses=ones,
                    d_losses=ones, d_reals=ones, d_fakes=ones)


def feed(plot, total, per_epoch, per_report=10):
    """Reports `total` steps, `per_report` at a time, as a run of `per_epoch`-step epochs does."""
    for first in range(1, total + 1, per_report):
        steps = range(first, min(first + per_report, total + 1))
        plot.add_progress(progress(steps, (steps[-1] - 1) // per_epoch, per_epoch))
    plot._redraw()


def wait_for_autorange(qtbot, plot, last_step):
    """pyqtgraph autoranges when it next paints: the lines follow by `sigRangeChanged`."""
    qtbot.waitUntil(lambda: plot.loss_plot.getViewBox().viewRange()[0][1] >= last_step,
                    timeout=5000)


@pytest.fixture
def shown_plot(qtbot):
    """A loss plot about 600 pixels wide, laid out."""
    plot = LossPlot()
    qtbot.addWidget(plot)
    plot.resize(660, 400)
    plot.show()
    qtbot.waitExposed(plot)
    return plot


def pixel_gaps(plot, lines):
    view = plot.loss_plot.getViewBox()
    (x0, x1), _ = view.viewRange()
    return np.diff(lines) * view.width() / (x1 - x0)


def test_short_epochs_draw_every_kth_line_at_least_the_minimum_apart(qtbot, shown_plot):
    plot = shown_plot
    feed(plot, 2000, per_epoch=9)
    wait_for_autorange(qtbot, plot, 2000)
    assert len(plot.epoch_boundaries) == 222  # every epoch is kept, reports crossing two too
    assert 500 < plot.loss_plot.getViewBox().width() < 700
    markers = plot._markers[plot.loss_plot]
    lines = markers.drawn
    assert 2 <= len(lines) < 222 / 2
    assert pixel_gaps(plot, lines).min() >= EPOCH_LINE_PIXELS
    assert all(step % (9 * 10) == 0 for step in lines)  # the ladder's 10: after 10, 20, ... epochs
    xs, ys = markers.getData()
    assert list(xs[::2]) == list(lines) and len(ys) == 2 * len(lines)
    assert plot._markers[plot.output_plot].drawn.tolist() == lines.tolist()

    # Zoomed in, every epoch has room again; the same items are redrawn.
    plot.loss_plot.setXRange(900, 1000, padding=0)
    zoomed = markers.drawn
    assert plot._markers[plot.loss_plot] is markers
    assert set(np.arange(909, 1000, 9)) <= set(zoomed)
    assert pixel_gaps(plot, zoomed).min() >= EPOCH_LINE_PIXELS

    # A narrower window thins them again.
    plot.loss_plot.enableAutoRange(axis="x")
    plot.resize(360, 400)
    qtbot.waitUntil(lambda: plot.loss_plot.getViewBox().width() < 320, timeout=2000)
    qtbot.waitUntil(lambda: plot.loss_plot.getViewBox().viewRange()[0][0] < 100, timeout=5000)
    assert len(markers.drawn) < len(lines)
    assert pixel_gaps(plot, markers.drawn).min() >= EPOCH_LINE_PIXELS


def test_few_epochs_are_all_drawn(qtbot, shown_plot):
    plot = shown_plot
    feed(plot, 2000, per_epoch=200)
    wait_for_autorange(qtbot, plot, 2000)
    assert plot.epoch_boundaries == [float(200 * e) for e in range(1, 10)]
    assert plot._markers[plot.loss_plot].drawn.tolist() == plot.epoch_boundaries


def test_the_stride_ladder():
    steps = np.arange(1, 101) * 9.0
    epochs = np.arange(1, 101)
    assert epoch_stride(steps, epochs, pixels_per_step=2.0) == 1  # 18 px apart
    assert epoch_stride(steps, epochs, pixels_per_step=1.0) == 2
    assert epoch_stride(steps, epochs, pixels_per_step=0.3) == 10  # 5 epochs: 13.5 px
    assert epoch_stride(steps, epochs, pixels_per_step=0.0) == 1  # not laid out yet
    assert epoch_stride(steps[:1], epochs[:1], pixels_per_step=0.01) == 1
    # Epoch 0 twice (a malformed history) ends the search instead of looping.
    assert epoch_stride(np.array([5.0, 5.0]), np.array([0, 0]), 1.0) >= 1

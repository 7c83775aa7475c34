"""The loss plots' grid: lines at the axes' major ticks that follow the view."""

import numpy as np
import pyqtgraph as pg

from gan_studio.ui.widgets.tick_grid import TickGrid


def grid_lines(grid):
    xs, ys = grid.getData()
    pairs = np.stack([xs, ys], axis=1).reshape(-1, 2, 2)
    vertical = sorted({a[0] for a, b in pairs if a[0] == b[0]})
    horizontal = sorted({a[1] for a, b in pairs if a[1] == b[1]})
    return vertical, horizontal


def test_grid_lines_sit_on_the_major_ticks_and_follow_the_range(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    qtbot.waitExposed(widget)
    plot = widget.getPlotItem()
    grid = TickGrid(plot, pg.mkPen("#888888"))
    plot.setXRange(0, 1000, padding=0)
    plot.setYRange(0, 2, padding=0)
    qtbot.waitUntil(lambda: grid_lines(grid)[0] and grid_lines(grid)[0][-1] >= 800)
    vertical, horizontal = grid_lines(grid)
    view = plot.getViewBox()
    expected_x = plot.getAxis("bottom").tickValues(0, 1000, view.width())[0][1]
    assert vertical == sorted(expected_x)
    assert horizontal[0] >= 0 and horizontal[-1] <= 2 and len(horizontal) >= 2
    plot.setXRange(5000, 6000, padding=0)
    qtbot.waitUntil(lambda: grid_lines(grid)[0][0] >= 5000)
    assert all(5000 <= x <= 6000 for x in grid_lines(grid)[0])


def test_grid_never_stretches_the_autorange(qtbot):
    widget = pg.PlotWidget()
    qtbot.addWidget(widget)
    widget.resize(400, 300)
    widget.show()
    plot = widget.getPlotItem()
    TickGrid(plot, pg.mkPen("#888888"))
    plot.plot([0, 1, 2], [5, 6, 7])
    plot.enableAutoRange()
    qtbot.waitUntil(lambda: plot.getViewBox().viewRange()[1][0] > 4)

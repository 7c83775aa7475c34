"""The comparison window with three synthetic runs (ui/runs/compare_window.py): legend, axes,
the shared grid slider, the tables and live reloading."""

import numpy as np
import pytest
from core.test_comparison import append_steps, write_run

from gan_studio.core.images import load_image
from gan_studio.ui.runs.compare_window import CompareWindow


@pytest.fixture
def three_runs(tmp_path):
    """lr 0.0001 at 2 steps/s, lr 0.0002 at 1 step/s, lr 0.0004 at batch 128 and 1 step/s."""
    return [write_run(tmp_path / "slow-lr", 200, 0.5, learning_rate=1e-4, grid_every=50,
                      fds=[(100, 40.0), (200, 30.0)]),
            write_run(tmp_path / "mid-lr", 150, 1.0, learning_rate=2e-4, grid_every=30,
                      fds=[(90, 35.0), (150, 20.0)]),
            write_run(tmp_path / "fast-lr", 120, 1.0, learning_rate=4e-4, batch_size=128,
                      grid_every=40, fds=[(60, 45.0), (120, 25.0)])]


@pytest.fixture
def window(qtbot):
    windows = []

    def open_(run_dirs, **kwargs):
        win = CompareWindow(**kwargs)
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.reader.loaded):
            win.set_runs(run_dirs)
        win.resize(1000, 900)
        win.show()
        windows.append(win)
        return win

    yield open_
    for win in windows:
        win.shutdown()


def _shown_steps(win):
    return [int(image[0, 0]) if image is not None else None for image in win.grids.images]


def test_legend_names_the_differing_levers(window, three_runs):
    win = window(three_runs)
    assert win.plots.legend_labels() == ["batch-size 32 · lr 0.0001", "batch-size 32 · lr 0.0002",
                                         "batch-size 128 · lr 0.0004"]
    assert win.tables.headers()[1].endswith("lr 0.0002")


def test_switching_the_axis_changes_the_plotted_x(window, three_runs):
    win = window(three_runs)
    x_step = win.plots.slots[2].g.xData
    assert x_step[-1] == 120
    win.axis_choice.setCurrentIndex(1)  # images seen
    assert win.axis == "images" and win.plots.slots[2].g.xData[-1] == 120 * 128
    assert win.plots.slots[0].g.xData[-1] == 200 * 32
    win.axis_choice.setCurrentIndex(2)  # minutes trained
    np.testing.assert_allclose(win.plots.slots[0].g.xData[-1], 100 / 60)
    np.testing.assert_allclose(win.plots.slots[1].quality.xData, [1.5, 2.5])
    assert win.plots.output_plot.getAxis("bottom").labelText == "minutes trained"


def test_the_slider_shows_the_same_or_nearest_step_and_says_so(qtbot, window, three_runs):
    win = window(three_runs)
    # grids every 50, 30 and 40 steps: the span all hold is 50..120
    assert [round(p) for p in win.grids._stops] == [50, 60, 80, 90, 100, 120]
    win.grids.move_to(120)
    qtbot.waitUntil(lambda: _shown_steps(win) == [100, 120, 120])
    assert win.grids.captions() == ["step 100 (nearest saved grid to 120)", "step 120",
                                    "step 120"]
    assert win.plots._markers[0].value() == 120
    win.grids.move_to(60)
    qtbot.waitUntil(lambda: _shown_steps(win) == [50, 60, 40])
    assert win.grids.captions()[2] == "step 40 (nearest saved grid to 60)"
    assert win.grids.where.text() == "step 60"


def test_the_table_compares_quality_at_equal_budget(window, three_runs):
    win = window(three_runs)  # step: 120 all reached; FD 40 (step 100), 35 (90), 25 (120)
    assert win.tables.budget.text().startswith("Quality at step 120, the most all runs reached")
    assert [win.tables.cell("FD", c) for c in range(3)] == ["40.00", "35.00", "25.00"]
    assert win.tables.headers()[2].startswith("★") and win.tables.best == 2
    assert win.tables.cell("lr", 0) == "0.0001"
    win.axis_choice.setCurrentIndex(2)  # minutes: 1.67 (slow-lr), 2.5, 2.0: all at 1.67
    assert win.tables.cell("measured at", 0) == "step 200"
    assert win.tables.cell("measured at", 1) == "step 90"


def test_a_damaged_run_is_listed_with_its_problem(window, three_runs, tmp_path):
    broken = tmp_path / "broken"
    write_run(broken, 40, 1.0, grid_every=20)
    (broken / "config.json").write_text("[1, 2")
    win = window([*three_runs[:2], str(broken)])
    assert win.plots.legend_labels()[2] == "broken"
    assert "config.json" in win.tables.cell("problem", 2)
    assert "broken: " in win.status.text()


def test_too_many_runs_are_refused_with_one_line(window, three_runs, tmp_path):
    win = window(three_runs)
    with pytest.raises(ValueError, match="at most 6"):
        win.set_runs(three_runs * 3)
    for i in range(3):
        assert win.add_run(write_run(tmp_path / f"more{i}", 10, 1.0, grid_every=0))
    assert not win.add_run(str(tmp_path / "one-too-many"))
    assert "at most 6" in win.status.text() and len(win.run_dirs) == 6


def test_live_reload_picks_up_new_steps_and_a_new_run(qtbot, window, three_runs):
    win = window(three_runs[:2], reload_ms=20)
    assert win.plots.slots[1].g.xData[-1] == 150
    append_steps(three_runs[1], range(151, 181), 1.0)  # the run trains on
    qtbot.waitUntil(lambda: win.plots.slots[1].g.xData[-1] == 180)
    with qtbot.waitSignal(win.reader.loaded):
        win.add_run(three_runs[2])  # a sweep's next run starts
    assert len(win.plots.legend_labels()) == 3


def test_hidden_window_stops_reloading(window, three_runs):
    win = window(three_runs[:2], reload_ms=20)
    assert win._reload.isActive()
    win.hide()
    assert not win._reload.isActive()


def test_saves_the_grids_side_by_side(qtbot, window, three_runs, tmp_path):
    win = window(three_runs)
    win.grids.move_to(120)
    qtbot.waitUntil(lambda: _shown_steps(win) == [100, 120, 120])
    path = win.save_image(str(tmp_path / "sheet.png"))
    sheet = load_image(path)
    assert sheet.ndim == 3 and sheet.shape[1] > 3 * 4
    assert "Saved" in win.status.text()


def test_grids_of_four_to_six_runs_take_two_rows(qtbot):
    from gan_studio.ui.runs.compare_grids import CompareGrids

    grids = CompareGrids()
    qtbot.addWidget(grids)

    def rows_and_columns(count):
        grids.show_choices([f"run {i}" for i in range(count)], ["#000000"] * count,
                           [None] * count, [""] * count)
        places = [grids._rows.getItemPosition(grids._rows.indexOf(grids.panels[i]))[:2]
                  for i in range(count)]
        return max(r for r, _ in places) + 1, max(c for _, c in places) + 1

    assert rows_and_columns(3) == (1, 3)
    assert rows_and_columns(5) == (2, 3)
    assert rows_and_columns(4) == (2, 2)
    assert rows_and_columns(2) == (1, 2)


def test_long_labels_are_cut_in_the_legend_one_a_line(qtbot):
    from gan_studio.ui.runs.compare_plots import LEGEND_CHARS, ComparePlots

    plots = ComparePlots()
    qtbot.addWidget(plots)
    long = "dataset mnist · " + "lever 0.0001 · " * 8
    plots._set_legend([long, "dataset cifar10"])
    shown = plots.legend_labels()
    assert len(shown[0]) == LEGEND_CHARS and shown[0].endswith("…")
    assert shown[1] == "dataset cifar10"
    assert plots.legend.columnCount == 1
    plots._set_legend(["lr 0.0001", "lr 0.0002", "lr 0.0004"])
    assert plots.legend.columnCount == 3

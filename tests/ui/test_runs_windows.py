"""File → Runs Library in the real window (fake engine): the runs trained are listed; the
library opens, continues and compares them through the window; the run training is guarded."""

import os

import pytest
from PySide6.QtCore import QItemSelectionModel

from gan_studio.core.config import TrainConfig
from gan_studio.core.runs.layout import CONFIG_FILE
from gan_studio.ui.runs.runs_table_model import column


@pytest.fixture
def window(open_window, fake_engine):
    return open_window(fake_engine, length=(2, "epochs"), batch_size=8)


def train_one(qtbot, window) -> str:
    with qtbot.waitSignal(window.session.run_started, timeout=10000):
        window.training_panel.train_action.trigger()
    run_dir = window.session.run_dir
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)
    # The fake engine writes no config.json; the real trainer writes it first.
    TrainConfig(dataset="mnist", batch_size=8).save(os.path.join(run_dir, CONFIG_FILE))
    window.runs.new_run_form()
    return run_dir


def library_rows(window) -> list[str]:
    proxy = window.runs_windows.library.proxy
    return [proxy.index(r, column("name")).data() for r in range(proxy.rowCount())]


def select(library, folders) -> None:
    library.view.clearSelection()
    for folder in folders:
        row = library.proxy.mapFromSource(library.model.index(library.model.row_of(folder), 0))
        library.view.selectionModel().select(
            row, QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)


def test_library_lists_opens_continues_and_compares_the_runs_trained(qtbot, window,
                                                                     tmp_path, fake_engine):
    first, second = train_one(qtbot, window), train_one(qtbot, window)
    windows = window.runs_windows
    assert "Runs Library…" in [a.text().replace("&", "") for a in
                               window.menuBar().actions()[0].menu().actions()]
    assert windows.show_library.shortcut().toString() == "Ctrl+L"
    windows.show_library.trigger()
    library = windows.library
    assert library.isWindow() and library.roots == [str(tmp_path / "runs")]
    qtbot.waitUntil(lambda: sorted(library_rows(window)) ==
                    sorted(os.path.basename(p) for p in (first, second)), timeout=20000)

    select(library, [first])
    with qtbot.waitSignal(window.runs.run_opened, timeout=10000) as opened:
        library.run_actions["open"].trigger()
    assert opened.args == [first] and window.run.run_dir == first

    select(library, [first, second])
    library.run_actions["compare"].trigger()
    compare = windows.comparison
    assert compare.isVisible() and sorted(compare.run_dirs) == sorted([first, second])

    select(library, [second])
    fake_engine.until_stopped = True  # still training when the guard is asked
    with qtbot.waitSignal(window.session.run_started, timeout=10000) as started:
        library.run_actions["continue"].trigger()
    assert started.args[0] == second
    assert windows._folders_training() == [second]  # guarded from rename and trash
    window.session.stop()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=20000)


def test_library_folders_added_are_remembered(qtbot, window, tmp_path, isolated_settings):
    windows = window.runs_windows
    other = tmp_path / "more-runs"
    other.mkdir()
    windows.library.roots_changed.emit([str(tmp_path / "runs"), str(other)])
    assert isolated_settings.library_folders() == [str(other)]
    assert windows.roots() == [str(tmp_path / "runs"), str(other)]


def test_continue_needs_a_checkpoint(qtbot, window, tmp_path, message_boxes):
    empty = tmp_path / "runs" / "empty"
    empty.mkdir(parents=True)
    window.runs_windows.continue_run(str(empty))
    assert not window.session.busy
    assert message_boxes == [("warning", "Continue Training", f"{empty} has no checkpoint yet.")]


def test_the_library_and_comparison_fit_the_screen(qtbot, window):
    windows = window.runs_windows
    room = window.screen().availableGeometry().size()  # the offscreen platform's 800×800
    for made in (windows.library, windows.comparison):
        assert made.width() <= room.width() - 16 and made.height() <= room.height() - 48
    assert windows.library.width() == min(1360, room.width() - 16)

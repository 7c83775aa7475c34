"""The runs library widget: real run folders listed (a damaged one with its problem), sorted
numerically, filtered, acted on by signal, deleted only after a confirmation, and a
selection that survives a refresh."""

from __future__ import annotations

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox
from synthetic_runs import healthy_metrics, make_run, report

from gan_studio.core.runs.layout import CONFIG_FILE, NOTE_FILE
from gan_studio.core.runs.library import write_note
from gan_studio.ui.runs import library_window
from gan_studio.ui.runs.library_window import RunsLibrary
from gan_studio.ui.runs.runs_table_model import column


def run_with(root, name: str, steps: int, fd: float | None = None, **config) -> str:
    reports = [] if fd is None else [report(steps, fd)]
    return make_run(root / name, metrics=healthy_metrics(steps), reports=reports, **config)


@pytest.fixture
def runs(tmp_path):
    root = tmp_path / "runs"
    made = {"nine": run_with(root, "nine", 9, 40.0),
            "hundred": run_with(root, "hundred", 100, 8.5, loss="hinge"),
            "twenty": run_with(root, "twenty", 20, 12.0)}
    damaged = root / "damaged"
    damaged.mkdir()
    (damaged / CONFIG_FILE).write_text("{not json")
    made["damaged"] = str(damaged)
    return root, made


@pytest.fixture
def library(qtbot, runs):
    widget = RunsLibrary([str(runs[0])])
    qtbot.addWidget(widget)
    widget.show()  # the first show reads the folders
    qtbot.waitUntil(lambda: widget.model.rowCount() == 4 and not widget.reader.busy,
                    timeout=20_000)
    yield widget
    widget.shutdown()


def shown(widget, key: str) -> list[str]:
    """The column of `key` as shown, top to bottom."""
    proxy = widget.proxy
    return [proxy.index(r, column(key)).data() for r in range(proxy.rowCount())]


def names(widget) -> list[str]:
    return shown(widget, "name")


def select(widget, *folder_names: str) -> None:
    widget.view.clearSelection()
    model = widget.view.selectionModel()
    for r in range(widget.proxy.rowCount()):
        if widget.proxy.index(r, column("name")).data() in folder_names:
            model.select(widget.proxy.index(r, 0),
                         model.SelectionFlag.Select | model.SelectionFlag.Rows)


def refresh_and_wait(qtbot, widget) -> None:
    done = []
    widget.reader.done.connect(lambda: done.append(1))
    widget.refresh()
    qtbot.waitUntil(lambda: bool(done), timeout=20_000)


def test_lists_runs_and_the_damaged_one_with_its_problem(library):
    assert sorted(names(library)) == ["damaged", "hundred", "nine", "twenty"]
    row = names(library).index("damaged")
    problem = library.proxy.index(row, column("problem"))
    assert "cannot read config" in problem.data()
    thumbnail = library.proxy.index(row, column("thumbnail"))
    assert thumbnail.data(Qt.ItemDataRole.DecorationRole) is not None  # the warning icon
    assert "cannot read config" in thumbnail.data(Qt.ItemDataRole.ToolTipRole)
    assert not library.view.isColumnHidden(column("problem"))
    good = library.proxy.index(names(library).index("hundred"), column("levers"))
    assert "loss hinge" in good.data()
    assert library.proxy.index(row, column("levers")).data() == ""  # unknown: no config
    from gan_studio.core.runs.run_summary import RunSummary
    from gan_studio.ui.runs.runs_table_model import cell_text

    assert cell_text(RunSummary("/runs/plain", "plain"), "levers") == "none: the preset's"
    thumbnail = library.proxy.index(names(library).index("hundred"), column("thumbnail"))
    assert not thumbnail.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert "1 with a problem" in library.status.text()


def test_numbers_sort_as_numbers(library):
    library.view.sortByColumn(column("steps"), Qt.SortOrder.AscendingOrder)
    assert names(library) == ["damaged", "nine", "twenty", "hundred"]  # 0, 9, 20, 100
    library.view.sortByColumn(column("best_fd"), Qt.SortOrder.AscendingOrder)
    assert names(library)[:3] == ["hundred", "twenty", "nine"]  # 8.5, 12, 40 ("40" < "8.5")
    assert names(library)[3] == "damaged"  # no FD: after those that have one


def test_the_filter_matches_any_column(qtbot, library):
    library.filter.setText("hinge")
    assert names(library) == ["hundred"]
    library.filter.setText("CANNOT read")
    assert names(library) == ["damaged"]
    library.filter.setText("")
    assert len(names(library)) == 4


def test_actions_emit_their_signals(qtbot, library, runs):
    _, made = runs
    select(library, "twenty")
    with qtbot.waitSignal(library.open_run) as opened:
        library.run_actions["open"].trigger()
    assert opened.args == [made["twenty"]]
    for name, signal in (("continue", library.continue_run), ("sweep", library.sweep_from),
                         ("export", library.export_run)):
        with qtbot.waitSignal(signal) as got:
            library.run_actions[name].trigger()
        assert got.args == [made["twenty"]]
    assert not library.run_actions["compare"].isEnabled()  # one run
    select(library, "twenty", "nine")
    assert library.run_actions["compare"].isEnabled()
    assert not library.run_actions["open"].isEnabled()
    with qtbot.waitSignal(library.compare_runs) as compared:
        library.run_actions["compare"].trigger()
    assert sorted(compared.args[0]) == sorted([made["twenty"], made["nine"]])


def test_a_damaged_run_cannot_be_continued_but_can_be_opened(qtbot, library):
    select(library, "damaged")
    assert library.run_actions["open"].isEnabled()
    assert not library.run_actions["continue"].isEnabled()
    assert not library.run_actions["export"].isEnabled()


def test_a_double_click_opens(qtbot, library, runs):
    select(library, "nine")
    index = library.view.selectionModel().selectedRows()[0]
    with qtbot.waitSignal(library.open_run) as opened:
        library.view.doubleClicked.emit(index)
    assert opened.args == [runs[1]["nine"]]


def test_delete_asks_first_and_then_trashes(qtbot, library, runs, monkeypatch):
    _, made = runs
    asked, trashed = [], []
    monkeypatch.setattr(library_window, "trash_run", trashed.append)
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: (
        asked.append(args[2]), QMessageBox.StandardButton.No)[1])
    select(library, "nine", "twenty")
    library.run_actions["trash"].trigger()
    assert "Move these 2 runs to the trash?" in asked[0]
    assert "nine" in asked[0] and "twenty" in asked[0]
    assert trashed == []  # the answer was No
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kw: QMessageBox.StandardButton.Yes)
    library.run_actions["trash"].trigger()
    qtbot.waitUntil(lambda: len(trashed) == 2, timeout=20_000)
    assert sorted(trashed) == sorted([made["nine"], made["twenty"]])


def test_rename_and_note(qtbot, library, runs, monkeypatch):
    root, made = runs
    select(library, "nine")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: ("nine-renamed", True))
    library.run_actions["rename"].trigger()
    renamed = str(root / "nine-renamed")
    qtbot.waitUntil(lambda: "nine-renamed" in names(library) and "nine" not in names(library),
                    timeout=20_000)
    assert [r.folder for r in library.selected_runs()] == [renamed]  # still selected
    monkeypatch.setattr(QInputDialog, "getMultiLineText",
                        lambda *a, **kw: ("lr too high?\nsee run twenty", True))
    library.run_actions["note"].trigger()
    assert open(os.path.join(renamed, NOTE_FILE)).read() == "lr too high?\nsee run twenty\n"
    qtbot.waitUntil(lambda: "lr too high?" in shown(library, "note"), timeout=20_000)


def test_a_refused_rename_is_one_line(qtbot, library, monkeypatch):
    warned = []
    select(library, "nine")
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: ("twenty", True))
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warned.append(args[2]))
    library.run_actions["rename"].trigger()
    assert len(warned) == 1 and "already exists" in warned[0] and "\n" not in warned[0]


def test_the_selection_survives_a_refresh(qtbot, library, runs, tmp_path):
    root, made = runs
    select(library, "twenty", "hundred")
    write_note(made["twenty"], "changed since")  # re-read: its row changes in place
    run_with(root, "new", 50, 20.0)  # a new row, sorted somewhere among them
    refresh_and_wait(qtbot, library)
    assert "new" in names(library) and "changed since" in shown(library, "note")
    assert sorted(r.name for r in library.selected_runs()) == ["hundred", "twenty"]


def test_add_folder_lists_its_runs_and_tells_the_roots(qtbot, library, tmp_path, monkeypatch):
    other = tmp_path / "elsewhere"
    run_with(other, "far", 5)
    monkeypatch.setattr(library_window.QFileDialog, "getExistingDirectory",
                        lambda *a, **kw: str(other))
    with qtbot.waitSignal(library.roots_changed) as changed:
        library._add_folder()
    assert changed.args[0][1] == str(other)
    qtbot.waitUntil(lambda: "far" in names(library), timeout=20_000)


def test_keys_on_the_table(qtbot, library, runs, monkeypatch):
    select(library, "nine")
    library.view.setFocus()
    library.activateWindow()
    qtbot.waitActive(library)
    with qtbot.waitSignal(library.open_run) as opened:
        qtbot.keyClick(library.view, Qt.Key.Key_Return)
    assert opened.args == [runs[1]["nine"]]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kw: (
        asked.append(args[2]), QMessageBox.StandardButton.No)[1])
    qtbot.keyClick(library.view, Qt.Key.Key_Delete)
    assert asked and "nine" in asked[0]
    library.filter.setFocus()
    library.filter.setText("nin")
    qtbot.keyClick(library.filter, Qt.Key.Key_Delete)  # in the filter, Delete deletes text
    assert len(asked) == 1


def test_a_new_run_folder_is_seen_without_asking(qtbot, library, runs):
    root, _ = runs
    library._poll.stop()  # the file watcher alone
    assert str(root) in library._watcher.directories()
    run_with(root, "arrived", 7)
    qtbot.waitUntil(lambda: "arrived" in names(library), timeout=20_000)


def test_other_roots_replace_the_listed_runs(qtbot, library, tmp_path):
    other = tmp_path / "other-runs"
    run_with(other, "only", 3)
    library.set_roots([str(other)])
    qtbot.waitUntil(lambda: names(library) == ["only"], timeout=20_000)
    assert library.roots == [str(other)]


def test_the_run_training_now_is_neither_renamed_nor_trashed(qtbot, library, runs, monkeypatch):
    _, made = runs
    library.in_use = lambda: [made["twenty"]]
    told, trashed = [], []
    monkeypatch.setattr(library_window, "trash_run", trashed.append)
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *args, **kw: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **kw: ("other", True))
    select(library, "nine", "twenty")
    library.run_actions["trash"].trigger()
    select(library, "twenty")
    library.run_actions["rename"].trigger()
    assert told == ["twenty is training now: stop it first."] * 2
    assert trashed == [] and os.path.isdir(made["twenty"])


def test_the_problem_column_shows_only_while_a_run_has_one(qtbot, tmp_path):
    root = tmp_path / "good"
    run_with(root, "fine", 9, 30.0)
    widget = RunsLibrary([str(root)])
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 1 and not widget.reader.busy,
                    timeout=20_000)
    assert widget.view.isColumnHidden(column("problem"))
    (root / "broken").mkdir()
    (root / "broken" / CONFIG_FILE).write_text("[]")
    widget.refresh()
    qtbot.waitUntil(lambda: widget.model.rowCount() == 2 and not widget.reader.busy,
                    timeout=20_000)
    assert not widget.view.isColumnHidden(column("problem"))
    widget.shutdown()

"""The window names the image files a run left out (a notice that stays, and its list)."""

from PySide6.QtCore import QObject, Qt, Signal

from gan_studio.core.training.events import EventKind
from gan_studio.core.training.progress import Event
from gan_studio.core.training.session_states import STARTING, TRAINING
from gan_studio.data.skipped import CORRUPT, EMPTY, SkippedFile

FILES = (SkippedFile("cats/broken.png", CORRUPT, "corrupt (broken PNG file)"),
         SkippedFile("empty.jpg", EMPTY, "empty (0 bytes)"))


def skipped_event(files=FILES, count=None, path="/runs/pets-1/skipped.txt"):
    count = len(files) if count is None else count
    return Event(EventKind.SKIPPED, f"{count} image files skipped", {
        "files": files, "count": count, "path": path, "dataset": "/data/pets"})


class FakeSession(QObject):
    event = Signal(object)
    state_changed = Signal(str)


def test_the_notice_appears_in_the_status_bar_and_its_dialog_lists_the_files(open_window,
                                                                             qtbot):
    window = open_window()
    notice = window.skipped_files
    assert not notice.isVisible() and not notice.action.isEnabled()
    assert notice.action in window.menuBar().actions()[1].menu().actions()  # Training menu
    window.session.event.emit(skipped_event())
    qtbot.waitUntil(notice.isVisible)
    assert notice.text() == "2 files skipped — Details…" and notice.action.isEnabled()
    qtbot.mouseClick(notice, Qt.MouseButton.LeftButton)
    dialog = notice.dialog
    qtbot.waitUntil(dialog.isVisible)
    rows = [(dialog.table.topLevelItem(i).text(0), dialog.table.topLevelItem(i).text(1))
            for i in range(dialog.table.topLevelItemCount())]
    assert rows == [("cats/broken.png", "corrupt (broken PNG file)"),
                    ("empty.jpg", "empty (0 bytes)")]
    assert "/data/pets" in dialog.summary.text()
    assert dialog.where.text() == "The list is saved in /runs/pets-1/skipped.txt"
    dialog.close()
    window.statusBar().showMessage("Epoch 3 finished")  # the status line has moved on
    notice.action.trigger()  # the menu opens it again, whatever the status bar said since
    qtbot.waitUntil(dialog.isVisible)
    dialog.close()


def test_the_notice_stays_through_the_run_and_goes_when_the_next_starts(qtbot):
    from gan_studio.ui.training.skipped_files_notice import SkippedFilesNotice

    session = FakeSession()
    notice = SkippedFilesNotice(session)
    qtbot.addWidget(notice)
    notice.show()
    session.event.emit(skipped_event(files=FILES[:1], count=1500))
    assert notice.text() == "1,500 files skipped — Details…" and not notice.isHidden()
    session.event.emit(Event(EventKind.EPOCH_END, "Epoch 1 finished"))
    session.state_changed.emit(TRAINING)
    assert not notice.isHidden() and notice.files == FILES[:1]
    notice.show_details()
    assert notice.dialog.where.text() == ("1,499 more, and these, are saved in "
                                          "/runs/pets-1/skipped.txt")
    session.state_changed.emit(STARTING)
    assert notice.isHidden() and not notice.action.isEnabled() and notice.files == ()
    assert not notice.dialog.isVisible()


def test_a_reopened_run_shows_its_skipped_files_again(qtbot, open_window, finished_run):
    from gan_studio.data.skipped import skipped_list_text

    (finished_run / "skipped.txt").write_text(skipped_list_text("/data/pets", FILES))
    window = open_window()
    notice = window.skipped_files
    window.runs.open_run_dir(str(finished_run))
    qtbot.waitUntil(lambda: not notice.isHidden(), timeout=10_000)
    assert notice.files == FILES and notice.text() == "2 files skipped — Details…"
    assert notice.action.isEnabled()
    window.runs.new_run_form()  # a new run's form: its data will say for itself
    assert notice.isHidden() and notice.files == ()

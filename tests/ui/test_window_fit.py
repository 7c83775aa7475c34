"""The window fits a laptop's screen, and the wheel scrolls the training form, not its fields."""

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from gan_studio.ui.main_window import FIRST_SIZE

LAPTOP = (1366, 768)  # the smallest screen the window is made for


def _wheel(widget, clicks: int) -> None:
    """One wheel turn of `clicks` notches (negative: towards the user) over `widget`'s centre."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                        QPoint(0, 120 * clicks), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def _train_button_in_sight(window) -> bool:
    button = window.training_panel.train_button
    top_left = button.mapTo(window, QPoint(0, 0))
    return (button.isVisible() and not button.visibleRegion().isEmpty()
            and window.rect().contains(top_left)
            and window.rect().contains(top_left + QPoint(button.width(), button.height()) -
                                       QPoint(1, 1)))


def test_the_window_fits_a_laptop_screen_before_and_during_training(open_window, fake_engine,
                                                                    qtbot):
    fake_engine.until_stopped = True
    window = open_window(fake_engine)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(*LAPTOP)
    qtbot.wait(50)
    assert window.size().toTuple() == LAPTOP
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 700, hint
    assert _train_button_in_sight(window)
    window.training_panel.train_button.click()
    qtbot.waitUntil(lambda: window.session.busy and bool(fake_engine.runs), timeout=10_000)
    qtbot.waitUntil(lambda: window.progress_panel.step_bar.value() > 2, timeout=10_000)
    qtbot.wait(100)  # the progress texts' widest
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 700, hint  # no widening once it trains
    assert window.size().toTuple() == LAPTOP
    assert _train_button_in_sight(window)  # (as Continue, Pause and Stop beside it)
    window.session.stop()
    qtbot.waitUntil(lambda: not window.session.busy, timeout=10_000)


def test_a_screen_smaller_than_the_first_size_opens_the_window_maximized(open_window,
                                                                         fake_engine):
    window = open_window(fake_engine)
    available = window.screen().availableGeometry().size()
    assert available.width() < FIRST_SIZE.width()  # the offscreen platform's 800×800 screen
    assert window.windowState() & Qt.WindowState.WindowMaximized


def test_the_wheel_scrolls_the_form_and_turns_only_a_focused_field(open_window, fake_engine,
                                                                   qtbot):
    window = open_window(fake_engine)
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1000, 600)  # a form taller than its dock: it scrolls
    qtbot.wait(50)
    panel = window.training_panel
    scroll = panel.findChild(QScrollArea)
    bar = scroll.verticalScrollBar()
    assert bar.maximum() > 0
    fields = {"G stride-1 kernels": panel.recipe.g_stride1_kernel,
              "D dropout": panel.recipe.d_dropout, "batch size": panel.batch_size,
              "image size": panel.dataset.image_size}
    window.activateWindow()
    for name, field in fields.items():
        before = (field.currentIndex() if hasattr(field, "currentIndex") else field.value())
        scrolled = bar.value()
        panel.train_button.setFocus()
        _wheel(field, -1)
        after = (field.currentIndex() if hasattr(field, "currentIndex") else field.value())
        assert after == before, name  # the unfocused field kept its value ...
        assert bar.value() != scrolled or bar.value() == bar.maximum(), name  # ... the form moved
        bar.setValue(0)
    field = panel.recipe.d_dropout
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=5_000)
    before = field.value()
    _wheel(field, 1)
    assert field.value() > before  # a focused field takes the wheel

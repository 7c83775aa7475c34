"""The mouse wheel scrolls a form instead of turning the field that happens to be under it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QWidget,
)


class WheelGuard(QObject):
    """Sends wheel events over a field without focus to the scroll area around it.

    Spin boxes and combo boxes take the wheel whenever the pointer is over them, so scrolling
    a long form changes whatever value passes under the pointer (a user found G's stride-1
    kernels set to 5×5 that way). Guarded fields take focus only by a click or Tab, and take
    the wheel only once focused; otherwise the form scrolls.

    Args:
        parent: the object that owns the guard (the form).
    """

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.Wheel or watched.hasFocus():
            return False
        area = _scroll_area_around(watched)
        if area is not None:
            QApplication.sendEvent(area.verticalScrollBar(), event)
        return True  # never the field's, focused or scrolled or not


def guard_wheel(form: QWidget) -> WheelGuard:
    """Guards every spin box and combo box inside `form` (see `WheelGuard`).

    Args:
        form: the widget whose fields are guarded; call it once they are all made.

    Returns:
        The guard, owned by `form`.
    """
    guard = WheelGuard(form)
    for field in (*form.findChildren(QAbstractSpinBox), *form.findChildren(QComboBox)):
        field.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        field.installEventFilter(guard)
    return guard


def _scroll_area_around(widget: QObject) -> QAbstractScrollArea | None:
    parent = widget.parent()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = parent.parent()
    return parent

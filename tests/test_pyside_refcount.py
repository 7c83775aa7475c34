"""Regression test for PySide6 6.12.0 on Python < 3.12, which drops a reference to None on every
Qt call that returns None until the interpreter aborts ("Fatal Python error: none_dealloc")."""

import sys

from PySide6.QtCore import QTimer


def test_qt_calls_returning_none_keep_nones_refcount(qapp):
    app = qapp
    timer = QTimer()
    before = sys.getrefcount(None)
    for i in range(20000):
        timer.setInterval(i % 100 + 1)
        app.processEvents()
    after = sys.getrefcount(None)
    # Python 3.12+ makes None immortal (a constant count); before that, the count must not
    # fall by one per call.
    assert abs(after - before) < 1000, (before, after)

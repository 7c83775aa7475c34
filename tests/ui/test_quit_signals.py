"""SIGTERM and SIGINT reach the window through Qt's event loop (`ui/quit_signals.py`)."""

import os
import signal

import pytest

from gan_studio.ui.quit_signals import QuitOnSignals

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_calls_quit_on_the_gui_thread_and_uninstall_puts_back_the_handlers(
        qtbot, number):
    before = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    calls = []
    bridge = QuitOnSignals(lambda: calls.append(number))
    try:
        os.kill(os.getpid(), number)  # Python's own SIGINT handler would raise here
        qtbot.waitUntil(lambda: calls == [number], timeout=5000)
    finally:
        bridge.uninstall()
    assert {s: signal.getsignal(s) for s in before} == before
    assert signal.set_wakeup_fd(-1) == -1  # the wakeup file is the one before (none)

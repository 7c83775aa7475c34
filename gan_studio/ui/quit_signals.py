"""SIGTERM and SIGINT close the window as the user's close does (a session's logout, `kill`,
Ctrl-C in the terminal that started `gan-studio-gui`), without asking."""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier

QUIT_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class QuitOnSignals(QObject):
    """Calls `quit` on the GUI thread when the process receives SIGTERM or SIGINT.

    Python runs its signal handlers only between bytecodes, never while Qt's event loop
    waits in C++: without this, SIGTERM killed the window mid-run (no checkpoint of the steps
    since the last) and Ctrl-C did nothing until the next Python slot raised
    KeyboardInterrupt there. The C-level handler writes the signal to a socket (Python's
    `signal.set_wakeup_fd`), whose notifier wakes the event loop.

    Install it on the main thread, after the QApplication exists; `uninstall` puts back the
    handlers it replaced. A signal that came before the event loop ran is acted on once it runs.

    Args:
        quit: called once per signal, on the GUI thread.
        parent: the QObject that owns it.
    """

    def __init__(self, quit: Callable[[], None], parent: QObject | None = None):
        super().__init__(parent)
        self._quit = quit
        self._reader, self._writer = socket.socketpair()
        for end in (self._reader, self._writer):
            end.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno())
        # Python's own handler must be set for the wakeup byte to be written; it does nothing
        # itself, the notifier acts.
        self._previous = {s: signal.signal(s, lambda *_: None) for s in QUIT_SIGNALS}
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_wakeup)

    def _on_wakeup(self, *_args) -> None:
        try:
            received = self._reader.recv(64)
        except OSError:  # (nothing left to read: woken by a byte already taken)
            return
        for _ in [n for n in received if n in QUIT_SIGNALS]:
            self._quit()

    def uninstall(self) -> None:
        """Puts back the handlers and wakeup file that were there before."""
        self._notifier.setEnabled(False)
        signal.set_wakeup_fd(self._previous_fd)
        for number, handler in self._previous.items():
            signal.signal(number, handler)
        self._reader.close()
        self._writer.close()

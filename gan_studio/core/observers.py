"""`Observable`: the plain observer list of the window's Qt-free models."""

from __future__ import annotations

from collections.abc import Callable, Iterable

Observer = Callable[[frozenset], None]


class Observable:
    """Tells its observers, once per change, the kinds of facts the change touched.

    The models the window's widgets follow (`RunModel`, `ExplorerModel`) need no Qt: a widget
    calls `observe(self._on_model)` and redraws what the kinds it is told about concern. Every
    call comes from the GUI thread, so observers run at once, in the order they came.
    """

    def __init__(self):
        self._observers: list[Observer] = []

    def observe(self, observer: Observer) -> None:
        """Calls `observer(kinds)` after each change, with the frozenset of kinds it touched."""
        self._observers.append(observer)

    def _emit(self, kinds: Iterable[str]) -> None:
        what = frozenset(kinds)
        for observer in list(self._observers):
            observer(what)

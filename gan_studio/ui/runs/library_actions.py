"""The runs library's actions on the selected runs: one `QAction` each, for the toolbar, the
context menu and the keys, enabled for the selections they apply to."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from gan_studio.core.runs.run_summary import RunSummary
from gan_studio.ui.actions import make_action

COMPARE_MIN, COMPARE_MAX = 2, 6


@dataclass(frozen=True)
class _Spec:
    name: str
    text: str
    shortcut: QKeySequence | QKeySequence.StandardKey | str | None
    tip: str
    applies: Callable[[list[RunSummary]], bool]


def _one(runs: list[RunSummary]) -> bool:
    return len(runs) == 1


def _one_trainable(runs: list[RunSummary]) -> bool:
    return len(runs) == 1 and bool(runs[0].dataset)  # "": its config.json is damaged


def _comparable(runs: list[RunSummary]) -> bool:
    return COMPARE_MIN <= len(runs) <= COMPARE_MAX and all(r.dataset for r in runs)


SPECS = (
    _Spec("open", "&Open", QKeySequence(Qt.Key.Key_Return), "Show the run in the window", _one),
    _Spec("continue", "&Continue", None, "Train the run further", _one_trainable),
    _Spec("compare", "Co&mpare", None, f"Compare {COMPARE_MIN} to {COMPARE_MAX} runs",
          _comparable),
    _Spec("sweep", "S&weep From This Run…", None,
          "Plan a sweep of levers starting from this run's settings", _one_trainable),
    _Spec("export", "&Export Generator…", None, "Save the run's generator as a file",
          _one_trainable),
    _Spec("rename", "&Rename…", QKeySequence(Qt.Key.Key_F2), "Rename the run's folder", _one),
    _Spec("note", "Edit &Note…", None, "Write a note on the run", _one),
    _Spec("trash", "Move to &Trash…", QKeySequence.StandardKey.Delete,
          "Move the selected runs' folders to the system's trash", lambda runs: bool(runs)),
    _Spec("show", "Show in &Folder", None, "Open the run's folder in the file manager", _one),
)


class LibraryActions:
    """The actions on a selection of runs, each calling `handlers[name]()`.

    Args:
        owner: the widget whose keys trigger them (the table: its shortcuts do not reach
            the filter's line edit, where Delete deletes text).
        handlers: a slot per `SPECS` name.
    """

    def __init__(self, owner: QWidget, handlers: dict[str, Callable[[], object]]):
        self.by_name: dict[str, QAction] = {}
        for spec in SPECS:
            action = make_action(owner, spec.text, handlers[spec.name], spec.shortcut, spec.tip)
            action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            action.setToolTip(spec.tip)
            owner.addAction(action)
            self.by_name[spec.name] = action
        self.update([])

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]

    def update(self, runs: list[RunSummary]) -> None:
        """Enables the actions that apply to the selected `runs`."""
        for spec in SPECS:
            self.by_name[spec.name].setEnabled(spec.applies(runs))

    def toolbar_actions(self) -> list[QAction]:
        """The actions in their toolbar order."""
        return [self.by_name[spec.name] for spec in SPECS]

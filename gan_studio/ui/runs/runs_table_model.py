"""The runs library's table: one row per run folder, kept up to date row by row (so a view's
selection survives a refresh), with a proxy that sorts numbers as numbers and filters on
every text column."""

from __future__ import annotations

import math
import os
import time

import numpy as np
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from gan_studio.core.quality.report import FD_NAME
from gan_studio.core.runs.run_summary import RunSummary

# (key, header): the key names the RunSummary value a column shows.
# What sets a run apart and the user's word on it first; the numbers after.
COLUMNS = (("thumbnail", ""), ("name", "Name"), ("problem", "Problem"), ("sweep", "Sweep"),
           ("dataset", "Data Set"), ("preset", "Preset"), ("levers", "Changed Levers"),
           ("note", "Note"), ("steps", "Steps"), ("images", "Images"),
           ("seconds", "Time Trained"), ("newest_fd", "Newest FD"), ("best_fd", "Best FD"),
           ("activity", "Last Active"))
KEYS = tuple(key for key, _ in COLUMNS)
NUMERIC = {"steps", "images", "seconds", "newest_fd", "best_fd", "activity"}
FOLDER_ROLE = Qt.ItemDataRole.UserRole  # every cell: its run's folder


def column(key: str) -> int:
    """The column that shows `key` (one of `KEYS`)."""
    return KEYS.index(key)


def format_seconds(seconds: float | None) -> str:
    """`45 s`, `12 min`, `3 h 05 min` ("" for None)."""
    if seconds is None or not math.isfinite(seconds):
        return ""
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = int(seconds // 60)
    return f"{minutes} min" if minutes < 60 else f"{minutes // 60} h {minutes % 60:02d} min"


def format_count(count: int | None) -> str:
    """`9,600`, `384 k`, `12.8 M` ("" for None)."""
    if count is None:
        return ""
    if count < 10_000:
        return f"{count:,}"
    return f"{count / 1000:.0f} k" if count < 1_000_000 else f"{count / 1e6:.1f} M"


def _fd(fd: float | None, step: int | None) -> str:
    return "" if fd is None else f"{fd:.2f} (step {step:,})"


def cell_text(summary: RunSummary, key: str) -> str:
    """What the table shows of `summary` in the column of `key`."""
    if key == "thumbnail":
        return ""
    if key == "steps":
        return f"{summary.steps:,}"
    if key == "images":
        return format_count(summary.images)
    if key == "seconds":
        return format_seconds(summary.seconds)
    if key == "newest_fd":
        return _fd(summary.newest_fd, summary.newest_fd_step)
    if key == "best_fd":
        return _fd(summary.best_fd, summary.best_fd_step)
    if key == "activity":
        return "" if summary.activity is None else time.strftime(
            "%Y-%m-%d %H:%M", time.localtime(summary.activity))
    if key == "note":
        return summary.note.splitlines()[0] if summary.note else ""
    if key == "levers" and not summary.levers and not summary.problem:
        return "none: the preset's"  # (blank read as unknown, beside a sweep's changed runs)
    value = getattr(summary, key)
    return "" if value is None else str(value)


def sort_key(summary: RunSummary, key: str) -> tuple:
    """How `summary` sorts in the column of `key`: numbers as numbers, text without case;
    what is missing after what is there (in ascending order)."""
    if key in NUMERIC:
        value = getattr(summary, key)
        return (1, 0.0) if value is None else (0, float(value))
    if key == "thumbnail":
        return (0, summary.name.casefold())
    text = cell_text(summary, key).casefold()
    return (0 if text else 1, text)


def pixmap_of(pixels: np.ndarray | None) -> QPixmap | None:
    """A uint8 (H, W) or (H, W, 3) array as a QPixmap (on the GUI thread), or None."""
    if pixels is None or pixels.ndim not in (2, 3) or pixels.dtype != np.uint8:
        return None
    pixels = np.ascontiguousarray(pixels)
    height, width = pixels.shape[:2]
    if pixels.ndim == 2:
        image = QImage(pixels.data, width, height, width, QImage.Format.Format_Grayscale8)
    elif pixels.shape[2] == 3:
        image = QImage(pixels.data, width, height, 3 * width, QImage.Format.Format_RGB888)
    else:
        return None
    return QPixmap.fromImage(image.copy())  # copy: the array's memory is not Qt's


class RunsTableModel(QAbstractTableModel):
    """The runs library's rows: a `RunSummary` and a thumbnail each, keyed by folder.

    Rows change in place (`upsert`, `remove`), never by a reset, so a view's selection and
    scroll position survive a refresh.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[RunSummary] = []
        self._index: dict[str, int] = {}
        self._thumbnails: dict[str, QPixmap] = {}
        # Each row's cells as shown, made once per read: a repaint asks for every visible
        # cell's text, and the filter and the sort for every row's.
        self._cells: list[tuple[str, ...]] = []
        self._texts: list[str] = []  # each row's text columns, lowercased, for the filter
        self._warning = None

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section][1]
            if role == Qt.ItemDataRole.ToolTipRole and KEYS[section].endswith("_fd"):
                return f"{FD_NAME}: lower is better"
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        summary, key = self._rows[index.row()], KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cells[index.row()][index.column()]
        if role == FOLDER_ROLE:
            return summary.folder
        if role == Qt.ItemDataRole.DecorationRole:
            if key == "thumbnail":
                thumbnail = self._thumbnails.get(summary.folder)
                if thumbnail is None and summary.problem:
                    return self._warning_icon()  # a damaged run, at a glance
                return thumbnail
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(summary, key, self._cells[index.row()][index.column()])
        if role == Qt.ItemDataRole.TextAlignmentRole and key in NUMERIC - {"activity"}:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _tooltip(self, summary: RunSummary, key: str, text: str) -> str | None:
        if key in ("name", "thumbnail"):
            return f"{summary.folder}\n{summary.problem}" if summary.problem else summary.folder
        if key == "note":
            return summary.note or None
        if key == "problem":
            return summary.problem or None
        return text or None

    def _warning_icon(self):
        if self._warning is None:
            self._warning = QApplication.style().standardIcon(
                QStyle.StandardPixmap.SP_MessageBoxWarning)
        return self._warning

    def summary(self, row: int) -> RunSummary:
        """The summary shown in `row`."""
        return self._rows[row]

    def row_of(self, folder: str) -> int | None:
        """The row of the run in `folder`, or None."""
        return self._index.get(folder)

    def row_text(self, row: int) -> str:
        """`row`'s text columns, lowercased, one string (what the filter searches)."""
        return self._texts[row]

    def folders(self) -> list[str]:
        """Every run folder shown, in row order."""
        return [s.folder for s in self._rows]

    def upsert(self, rows: list) -> None:
        """Adds new runs and updates known ones, in place.

        Args:
            rows: `workers/runs/library_reader.LibraryRow`s (a summary and a thumbnail).
        """
        new = []
        for row in rows:
            summary = row.summary
            pixmap = pixmap_of(row.thumbnail)
            if pixmap is not None:
                self._thumbnails[summary.folder] = pixmap
            else:
                self._thumbnails.pop(summary.folder, None)
            at = self._index.get(summary.folder)
            if at is None:
                new.append(summary)
                continue
            self._rows[at] = summary
            self._cells[at], self._texts[at] = self._cells_of(summary)
            self.dataChanged.emit(self.index(at, 0), self.index(at, len(COLUMNS) - 1))
        if new:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(new) - 1)
            for i, summary in enumerate(new):
                self._index[summary.folder] = first + i
                self._rows.append(summary)
                cells, text = self._cells_of(summary)
                self._cells.append(cells)
                self._texts.append(text)
            self.endInsertRows()

    def remove(self, folders: list[str]) -> None:
        """Removes the rows of `folders` (those not shown are ignored)."""
        for at in sorted((self._index[f] for f in folders if f in self._index), reverse=True):
            self.beginRemoveRows(QModelIndex(), at, at)
            summary = self._rows.pop(at)
            self._cells.pop(at)
            self._texts.pop(at)
            self._thumbnails.pop(summary.folder, None)
            self.endRemoveRows()
        self._index = {s.folder: i for i, s in enumerate(self._rows)}

    @staticmethod
    def _cells_of(summary: RunSummary) -> tuple[tuple[str, ...], str]:
        """The row's cells, and its text for the filter (the whole note, the parent folder)."""
        cells = tuple(cell_text(summary, key) for key in KEYS)
        parts = [*cells, summary.note, os.path.basename(os.path.dirname(summary.folder))]
        return cells, "\n".join(parts).casefold()


class RunsFilterProxy(QSortFilterProxyModel):
    """Sorts the runs table by `sort_key` (numbers numerically) and keeps the rows whose text
    holds every word of the filter, in any column, without case."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._words: list[str] = []
        self.setDynamicSortFilter(True)

    def set_filter_text(self, text: str) -> None:
        """Shows only the rows holding every word of `text` ("" shows all)."""
        if hasattr(self, "beginFilterChange"):  # Qt 6.9 on; invalidateFilter is deprecated
            self.beginFilterChange()
            self._words = text.casefold().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = text.casefold().split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        if not self._words:
            return True
        text = self.sourceModel().row_text(source_row)
        return all(word in text for word in self._words)

    def lessThan(self, left, right) -> bool:
        model, key = self.sourceModel(), KEYS[left.column()]
        return sort_key(model.summary(left.row()), key) < sort_key(model.summary(right.row()), key)

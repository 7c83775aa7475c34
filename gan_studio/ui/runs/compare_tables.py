"""The compared runs' settings that differ and their quality at an equal budget, one column a
run, the best by FD marked."""

from __future__ import annotations

from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gan_studio.core.runs.comparison import QUALITY_ROWS, Comparison, describe_budget, quality_cells

BEST_MARK = "★ "


class CompareTables(QWidget):
    """A table of the runs' differing settings, then their quality at the furthest point of
    the axis all of them reached, which a line above it states.

    Args:
        parent: the parent widget.
    """

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.budget = QLabel()
        self.budget.setWordWrap(True)
        self.table = QTableWidget()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.budget)
        layout.addWidget(self.table, 1)
        self.best: int | None = None

    def show_tables(self, comparison: Comparison, axis: str) -> None:
        """Fills the table for `comparison`, its quality at the equal budget on `axis`."""
        quality = comparison.quality_table(axis)
        self.best = quality.best
        best = "" if quality.best is None else \
            f"; best FD: {comparison.labels[quality.best]}"
        self.budget.setText(f"Quality {describe_budget(quality)}{best}")
        rows = [(row.name, list(row.values)) for row in comparison.settings_table()]
        if any(run.problem for run in comparison.runs):
            rows.append(("problem", [run.problem or "—" for run in comparison.runs]))
        cells = [quality_cells(report) for report in quality.reports]
        rows += [(name, [c[name] for c in cells]) for name in QUALITY_ROWS]
        self.table.setColumnCount(len(comparison.runs))
        self.table.setRowCount(len(rows))
        self.table.setVerticalHeaderLabels([name for name, _ in rows])
        for column, (label, colour) in enumerate(zip(comparison.labels, comparison.colours)):
            marked = BEST_MARK + label if column == quality.best else label
            header = QTableWidgetItem(marked)
            header.setForeground(QBrush(QColor(colour)))
            self.table.setHorizontalHeaderItem(column, header)
        for row, (name, values) in enumerate(rows):
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if column == quality.best and name == "FD":
                    font = QFont(item.font())
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)

    def cell(self, name: str, column: int) -> str:
        """The text of row `name` in a run's column ("" if there is no such row)."""
        for row in range(self.table.rowCount()):
            if self.table.verticalHeaderItem(row).text() == name:
                return self.table.item(row, column).text()
        return ""

    def headers(self) -> list[str]:
        """The columns' titles (the runs' labels, the best marked)."""
        return [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())]

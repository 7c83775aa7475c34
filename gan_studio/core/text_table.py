"""Plain-text tables for the terminal: rows of cells whose columns line up."""

from __future__ import annotations


def aligned_rows(rows: list[list[str]], gap: str = "  ") -> list[str]:
    """Lines whose columns line up: each cell padded to its column's widest, `gap` between
    columns, trailing spaces dropped.

    Args:
        rows: the table's rows (the header first, where it has one), each as many cells.

    Example:

    ```python
    aligned_rows([["rank", "FD"], ["1", "3.109"]])   # ["rank  FD", "1     3.109"]
    ```
    """
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return [gap.join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            .rstrip() for row in rows]

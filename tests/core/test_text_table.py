"""Plain-text tables (core/text_table.py): the sweep's ranking and `gan-studio compare` alike."""

from gan_studio.core.text_table import aligned_rows


def test_aligned_rows_line_columns_up():
    assert aligned_rows([["rank", "FD", ""], ["1", "3.109", "x"]]) == ["rank  FD",
                                                                      "1     3.109  x"]
    assert aligned_rows([]) == []

"""A table of beliefs whose statement column takes the room left by the fixed columns, so at 80
columns a statement wraps onto more lines of its row instead of being cut to a few characters."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

#: (label, key, width) of a fixed column
Column = tuple[str, str, int]
SCROLLBAR = 2


def show_rows(table: DataTable[object], columns: Sequence[Column], rows: Sequence[Sequence[str]],
              keys: Sequence[str | None], width: int, statement_label: str = "Belief") -> None:
    """Rebuild `table` with `columns` and a last statement column filling `width` (the table's
    content width), one row per `rows` item (its last cell is the statement) keyed by `keys`.

    The columns are rebuilt with explicit widths every time: an auto-width column of a table that
    painted before its rows arrived keeps its old width.
    """
    fixed = sum(w + 2 * table.cell_padding for _, _, w in columns)
    statement_width = max(12, width - fixed - 2 * table.cell_padding - SCROLLBAR)
    cursor = table.cursor_row
    table.clear(columns=True)
    for label, key, w in columns:
        table.add_column(label, key=key, width=w)
    table.add_column(statement_label, key="statement", width=statement_width)
    for cells, key in zip(rows, keys, strict=True):
        table.add_row(*cells[:-1], Text(cells[-1]), key=key, height=None)
    if rows:
        table.move_cursor(row=min(cursor, len(rows) - 1), animate=False)

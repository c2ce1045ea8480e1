"""Rows with a hanging indent, in a module of their own: Home's lists use them in its first
frame, before the journal's models (pydantic) load, and diff_view imports those."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text


def hanging(rows: Iterable[tuple[str, str | Text]]) -> Table:
    """Rows of (lead, text) where a text too long for the width continues under its own first
    character, not under the lead (an empty lead indents the text by itself)."""
    rows = list(rows)
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(no_wrap=True, width=max((len(lead) for lead, _ in rows), default=0))
    grid.add_column(ratio=1)
    for lead, text in rows:
        grid.add_row(lead, text)
    return grid

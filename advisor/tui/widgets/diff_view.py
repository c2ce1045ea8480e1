"""An entry's before → after diff for the screen: each statement (and its reason) wraps inside its
own column, so a long one continues under itself rather than at column 1 as plain text would.

The sections follow `advisor.journal.render.format_diff` (what the CLI prints). Beliefs not
re-rated yet can be listed without their old credence, for views that offer to re-rate them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from advisor.journal.models import DiffRow, EntryDiff, fmt_credence
from advisor.journal.render import signed
from advisor.tui.widgets.hanging import hanging


def diff_view(diff: EntryDiff, *, hide_unrated: bool = False, reasons: Sequence[tuple[int, str, str]] = (),
              footer: str = "") -> RenderableType:
    """The diff as rows of (change, credences, statement); `hide_unrated` leaves the old credence of
    beliefs not re-rated yet out (it stays hidden until the user answers); `reasons` (belief id,
    statement, reason given before the conversation) follow it; `footer` ends it."""
    parts: list[RenderableType] = [Text(f"Entry #{diff.entry.id}: {diff.entry.about}", style="bold")]

    def section(title: str, rows: Sequence[DiffRow], change: Callable[[DiffRow], str],
                credences: Callable[[DiffRow], str], with_reason: bool = True) -> None:
        if not rows:
            return
        grid = Table.grid(padding=(0, 1), expand=True)
        grid.add_column(justify="right", width=5, no_wrap=True)
        grid.add_column(width=13, no_wrap=True)
        grid.add_column(ratio=1)
        for r in rows:
            statement = Text(f"#{r.belief_id} {r.statement}")
            if with_reason and r.reason:
                statement.append(f"\nwhy: {r.reason}", style="dim")
            grid.add_row(change(r), credences(r), statement)
        parts.extend([Text(""), Text(title, style="bold"), grid])

    section("Moved (largest change first):", diff.moved, lambda r: signed(r.change),
            lambda r: f"{fmt_credence(r.before):>5} → {fmt_credence(r.after)}")
    section("New during the conversation:", diff.new, lambda r: "new", lambda r: f"{'':>5} → {fmt_credence(r.after)}")
    section("Dropped:", diff.dropped, lambda r: "drop", lambda r: f"{fmt_credence(r.before):>5} → —")
    section("Not re-rated yet:", diff.unrated, lambda r: "",
            (lambda r: "(hidden)") if hide_unrated else (lambda r: f"{fmt_credence(r.before):>5}"),
            with_reason=False)
    if reasons:
        parts.extend([Text(""), Text("Why, before the conversation:", style="bold"),
                      hanging((f"#{belief_id}", Text(f"{statement}: {reason}")) for belief_id, statement, reason in reasons)])
    if footer:
        parts.extend([Text(""), Text(footer)])
    return Group(*parts)

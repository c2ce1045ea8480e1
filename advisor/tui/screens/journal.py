"""The journal: every entry with its before → after diff (journaling a conversation with a person,
before and after, is in person.py)."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.diff_view import diff_view, hanging
from advisor.tui.widgets.key_bar import KeyBar


class JournalScreen(Screen):
    """Every entry; the highlighted one's diff beside it (below it when the terminal is narrow).
    An entry whose post is not written shows its beliefs without their credences: p re-rates them
    with the old credence hidden, and it would not be hidden if it were shown here."""

    SCOPED_CSS = False  # the rules name the screen (and its -narrow class) themselves
    DEFAULT_CSS = """
    JournalScreen #journal-body { height: 1fr; }
    JournalScreen #entries { width: 1fr; min-width: 30; }
    JournalScreen #entry-detail { width: 1fr; padding: 0 1; }
    JournalScreen #entry-diff { height: auto; }
    JournalScreen.-narrow #journal-body { layout: vertical; }
    JournalScreen.-narrow #entries { width: 1fr; height: 40%; }
    JournalScreen.-narrow #entry-detail { height: 1fr; }
    """

    BINDINGS = [
        Binding("n", "new_entry", "Journal a talk"),
        Binding("p", "post", "Write the post"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, entry_id: int | None = None) -> None:
        super().__init__()
        self.entry_id = entry_id

    def compose(self) -> ComposeResult:
        yield TitleBar("Journal · entries before and after conversations", show_model=False)
        with Horizontal(id="journal-body"):
            with Vertical(id="entries", classes="panel") as entries:
                entries.border_title = "Entries"
                yield OptionList(id="entry-list")
            with VerticalScroll(id="entry-detail", classes="panel") as detail:
                detail.border_title = "Before → after"
                yield Static("", id="entry-diff")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_entries()
        self.query_one("#entry-list", OptionList).focus()

    def on_screen_resume(self) -> None:
        self.refresh_entries()

    def refresh_entries(self) -> None:
        app: Any = self.app
        lst = self.query_one("#entry-list", OptionList)
        lst.clear_options()
        entries = list(reversed(app.journal.list_entries()))
        self._entries = entries
        for e in entries:
            when = e.on.isoformat()
            who = f" · {e.with_whom}" if e.with_whom else ""
            status = {"none": "post to write", "in_progress": "post unfinished", "complete": "✓"}[e.post_status]
            lst.add_option(Option(Group(Text(f"#{e.id} {when}{who}"), hanging([("  ", f"{e.about}  ({status})")])),
                                  id=str(e.id)))
        if not entries:
            self.query_one("#entry-diff", Static).update(
                "No entries yet.\n\nn: journal a conversation with a person (beliefs before you talk).\n"
                "Sessions with the advisor add entries too.")
            return
        index = 0
        if self.entry_id is not None:
            index = next((i for i, e in enumerate(entries) if e.id == self.entry_id), 0)
        lst.highlighted = index
        self._show(entries[index].id)

    @on(OptionList.OptionHighlighted, "#entry-list")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self._show(int(event.option.id))

    @on(OptionList.OptionSelected, "#entry-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.action_post()

    def _show(self, entry_id: int) -> None:
        app: Any = self.app
        self.entry_id = entry_id
        entry = app.journal.get_entry(entry_id)
        meta = []
        if entry.with_whom:
            meta.append(f"with {entry.with_whom}")
        if entry.medium:
            meta.append(f"medium: {entry.medium}")
        if entry.occurred_on:
            meta.append(f"on {entry.occurred_on.isoformat()}")
        if entry.post_status != "complete":
            hint = "p: re-rate these beliefs now (your old credences stay hidden until you answer)"
        else:
            hint = "p: amend the post"
        reasons = [(b.belief_id, b.statement, b.reason) for b in app.journal.pre_beliefs(entry_id) if b.reason]
        footer = ("(" + ", ".join(meta) + ")\n\n" if meta else "") + hint
        view = diff_view(app.journal.entry_diff(entry_id), hide_unrated=entry.post_status != "complete",
                         reasons=reasons, footer=footer)
        self.query_one("#entry-diff", Static).update(view)

    def action_new_entry(self) -> None:
        self.app.open_screen("person_pre")  # type: ignore[attr-defined]

    def action_post(self) -> None:
        if self.entry_id is not None:
            self.app.open_screen("person_post", entry_id=self.entry_id)  # type: ignore[attr-defined]

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [("Journal: write the post for the highlighted entry", "p", self.action_post)]

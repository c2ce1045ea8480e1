"""Search: everything you wrote or read here (sessions, journal entries, beliefs, notes, cards),
ranked, with the matches marked; Enter opens the highlighted result where it lives.

The search (advisor.history) runs in a thread worker on its own journal connection, so the first
one, which may index the notes and load the embedder, never blocks the screen.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from advisor.errors import error_text
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.form_parts import TextField
from advisor.tui.widgets.key_bar import KeyBar

KIND_LABEL = {"session": "session", "journal": "entry", "belief": "belief", "note": "note", "card": "card"}
MARK_STYLE = "bold reverse"


def marked(snippet: str, marks: list[tuple[int, int]], width: int | None = None) -> Text:
    """A snippet with its matches styled; with a width, cut so that the first match shows."""
    text = Text(" ".join(snippet.split("\n")))
    for start, end in marks:
        text.stylize(MARK_STYLE, start, end)
    if width and marks and marks[0][1] > width - 4:
        cut = max(0, marks[0][0] - width // 4)
        text = Text("…") + text[cut:]
    if width:
        text.truncate(width, overflow="ellipsis")
    return text


class SearchScreen(Screen):
    """A query box over the ranked results and the highlighted one's snippet."""

    DEFAULT_CSS = """
    SearchScreen #history-query { margin: 0 1; }
    SearchScreen #history-body { height: 1fr; }
    SearchScreen #history-results { width: 3fr; height: 1fr; }
    SearchScreen #history-preview { width: 2fr; height: 1fr; padding: 0 1; }
    SearchScreen #history-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("slash", "focus_query", "New search", show=False),
    ]

    def __init__(self, query: str = "") -> None:
        super().__init__()
        self.initial_query = query
        self.results: list[Any] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("Search · sessions, journal entries, beliefs, notes and cards", show_model=False)
        yield TextField(value=self.initial_query, id="history-query",
                    placeholder="words to find in everything you wrote or read here, then enter")
        with Horizontal(id="history-body"):
            yield OptionList(id="history-results")
            with VerticalScroll(id="history-preview"):
                yield Static("", id="history-detail")
        yield Static("enter: search, then enter on a result opens it", id="history-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#history-query", Input).focus()
        if self.initial_query:
            self.run_search(self.initial_query)

    def action_focus_query(self) -> None:
        """/ starts a new search: the last query is selected, so typing replaces it (focusing the
        field any other way keeps the cursor after it, as in every text field here)."""
        query = self.query_one("#history-query", Input)
        query.focus()
        query.select_all()

    # ------------------------------------------------------------------ searching
    @on(Input.Submitted, "#history-query")
    def _submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.run_search(event.value.strip())

    def run_search(self, query: str) -> None:
        self._status("Searching… (the first search brings the index up to date)")
        self.search(query)

    @work(thread=True, exclusive=True, group="history-search")
    def search(self, query: str) -> None:
        from advisor.history.search import HistorySearch
        from advisor.journal.store import JournalStore

        app: Any = self.app
        try:
            with JournalStore.open(app.settings.journal_path) as store:
                search = HistorySearch.for_settings(app.settings, store, app.knowledge_or_none())
                try:
                    report = search.search(query)
                finally:
                    search.close()
        except Exception as exc:  # noqa: BLE001 - one line on screen, never a traceback
            message = error_text(exc)
            app.call_from_thread(self._status, f"Search failed: {message}")
            return
        app.call_from_thread(self._show, report)

    def _status(self, text: str) -> None:
        self.query_one("#history-status", Static).update(Text(text))

    def _show(self, report: Any) -> None:
        self.results = report.results
        lst = self.query_one("#history-results", OptionList)
        lst.clear_options()
        warn = f" · {report.warnings[0]}" if report.warnings else ""
        if not self.results:
            self.query_one("#history-detail", Static).update("")
            self._status(f"Nothing matches “{report.query}”{warn}")
            return
        width = max(20, lst.scrollable_content_region.width - 2)  # one line each for the name and the snippet
        for i, r in enumerate(self.results):
            head = Text(f"{KIND_LABEL[r.kind]:<8}", style="dim")
            head.append(r.label)
            if r.day:
                head.append(f" · {r.day}", style="dim")
            line = Text("  ")
            line.append_text(marked(r.snippet, r.marks, width - 2))
            head.truncate(width, overflow="ellipsis")
            lst.add_option(Option(Text("\n").join([head, line]), id=str(i)))
        lst.highlighted = 0
        lst.focus()
        self._status(f"{len(self.results)} result(s) for “{report.query}” · enter opens · / new search{warn}")

    @on(OptionList.OptionHighlighted, "#history-results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None:
            return
        r = self.results[int(event.option.id)]
        detail = Text(r.label + "\n", style="bold")
        if r.place:
            detail.append(r.place + "\n", style="dim")
        detail.append("\n")
        detail.append_text(marked(r.snippet, r.marks))
        how = "by meaning" if r.semantic and not r.marks else f"{r.matches} matching part(s)"
        detail.append(f"\n\n{how} · enter opens it here (from a shell: {r.open})", style="dim")
        self.query_one("#history-detail", Static).update(detail)

    @on(OptionList.OptionSelected, "#history-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            open_target(self.app, self.results[int(event.option.id)].target)


def open_target(app: Any, target: str) -> None:
    """Open a result where it lives: the journal, the beliefs, the session, or the note or card."""
    what, _, ident = target.partition(":")
    if what == "entry":
        app.open_screen("journal", entry_id=int(ident))
    elif what == "belief":
        app.open_screen("beliefs", belief_id=int(ident))
    elif what == "session":
        app.open_screen("session", resume_id=int(ident))
    else:
        app.open_screen("document", target=target)

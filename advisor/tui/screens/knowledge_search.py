"""The Knowledge screen's Search tab: a question, the passages found (title, whose, where), and the
highlighted one in full with the question's words marked and, for a card drawing on a note of
yours, that note's passage too (the screen itself is in knowledge.py)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on, work
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from advisor.errors import error_text
from advisor.tui.screens.knowledge_browse import LandscapeTabs


def _passage_text(p: Any, query: str) -> Text:
    """A passage's words with the question's words marked, then its citation (whose, with a team)."""
    from advisor.knowledge.snippets import mark, query_terms

    text = Text(p.text)
    for start, end in mark(p.text, query_terms(query)):
        text.stylize("bold underline", start, end)
    whose = f" · team note, added by {p.added_by}" if p.owner == "team" else ""
    return text + Text(f"\n\n— {p.citation()}{whose}", style="italic")


class SearchTab(LandscapeTabs):
    """Search runs in a thread worker; results and the query they answer are kept for the preview."""

    _results: list[Any]
    _query: str

    @on(Input.Submitted, "#search-input")
    def _search(self, event: Input.Submitted) -> None:
        query = event.value.strip()
        if not query:
            return
        lst = self.query_one("#search-results", OptionList)
        lst.clear_options()
        lst.add_option(Option("Searching… (the first search loads the index)", disabled=True))
        self.search(query)

    @work(thread=True, exclusive=True, group="kb-search")
    def search(self, query: str) -> None:
        app: Any = self.app
        try:
            results = app.knowledge().search(query, k=8)
        except Exception as exc:  # noqa: BLE001
            app.call_from_thread(self._search_failed, error_text(exc))
            return
        app.call_from_thread(self._show_results, results, query)

    def _search_failed(self, text: str) -> None:
        lst = self.query_one("#search-results", OptionList)
        lst.clear_options()
        lst.add_option(Option(Text(f"Search failed: {text}"), disabled=True))

    def _show_results(self, results: list[Any], query: str = "") -> None:
        self._results = results
        self._query = query
        lst = self.query_one("#search-results", OptionList)
        lst.clear_options()
        if not results:
            lst.add_option(Option("No passages found.", disabled=True))
            return
        for i, p in enumerate(results):
            kind = f"team note · {p.added_by}" if p.owner == "team" else "own note" if p.kind == "note" else "curated"
            lst.add_option(Option(Text(f"{p.title}\n  {kind} · {p.place()}"), id=str(i)))
        lst.highlighted = 0
        lst.focus()

    @on(OptionList.OptionHighlighted, "#search-results")
    def _result_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is None or not self._results:
            return
        p = self._results[int(event.option.id)]
        shown = _passage_text(p, self._query)
        if p.source_passage is not None:
            shown += Text("\n\nFrom your note it draws on:\n", style="bold") + _passage_text(p.source_passage, self._query)
        self.query_one("#search-text", Static).update(shown)

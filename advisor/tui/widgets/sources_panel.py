"""The citations of the latest reply: enter shows a passage, c copies it (or its citation).
With no citations the panel takes no room (class `-empty`)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from advisor.session.store import Citation

PREVIEW_CHARS = 600


class SourcesPanel(Vertical):
    BINDINGS = [Binding("c", "copy", "Copy passage")]

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-empty")
        self.citations: list[Citation] = []
        self.passage = ""  # the passage (or citation) shown, for c

    def compose(self) -> ComposeResult:
        yield Static("[b]Sources[/b]", id="sources-title")
        yield OptionList(id="source-list")
        yield Static("", id="source-preview")

    def show(self, citations: Sequence[Citation]) -> None:
        self.citations = list(citations)
        options = self.query_one("#source-list", OptionList)
        options.clear_options()
        for c in self.citations:
            kind = "own note" if c.kind == "note" else "curated"
            where = f" · {c.location}" if c.location else ""
            options.add_option(Option(Text(f"[{c.n}] {c.title}\n    {kind}{where}"), id=str(c.chunk_id or c.n)))
        self.query_one("#source-preview", Static).update("enter: show passage · c: copy" if citations else "")
        self.set_class(not self.citations, "-empty")

    @on(OptionList.OptionSelected, "#source-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_index < len(self.citations):
            self.load_passage(self.citations[event.option_index])

    @work(thread=True, exclusive=True, group="passage")
    def load_passage(self, citation: Citation) -> None:
        text = ""
        try:
            passage = self.app.knowledge().get_passage(citation.chunk_id)  # type: ignore[attr-defined]
            text = passage.text if passage is not None else ""
        except Exception:  # noqa: BLE001 - fault boundary: a preview is optional; the citation still shows
            text = ""
        self.app.call_from_thread(self._show_passage, text, _cited(citation))

    def _show_passage(self, text: str, cite: str) -> None:
        self.passage = (text + "\n— " + cite) if text else cite
        self.query_one("#source-preview", Static).update(Text(self.passage[:PREVIEW_CHARS] + "\n(c copies)"))

    def action_copy(self) -> None:
        """The passage shown, or the highlighted citation (what `c` copies)."""
        options = self.query_one("#source-list", OptionList)
        text = self.passage
        if not text and self.citations:
            text = _cited(self.citations[options.highlighted or 0])
        if text:
            self.app.copy_to_clipboard(text)
            self.app.notify("Copied the passage.", timeout=2)


def _cited(c: Citation) -> str:
    return f"{c.title}, {c.location} ({c.source})"

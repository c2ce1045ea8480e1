"""A note or a curated card, to read (opened from a search result)."""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Markdown

from advisor.errors import error_text
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.key_bar import KeyBar


class DocumentScreen(Screen):
    """One note (`note:<id>`) or card (`card:<path>`), read from the knowledge base in a worker."""

    DEFAULT_CSS = "DocumentScreen #document { padding: 0 2; }"
    BINDINGS = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def compose(self) -> ComposeResult:
        yield TitleBar("Reading", show_model=False)
        with VerticalScroll():
            yield Markdown("Loading…", id="document")
        yield KeyBar()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="document")
    def load(self) -> None:
        app: Any = self.app
        what, _, ident = self.target.partition(":")
        try:
            kb = app.knowledge()
            if what == "note":
                info, text = kb.note_text(ident)
                title, source = info.title, f"your note {info.id}, added {(info.added_at or '?')[:10]} from {info.origin}"
            else:
                path = (kb.curated_dir / ident).resolve()
                if not path.is_relative_to(kb.curated_dir.resolve()):
                    raise ValueError(f"no card {ident}")
                title, text, source = ident, path.read_text(encoding="utf-8"), f"curated card {ident}"
        except Exception as exc:  # noqa: BLE001 - one line on screen, never a traceback
            message = error_text(exc)
            app.call_from_thread(self._show, "Cannot open it", f"Cannot open {self.target}: {message}", "")
            return
        app.call_from_thread(self._show, title, text, source)

    def _show(self, title: str, text: str, source: str) -> None:
        self.query_one(TitleBar).set_title(title)
        body = f"*{source}*\n\n{text}" if source else text
        self.query_one("#document", Markdown).update(body)

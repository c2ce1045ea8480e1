"""Knowledge: per-file index status (with progress while indexing), adding notes by typing or by
path, searching the base, browsing the curated cards and the AI-safety subfield map.

Every call into the knowledge base runs in a thread worker; progress reaches the UI through
`call_from_thread`, so the UI never waits on embedding or Chroma.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import (
    Button,
    Checkbox,
    DataTable,
    Input,
    Label,
    Markdown,
    OptionList,
    ProgressBar,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)

from advisor.errors import error_text
from advisor.knowledge.readers import note_formats
from advisor.tui.screens.knowledge_search import SearchTab
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.form_parts import TextField
from advisor.tui.widgets.key_bar import KeyBar

NOTE_DRAFT = "note-add"


#: the Add note form's text fields (a letter typed on its button goes to the one used last)
ADD_FIELDS = ("note-title", "note-body", "note-path")


class KnowledgeScreen(SearchTab):
    DEFAULT_CSS = """
    ProgressBar { height: 1; }
    ProgressBar.-idle { display: none; }
    #note-body { height: 1fr; min-height: 4; }
    #search-results, #card-list, #subfield-list { width: 40%; height: 1fr; }
    #search-preview, #card-preview, #subfield-preview { width: 1fr; height: 1fr; padding: 0 1; }
    """

    BINDINGS = [
        Binding("ctrl+s", "add_typed", "Add typed note", priority=True),
        Binding("escape", "app.pop_screen", "Back"),
        # Letters are not priority (a focused field takes them as text) and are off on the Add note
        # tab, a form: a letter typed while a button there has the focus must not leave the form.
        Binding("slash", "show_tab('search')", "Search"),
        Binding("a", "show_tab('add')", "Add note"),
        Binding("i", "reindex", "Update index"),
        Binding("delete", "remove_note", "Remove note"),
        Binding("c", "copy_passage", "Copy passage"),
    ]
    #: the keys each tab offers (the rest are hidden there); Back, Help and the palette are always on
    TAB_ACTIONS = {
        "notes": {"show_tab", "reindex", "remove_note"},
        "add": {"add_typed"},
        "search": {"show_tab", "copy_passage"},
        "cards": {"show_tab"},
        "subfields": {"show_tab"},
    }

    def __init__(self, tab: str = "notes") -> None:
        super().__init__()
        self.tab = tab
        self._results: list[Any] = []
        self._query = ""
        self._statuses: list[Any] = []

    def compose(self) -> ComposeResult:
        yield TitleBar("Knowledge · your notes and the curated base", show_model=False)
        with TabbedContent(initial=self.tab, id="kb-tabs"):
            with TabPane("Notes & index", id="notes"), Vertical():
                yield Static("Loading index status…", id="index-summary", classes="muted")
                yield ProgressBar(total=100, show_eta=False, id="index-progress", classes="-idle")
                yield DataTable(id="status-table", cursor_type="row")
                with Horizontal(classes="buttons"):
                    yield Button("Update index (i)", id="reindex", classes="compact", variant="primary")
                    yield Button("Remove note (delete)", id="remove-note", classes="compact")
                    yield Button("Add a note (a)", id="goto-add", classes="compact")
            with TabPane("Add note", id="add"), VerticalScroll(classes="form"):
                yield Static("Type a note (ctrl+s adds it) — or give a file or folder path "
                             f"({note_formats()}). The advisor uses your notes from then on.", classes="hint")
                with Horizontal(classes="form-row"):
                    yield Label("Title")
                    yield TextField(placeholder="optional; default: the first line", id="note-title",
                                classes="compact grow")
                yield TextArea(id="note-body", soft_wrap=True, tab_behavior="focus")
                with Horizontal(classes="buttons"):
                    yield Button("Add typed note (ctrl+s)", id="add-typed", classes="compact", variant="primary")
                    knowledge = self.app.settings.knowledge  # type: ignore[attr-defined]
                    if knowledge.chroma_url:  # private unless ticked; only with a team server
                        yield Checkbox("Share with the team", knowledge.share_by_default, id="share", compact=True)
                yield Static("")
                with Horizontal(classes="form-row"):
                    yield Label("Path")
                    yield TextField(placeholder="~/notes/reading.md or a folder, then enter", id="note-path",
                                classes="compact grow")
                yield ProgressBar(total=100, show_eta=False, id="add-progress", classes="-idle")
                yield Static("", id="add-result")
            with TabPane("Search", id="search"), Vertical():
                yield TextField(placeholder="search the curated cards and your notes, then enter",
                            id="search-input")
                with Horizontal():
                    yield OptionList(id="search-results")
                    with VerticalScroll(id="search-preview"):
                        yield Static("", id="search-text")
            with TabPane("Curated cards", id="cards"), Horizontal():
                yield OptionList(id="card-list")
                with VerticalScroll(id="card-preview"):
                    yield Markdown("", id="card-md")
            with TabPane("Subfield map", id="subfields"), Horizontal():
                yield OptionList(id="subfield-list")
                with VerticalScroll(id="subfield-preview"):
                    yield Markdown("", id="subfield-md")
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#status-table", DataTable)
        for label, key, width in (("Kind", "kind", 7), ("State", "state", 8), ("Chunks", "chunks", 6),
                                  ("Title", "title", None), ("Detail", "detail", None)):
            table.add_column(label, key=key, width=width)
        app: Any = self.app
        draft = app.drafts.get(NOTE_DRAFT) or {}
        self.query_one("#note-title", Input).value = draft.get("title", "")
        self.query_one("#note-body", TextArea).text = draft.get("body", "")
        self.query_one("#note-path", Input).value = draft.get("path", "")
        self.load_status()
        self._load_landscape()
        self.call_after_refresh(self._focus_tab, self.tab)

    # ------------------------------------------------------------------ tabs
    @on(TabbedContent.TabActivated)
    def _tab(self, event: TabbedContent.TabActivated) -> None:
        self._focus_tab(str(event.pane.id))

    def action_show_tab(self, tab: str) -> None:
        self.query_one("#kb-tabs", TabbedContent).active = tab
        self._focus_tab(tab)

    def _focus_tab(self, tab: str) -> None:
        self.tab = tab
        target = {"notes": "#status-table", "add": "#note-body", "search": "#search-input",
                  "cards": "#card-list", "subfields": "#subfield-list"}.get(tab)
        if target:
            self.query_one(target).focus()
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action not in {name for names in self.TAB_ACTIONS.values() for name in names}:
            return True
        if action not in self.TAB_ACTIONS.get(self.tab, set()):
            return False
        if action == "show_tab":
            return parameters[0] != self.tab
        focused = getattr(self.focused, "id", None)
        if action == "remove_note":
            return focused == "status-table" and self._highlighted_source().startswith("note:")
        if action == "copy_passage":
            return focused == "search-results" and bool(self._results)
        return True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.refresh_bindings()  # Remove note and Copy passage follow the focus
        if event.widget.id in ADD_FIELDS:
            self._add_field = event.widget.id

    def on_key(self, event: events.Key) -> None:
        """On the Add note form a letter typed while a button has the focus goes on in the field
        typed in last (tab from the note to its button, then more text: nothing is lost)."""
        if self.tab != "add" or not isinstance(self.focused, Button) or not event.is_printable:
            return
        event.stop()
        event.prevent_default()
        field = self.query_one(f"#{getattr(self, '_add_field', 'note-body')}")
        field.focus()
        if isinstance(field, TextArea):
            field.insert(event.character or "")
        elif isinstance(field, Input):
            field.insert_text_at_cursor(event.character or "")

    @on(DataTable.RowHighlighted, "#status-table")
    def _source_highlighted(self) -> None:
        self.refresh_bindings()  # only a note (not a curated card) can be removed

    def _highlighted_source(self) -> str:
        table = self.query_one("#status-table", DataTable)
        if not self._statuses or not table.row_count:
            return ""
        return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value or ""

    def action_copy_passage(self) -> None:
        text = str(self.query_one("#search-text", Static).render())
        if text:
            self.app.copy_to_clipboard(text)
            self.app.notify("Copied the passage.", timeout=2)

    # ------------------------------------------------------------------ status + indexing
    @work(thread=True, exclusive=True, group="kb-status")
    def load_status(self) -> None:
        app: Any = self.app
        try:
            statuses = app.knowledge().status()
        except Exception as exc:  # noqa: BLE001
            app.call_from_thread(self._summary, f"Knowledge base unavailable: {error_text(exc)}")
            return
        app.call_from_thread(self._show_status, statuses)

    def _summary(self, text: str) -> None:
        self.query_one("#index-summary", Static).update(Text(text))

    def _show_status(self, statuses: list[Any]) -> None:
        from advisor.tui.screens.home import kb_summary

        self._statuses = statuses
        table = self.query_one("#status-table", DataTable)
        table.clear()
        order = {"failed": 0, "changed": 1, "missing": 2, "indexed": 3}
        for s in sorted(statuses, key=lambda s: (s.kind != "note", order.get(s.state, 9), s.title)):
            kind = "note" if s.kind == "note" else "curated"
            table.add_row(kind, s.state, str(s.chunks or ""), Text(s.title), Text(s.detail or ""), key=s.source_id)
        self._summary(kb_summary(statuses) + "   (i: update the index)")

    def _progress(self, bar_id: str, p: Any) -> None:
        bar = self.query_one(bar_id, ProgressBar)
        bar.remove_class("-idle")
        bar.update(total=100, progress=int(p.fraction * 100))
        if bar_id == "#index-progress":
            self._summary(p.line())

    def _watch_index_progress(self) -> None:
        self._index_timer = self.set_interval(0.25, self._show_index_progress)

    def _show_index_progress(self) -> None:
        progress = getattr(self.app, "index_progress", None)
        if not self._reindexing:
            self._index_timer.stop()
        elif progress is not None:
            self._progress("#index-progress", progress)

    def _progress_done(self, bar_id: str) -> None:
        self.query_one(bar_id, ProgressBar).add_class("-idle")

    def action_reindex(self) -> None:
        self._summary("Updating the index…")
        self.reindex()

    @work(thread=True, exclusive=True, group="kb-write")
    def reindex(self) -> None:
        """In the app's worker process (the UI stays small; quitting ends it at once); a timer
        shows its counts, so this thread never waits on the UI."""
        app: Any = self.app
        self._reindexing = True
        app.call_from_thread(self._watch_index_progress)
        try:
            kb = app.knowledge()
            report = app.run_indexing("reindex")
            if report is None:  # quitting stopped it
                return
            statuses = kb.status()
        except Exception as exc:  # noqa: BLE001
            self._reindexing = False
            app.call_from_thread(self._summary, f"Indexing failed: {error_text(exc)}")
            app.call_from_thread(self._progress_done, "#index-progress")
            return
        finally:
            self._reindexing = False
        app.call_from_thread(self._progress_done, "#index-progress")
        app.call_from_thread(self._show_status, statuses)
        app.call_from_thread(app.notify, f"Index updated: {report.indexed} indexed, {report.unchanged} unchanged, "
                                         f"{report.removed} removed, {len(report.failed)} failed.")

    def action_remove_note(self) -> None:
        key = self._highlighted_source()
        if not key:
            return
        if not key.startswith("note:"):
            self.app.notify("Only your own notes can be removed (curated cards ship with advisor).")
            return
        from advisor.tui.screens.modals import ConfirmModal

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.remove_note(key[5:])

        self.app.push_screen(ConfirmModal(f"Remove note {key[5:]} and its index entries?"), confirmed)

    @work(thread=True, exclusive=True, group="kb-write")
    def remove_note(self, note_id: str) -> None:
        app: Any = self.app
        try:
            kb = app.knowledge()
            info = kb.remove_note(note_id)
            statuses = kb.status()
        except Exception as exc:  # noqa: BLE001
            app.call_from_thread(app.notify, error_text(exc), severity="error")
            return
        app.call_from_thread(self._show_status, statuses)
        app.call_from_thread(app.notify, f"Removed note {info.title}.")

    @on(Button.Pressed, "#reindex")
    def _reindex_pressed(self) -> None:
        self.action_reindex()

    @on(Button.Pressed, "#remove-note")
    def _remove_pressed(self) -> None:
        self.action_remove_note()

    @on(Button.Pressed, "#goto-add")
    def _goto_add(self) -> None:
        self.action_show_tab("add")

    # ------------------------------------------------------------------ adding notes
    def _save_draft(self) -> None:
        self.app.drafts.set(NOTE_DRAFT, {  # type: ignore[attr-defined]
            "title": self.query_one("#note-title", Input).value,
            "body": self.query_one("#note-body", TextArea).text,
            "path": self.query_one("#note-path", Input).value,
        })

    @on(Input.Changed, "#note-title, #note-path")
    def _input_changed(self) -> None:
        self._save_draft()

    @on(TextArea.Changed, "#note-body")
    def _body_changed(self) -> None:
        self._save_draft()

    def action_add_typed(self) -> None:
        body = self.query_one("#note-body", TextArea).text
        if not body.strip():
            self._add_result("Write the note first (or give a path below).")
            self.query_one("#note-body", TextArea).focus()
            return
        self._add_result("Adding the note and indexing it…")
        self.add_typed(body, self.query_one("#note-title", Input).value, self._share())

    @on(Button.Pressed, "#add-typed")
    def _add_typed_pressed(self) -> None:
        self.action_add_typed()

    @work(thread=True, exclusive=True, group="kb-write")
    def add_typed(self, body: str, title: str, share: bool = False) -> None:
        app: Any = self.app
        try:
            kb = app.knowledge()
            outcome = kb.add_text(body, title or None, origin="tui", share=share)
            statuses = kb.status()
        except Exception as exc:  # noqa: BLE001
            app.call_from_thread(self._add_result, f"Not added: {error_text(exc)}")
            return
        app.call_from_thread(self._typed_added, outcome, statuses)

    def _share(self) -> bool:
        return any(box.value for box in self.query("#share").results(Checkbox))

    def _typed_added(self, outcome: Any, statuses: list[Any]) -> None:
        if outcome.outcome == "unchanged":
            self._add_result(outcome.message or "Already in your notes.")
        else:
            self._add_result(f"Added note {outcome.note_id} “{outcome.title}” ({outcome.chunks} chunk(s)).")
        self.query_one("#note-title", Input).value = ""
        self.query_one("#note-body", TextArea).text = ""
        self._save_draft()
        self._show_status(statuses)

    def _add_result(self, text: str) -> None:
        self.query_one("#add-result", Static).update(Text(text))

    @on(Input.Submitted, "#note-path")
    def _path_submitted(self, event: Input.Submitted) -> None:
        path = event.value.strip()
        if not path:
            return
        self._add_result(f"Adding {path}…")
        self.add_path(path, self._share())

    @work(thread=True, exclusive=True, group="kb-write")
    def add_path(self, path: str, share: bool = False) -> None:
        app: Any = self.app
        try:
            kb = app.knowledge()
            report = kb.add_paths([path], progress=lambda p: app.call_from_thread(self._progress, "#add-progress", p),
                                  share=share)
            statuses = kb.status()
        except Exception as exc:  # noqa: BLE001
            app.call_from_thread(self._progress_done, "#add-progress")
            app.call_from_thread(self._add_result, f"Not added: {error_text(exc)}")
            return
        app.call_from_thread(self._progress_done, "#add-progress")
        app.call_from_thread(self._paths_added, report, statuses)

    def _paths_added(self, report: Any, statuses: list[Any]) -> None:
        lines = []
        for item in report.items:
            if item.outcome == "failed":
                lines.append(f"✗ {item.path}: {item.message}")
            elif item.outcome == "unchanged":
                lines.append(f"= {item.path}: {item.message or 'unchanged'}")
            else:
                lines.append(f"✓ {item.path}: {item.outcome} as note {item.note_id} ({item.chunks} chunks)")
        self._add_result("\n".join(lines) or "Nothing to add.")
        if report.ok:
            self.query_one("#note-path", Input).value = ""
            self._save_draft()
        self._show_status(statuses)

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        return [("Knowledge: update the index", "i", self.action_reindex),
                ("Knowledge: remove the highlighted note", "del", self.action_remove_note)]

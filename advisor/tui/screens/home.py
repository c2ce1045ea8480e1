"""Home: next actions, recent sessions and journal entries, beliefs with sparklines, KB status."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.due_beliefs import DueBeliefs

ACTIONS: list[tuple[str, str, str]] = [
    ("new_session", "s", "Start a reflection session"),
    ("person", "j", "Journal a conversation with a person"),
    ("note", "a", "Add a note"),
    ("journal", "l", "Journal entries and diffs"),
    ("beliefs", "b", "Beliefs: plots and calibration"),
    ("knowledge", "k", "Knowledge: search, cards, subfields"),
    ("search", "slash", "Search everything you wrote"),
    ("settings", "comma", "Settings: model endpoint, theme"),
    ("help", "question_mark", "Help and keys"),
]
KEY_LABEL = {"comma": ",", "question_mark": "?", "slash": "/"}
#: Home actions that open a screen: (screen name in app.SCREENS, its arguments).
ACTION_SCREENS: dict[str, tuple[str, dict[str, str]]] = {
    "person": ("person_pre", {}),
    "note": ("knowledge", {"tab": "add"}),
    "journal": ("journal", {}),
    "beliefs": ("beliefs", {}),
    "knowledge": ("knowledge", {"tab": "notes"}),
    "search": ("search", {}),
    "settings": ("settings", {}),
    "help": ("help", {}),
}


class HomeScreen(Screen):
    """The first screen: everything advisor does is one key away from here."""

    BINDINGS = [
        Binding("s", "run('new_session')", "New session"),
        Binding("j", "run('person')", "Journal a talk"),
        Binding("a", "run('note')", "Add note"),
        Binding("l", "run('journal')", "Entries", show=False),
        Binding("b", "run('beliefs')", "Beliefs"),
        Binding("k", "run('knowledge')", "Knowledge"),
        Binding("slash", "run('search')", "Search"),
        Binding("comma", "run('settings')", "Settings"),
        Binding("question_mark", "run('help')", "Help"),
        Binding("d", "focus_due", "Due beliefs", show=False),
        Binding("t", "app.toggle_dark", "Theme", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def compose(self) -> ComposeResult:
        yield TitleBar("advisor · choosing a research direction in AI & AI safety")
        with Horizontal(id="home-top"):
            with Vertical(id="actions", classes="panel") as actions:
                actions.border_title = "Start here"
                yield OptionList(
                    *[Option(f"[b]{KEY_LABEL.get(key, key)}[/b]  {label}", id=name) for name, key, label in ACTIONS],
                    id="action-list",
                )
            with Vertical(id="recent", classes="panel") as recent:
                recent.border_title = "Recent sessions and journal entries"
                yield OptionList(id="recent-list")
        yield DueBeliefs(id="home-due")
        with Vertical(id="home-beliefs", classes="panel") as beliefs:
            beliefs.border_title = "Beliefs · latest credence · history"
            yield DataTable(id="belief-table", cursor_type="row", zebra_stripes=False)
        yield Static("Knowledge base: checking…", id="kb-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#action-list", OptionList).focus()
        app: Any = self.app
        exit_after = getattr(app, "exit_after_paint", False)
        if exit_after and exit_after != "data":
            self.call_after_refresh(lambda: app.exit(0))
            return
        if app.loaded:
            self._fill()
        else:  # paint first; then settings, the journal and their data
            self.call_after_refresh(self._load_and_fill)

    def _load_and_fill(self) -> None:
        app: Any = self.app
        if app.ensure_loaded():
            self._fill()
            self.query_one(TitleBar).refresh_model()

    def _fill(self) -> None:
        self.refresh_data()
        app: Any = self.app
        if getattr(app, "exit_after_paint", False) == "data":
            self.call_after_refresh(lambda: app.exit(0))
            return
        self.set_timer(0.05, self.load_kb_status)

    def on_screen_resume(self) -> None:
        if not getattr(self.app, "loaded", True):
            return
        self.refresh_data()
        self.query_one(TitleBar).refresh_model()

    # ------------------------------------------------------------------ data
    def refresh_data(self) -> None:
        from advisor.journal.models import fmt_credence
        from advisor.journal.render import signed, sparkline

        app: Any = self.app
        store = app.journal
        recent = self.query_one("#recent-list", OptionList)
        highlighted = recent.highlighted
        recent.clear_options()
        items: list[tuple[tuple[str, int], Option]] = []
        linked_entries: set[int] = set()
        from advisor.session.store import SessionStore

        for s in SessionStore(store).recent(30):
            if s.entry_id:
                linked_entries.add(s.entry_id)
            state = "done" if s.status == "complete" else s.stage
            label = f"◆ Session #{s.id}  {escape(_short(s.topic, 44))}  [dim]{state}[/dim]"
            items.append(((s.updated_at.isoformat(), s.id), Option(label, id=f"s:{s.id}")))
        for e in store.list_entries():
            if e.id in linked_entries:
                continue
            status = {"none": "post to write", "in_progress": "post unfinished", "complete": "done"}[e.post_status]
            who = f" with {e.with_whom}" if e.with_whom else ""
            label = f"✎ Entry #{e.id}  {escape(_short(e.about, 36) + who)}  [dim]{status}[/dim]"
            items.append(((e.created_at.isoformat(), e.id), Option(label, id=f"e:{e.id}")))
        items.sort(key=lambda pair: pair[0], reverse=True)
        if items:
            recent.add_options([opt for _, opt in items[:30]])
            if highlighted is not None:
                recent.highlighted = min(highlighted, len(items) - 1)
        else:
            recent.add_option(Option("[dim]Nothing yet. Press s for a session or j to journal a talk.[/dim]",
                                     id="none", disabled=True))
        today = app.today()
        self.query_one("#home-due", DueBeliefs).show(store.due_beliefs(today), today)
        rows = []
        beliefs = store.list_beliefs()
        for b in sorted(beliefs, key=lambda s: (s.last_rated_at is None, s.last_rated_at), reverse=False)[::-1]:
            if b.latest is None and not b.history:
                continue
            delta = signed(b.last_change) if b.last_change is not None else ""
            now = "drop" if b.dropped else fmt_credence(b.latest)
            statement = b.belief.statement
            if b.belief.resolution:
                statement += f"  [resolved {b.belief.resolution}]"
            rows.append((f"#{b.belief.id}", now, sparkline(b.history, 12), delta, statement, str(b.belief.id)))
        if not rows:
            rows.append(("", "", "", "", "No beliefs yet: they are added before a conversation.", None))
        # Columns are rebuilt with explicit widths on every refresh: an auto-width column of a table
        # that painted before its rows arrived keeps the old width (and cuts the text).
        table = self.query_one("#belief-table", DataTable)
        table.clear(columns=True)
        for label, key, width in (("#", "id", 4), ("Now", "now", 5), ("History", "spark", 12), ("Δ", "delta", 4)):
            table.add_column(label, key=key, width=width)
        table.add_column("Belief", key="statement", width=max(len("Belief"), *(len(r[4]) for r in rows)))
        for *cells, key in rows:
            table.add_row(*cells[:4], Text(cells[4]), key=key)

    @work(thread=True, exclusive=True, group="home-kb")
    def load_kb_status(self) -> None:
        app: Any = self.app
        try:
            kb = app.knowledge()
            statuses = kb.status()
        except Exception as exc:  # noqa: BLE001
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            app.call_from_thread(self._set_kb, f"Knowledge base unavailable: {message}  (k for details)")
            return
        app.call_from_thread(self._set_kb, kb_summary(statuses))
        pending = [s for s in statuses if s.state in ("changed", "missing")]
        if pending and app.auto_index and app.settings.ui.auto_index:
            self._index(kb)

    def _index(self, kb: Any) -> None:
        """Index in the app's worker process; the status line shows its counts (a timer reads
        them, so this thread never waits on the UI, and quitting never waits on this thread)."""
        app: Any = self.app
        self._kb_text, self._kb_indexing = "Knowledge base: indexing…", True
        app.call_from_thread(self._watch_indexing)
        try:
            report = app.run_indexing()
            if report is None:  # quitting stopped it; the next launch resumes
                return
            self._kb_text = kb_summary(kb.status())
        except Exception as exc:  # noqa: BLE001
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            self._kb_text = f"Knowledge base: indexing failed: {message}"
        finally:
            self._kb_indexing = False

    def _watch_indexing(self) -> None:
        self._set_kb(self._kb_text)
        self._indexing_timer = self.set_interval(0.25, self._show_indexing)

    def _show_indexing(self) -> None:
        progress = getattr(self.app, "index_progress", None)
        if self._kb_indexing and progress is not None:
            self._set_kb("Knowledge base: " + progress.line())
        elif not self._kb_indexing:
            self._set_kb(self._kb_text)
            self._indexing_timer.stop()

    def _set_kb(self, text: str) -> None:
        try:
            self.query_one("#kb-status", Static).update(text)
        except Exception:  # noqa: BLE001 - the screen may be gone
            pass

    # ------------------------------------------------------------------ actions
    def action_run(self, name: str) -> None:
        app: Any = self.app
        if not app.ensure_loaded():
            return
        if name == "new_session":
            app.action_new_session()
        else:
            screen, kwargs = ACTION_SCREENS[name]
            app.open_screen(screen, **kwargs)

    def action_focus_due(self) -> None:
        if not self.query_one("#home-due", DueBeliefs).focus_list():
            self.app.notify("No belief is due to resolve.", timeout=3)

    @on(DueBeliefs.Resolved)
    def _due_resolved(self, event: DueBeliefs.Resolved) -> None:
        self.refresh_data()
        if not self.query_one("#home-due", DueBeliefs).focus_list():
            self.query_one("#action-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#action-list")
    def _action_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_run(str(event.option.id))

    @on(OptionList.OptionSelected, "#recent-list")
    def _recent_selected(self, event: OptionList.OptionSelected) -> None:
        app: Any = self.app
        kind, _, ident = str(event.option.id).partition(":")
        if kind == "s":
            app.open_screen("session", resume_id=int(ident))
        elif kind == "e":
            entry = app.journal.get_entry(int(ident))
            if entry.post_status != "complete":
                app.open_screen("person_post", entry_id=entry.id)
            else:
                app.open_screen("journal", entry_id=entry.id)

    @on(DataTable.RowSelected, "#belief-table")
    def _belief_selected(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value
        if key and key.isdigit():
            self.app.open_screen("beliefs", belief_id=int(key))  # type: ignore[attr-defined]


def kb_summary(statuses: list[Any]) -> str:
    curated = [s for s in statuses if s.kind == "curated"]
    notes = [s for s in statuses if s.kind == "note" and not s.source_id.startswith("add:")]
    pending = sum(1 for s in statuses if s.state in ("changed", "missing"))
    failed = sum(1 for s in statuses if s.state == "failed")
    parts = [f"Knowledge base: {len(curated)} curated cards", f"{len(notes)} note(s)"]
    if pending:
        parts.append(f"{pending} to index")
    if failed:
        parts.append(f"{failed} failed (k to see why)")
    if not pending and not failed:
        parts.append("all indexed")
    return " · ".join(parts)


def _short(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

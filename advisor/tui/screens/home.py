"""Home: next actions, recent sessions and journal entries, beliefs with sparklines, KB status.

Home's first frame carries the journal's data, read with sqlite3 alone (tui/home_data.py), before
the journal store and the settings load (pydantic and pydantic-settings cost more than the first
frame); they load after it, and with them come the model in the title bar and the knowledge
base's status. A journal that cannot be read as it is (new, or an older schema) is opened by the
store after the first frame, which says "Loading your journal…" until it is migrated and shown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from advisor.errors import error_text
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.due_beliefs import DueBeliefs
from advisor.tui.widgets.key_bar import KeyBar

if TYPE_CHECKING:
    from advisor.tui.home_data import HomeData

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
}
#: The beliefs table's fixed columns (label, key, width); the statement takes the rest of the row.
BELIEF_COLUMNS = (("#", "id", 4), ("Now", "now", 5), ("History", "spark", 8), ("Δ", "delta", 4))
#: The beliefs panel's border and padding (.panel), each side: its content is the screen's width less 2x this.
PANEL_FRAME = 2


class HomeScreen(Screen):
    """The first screen: everything advisor does is one key away from here."""

    HELP_NAME = "Home"

    DEFAULT_CSS = """
    #home-top { height: 11; }
    #actions { width: 44; }
    #recent { width: 1fr; }
    #home-beliefs { height: 1fr; min-height: 5; }
    #home-beliefs DataTable { height: 1fr; background: transparent; }
    #kb-status { height: 1; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("s", "run('new_session')", "Session"),
        Binding("j", "run('person')", "Talk"),
        Binding("a", "run('note')", "Add note"),
        Binding("l", "run('journal')", "Entries"),
        Binding("b", "run('beliefs')", "Beliefs"),
        Binding("k", "run('knowledge')", "Knowledge"),
        Binding("slash", "run('search')", "Search"),
        Binding("comma", "run('settings')", "Settings"),
        Binding("d", "focus_due", "Due beliefs"),  # offered only when a belief is due
        Binding("t", "app.toggle_dark", "Theme"),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._indexing = False
        self._filled = False
        self._belief_rows: list[tuple[str, ...]] | None = None
        self._table_shows: tuple[list[tuple[str, ...]], int] | None = None  # (rows, width) in the table
        self._table_mounted: Any = None
        self._first_data: HomeData | None = None
        self._pushed = False

    def compose(self) -> ComposeResult:
        app: Any = self.app
        first = self._first_data = app.first_home_data()  # None: the store fills Home in after frame one
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
                yield OptionList(*(recent_options(first) if first else []), id="recent-list")
        if first is not None:  # the due panel shows only journal data (hidden when nothing is due)
            yield DueBeliefs(first.due, app.today(), id="home-due")
        with Vertical(id="home-beliefs", classes="panel") as beliefs:
            beliefs.border_title = "Beliefs · latest credence · history"
            if first is None:
                yield Static("Loading your journal…", id="beliefs-loading", classes="muted")
            else:
                from textual.widgets import DataTable

                yield DataTable(id="belief-table", cursor_type="row", zebra_stripes=False)
        yield Static("Knowledge base: checking…", id="kb-status")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#action-list", OptionList).focus()
        if self._first_data is not None:  # drawn in the first frame: the lists have their options
            self._filled = True
            recent = self.query_one("#recent-list", OptionList)
            if recent.option_count and not recent.get_option_at_index(0).disabled:
                recent.highlighted = 0  # tab to the list, enter opens the newest
            self._belief_rows = belief_rows(self._first_data)
            self._show_beliefs()

    async def first_frame_shown(self) -> None:
        """Called by the app once Home's first frame is on the terminal (Textual's Ready): then the
        journal store opens (when it was not given), and Home fills in if that frame had no data;
        the settings load once the data is drawn, and with them come the model in the title bar
        and the knowledge base's status."""
        app: Any = self.app
        if app.ensure_journal():
            if not self._filled:
                await self.mount(DueBeliefs([], app.today(), id="home-due"), before="#home-beliefs")
                self._filled = True
                self.refresh_data()
                if self._table_mounted is not None:
                    await self._table_mounted  # the rows are in the next frame, not behind the settings
            self.call_after_refresh(self._data_shown)

    def _data_shown(self) -> None:
        app: Any = self.app
        if app.ensure_loaded():
            self.query_one(TitleBar).refresh_model()
            self.load_kb_status()  # in a thread; the frame with the data is drawn already

    def on_screen_resume(self) -> None:
        app: Any = self.app
        first, self._pushed = not self._pushed, True
        if first or not self._filled or app.journal is None:  # the first fill comes with the first frame
            return
        self.refresh_data()
        self.query_one(TitleBar).refresh_model()
        if not self._indexing:  # notes added or removed on another screen change the counts
            self.refresh_kb_status()

    # ------------------------------------------------------------------ data
    def refresh_data(self) -> None:
        """Read everything Home shows again, through the journal store's connection."""
        from advisor.tui.home_data import read_home_data

        app: Any = self.app
        self._show(read_home_data(app.journal.conn, app.today()))

    def _show(self, data: HomeData) -> None:
        app: Any = self.app
        recent = self.query_one("#recent-list", OptionList)
        highlighted = recent.highlighted
        recent.clear_options()
        options = recent_options(data)
        recent.add_options(options)
        if not options[0].disabled:  # highlighted from the start: tab to the list, enter opens the newest
            recent.highlighted = min(highlighted or 0, len(options) - 1)
        self.query_one("#home-due", DueBeliefs).show(data.due, app.today())
        self.refresh_bindings()  # d is offered only when a belief is due
        self._belief_rows = belief_rows(data)
        self._show_beliefs()

    def _belief_table(self) -> Any:
        """The beliefs table, made when the first data arrives (it is not part of the first frame)."""
        from textual.widgets import DataTable

        tables = self.query("#belief-table")
        if tables:
            return tables.first()
        self.query("#beliefs-loading").remove()
        table = DataTable(id="belief-table", cursor_type="row", zebra_stripes=False)
        self._table_mounted = self.query_one("#home-beliefs").mount(table)
        return table

    def _show_beliefs(self) -> None:
        """The rows with the statement as wide as the panel allows (a longer one wraps)."""
        if self._belief_rows is None:
            return
        from advisor.tui.widgets.statement_table import show_rows

        rows = self._belief_rows
        # before the first layout (rows drawn in the first frame) the panel's width is the screen's less its frame
        width = self.query_one("#home-beliefs").content_size.width or self.app.size.width - 2 * PANEL_FRAME
        if self._table_shows == (rows, width):
            return  # the first layout found the width the first frame was drawn at: nothing to redo
        self._table_shows = (rows, width)
        show_rows(self._belief_table(), BELIEF_COLUMNS, [r[:5] for r in rows], [r[5] or None for r in rows], width)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_beliefs)

    @work(thread=True, exclusive=True, group="home-kb")
    def load_kb_status(self) -> None:
        app: Any = self.app
        statuses = self._kb_statuses()
        if statuses is None:
            return
        pending = [s for s in statuses if s.state in ("changed", "missing")]
        if pending and app.auto_index and app.settings.ui.auto_index:
            self._indexing = True
            try:
                self._index(app.knowledge())
            finally:
                self._indexing = False

    @work(thread=True, exclusive=True, group="home-kb-status")
    def refresh_kb_status(self) -> None:
        self._kb_statuses()

    def _kb_statuses(self) -> list[Any] | None:
        """Every source's state, shown as the summary line (called in a worker)."""
        app: Any = self.app
        try:
            statuses: list[Any] = app.knowledge().status()
        except Exception as exc:  # noqa: BLE001
            message = error_text(exc)
            app.call_from_thread(self._set_kb, f"Knowledge base unavailable: {message}  (k for details)")
            return None
        app.call_from_thread(self._set_kb, kb_summary(statuses))
        return statuses

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
            message = error_text(exc)
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
        elif name == "help":
            app.action_help()
        else:
            screen, kwargs = ACTION_SCREENS[name]
            app.open_screen(screen, **kwargs)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "focus_due":
            dues = self.query("#home-due")
            return bool(dues) and not dues.first().has_class("-empty")
        return True

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

    def on_data_table_row_selected(self, event: Any) -> None:
        key = event.row_key.value
        if event.data_table.id == "belief-table" and key and key.isdigit():
            self.app.open_screen("beliefs", belief_id=int(key))  # type: ignore[attr-defined]


def recent_options(data: HomeData, limit: int = 30) -> list[Option]:
    """The recent-list: sessions and the entries no session links to, newest first."""
    from advisor.tui.widgets.hanging import hanging

    items: list[tuple[tuple[str, int], Option]] = []
    linked_entries = {s.entry_id for s in data.sessions if s.entry_id}
    for s in data.sessions:
        state = "done" if s.status == "complete" else s.stage
        label = hanging([("◆", Text.from_markup(f"{escape(_short(s.topic, 60))}\n[dim]Session #{s.id} · {state}[/dim]"))])
        items.append(((s.updated_at.isoformat(), s.id), Option(label, id=f"s:{s.id}")))
    for e in data.entries:
        if e.id in linked_entries:
            continue
        status = {"none": "post to write", "in_progress": "post unfinished", "complete": "done"}[e.post_status]
        who = f" with {e.with_whom}" if e.with_whom else ""
        label = hanging([("✎", Text.from_markup(f"{escape(_short(e.about, 60))}\n[dim]Entry #{e.id}{escape(who)} · {status}[/dim]"))])
        items.append(((e.created_at.isoformat(), e.id), Option(label, id=f"e:{e.id}")))
    items.sort(key=lambda pair: pair[0], reverse=True)
    if not items:
        return [Option("[dim]Nothing yet. Press s for a session or j to journal a talk.[/dim]", id="none", disabled=True)]
    return [option for _, option in items[:limit]]


def belief_rows(data: HomeData) -> list[tuple[str, ...]]:
    """The beliefs table's rows (cells, then the row's key), the latest rated first."""
    from advisor.journal.render import fmt_credence, signed, sparkline

    rows = []
    by_last_rated = sorted(data.beliefs, key=lambda b: (b.ratings.last_rated_at is None, b.ratings.last_rated_at))
    for b in by_last_rated[::-1]:
        r = b.ratings
        if r.latest is None and not r.history:
            continue
        delta = signed(r.last_change) if r.last_change is not None else ""
        now = "drop" if r.dropped else fmt_credence(r.latest)
        statement = b.statement
        if b.resolution:
            statement += f"  [resolved {b.resolution}]"
        rows.append((f"#{b.id}", now, sparkline(r.history, 8), delta, statement, str(b.id)))
    if not rows:
        rows.append(("", "", "", "", "No beliefs yet: they are added before a conversation.", ""))
    return rows


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

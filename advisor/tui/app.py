"""The advisor Textual app: a factory-built App over the journal, knowledge and session cores.

Only light modules are imported here (Textual, settings, the journal store). The knowledge base,
the session engine and every model are imported in workers, after the first screen is painted.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from advisor.errors import AdvisorError
from advisor.tui.drafts import DRAFTS_FILE, Drafts
from advisor.tui.key_order import KeysInOrder
from advisor.tui.styles import CSS

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore
    from advisor.knowledge.models import Progress, ReindexReport
    from advisor.knowledge.worker import IndexProcess, Operation
    from advisor.settings import Settings
    from advisor.tui.home_data import HomeData

LIGHT_THEME = "textual-light"
DARK_THEME = "textual-dark"

SessionFactory = Callable[..., Any]
KnowledgeFactory = Callable[["Settings"], Any]


class LockedKnowledge:
    """A knowledge base shared by workers: one call at a time (indexing, search, status)."""

    def __init__(self, kb: Any) -> None:
        self._kb = kb
        self._lock = threading.RLock()

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._kb, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attr(*args, **kwargs)

        return call


def default_knowledge_factory(settings: Settings) -> Any:
    from advisor.knowledge.base import KnowledgeBase

    return KnowledgeBase(settings)


def default_session_factory(
    *, settings: Settings, journal_path: Path, topic: str | None = None,
    resume_id: int | None = None, retriever: Any = None,
) -> Any:
    """A Session on its own journal connection (it runs in a worker thread)."""
    from advisor.journal.store import JournalStore
    from advisor.session.engine import Session

    store = JournalStore.open(journal_path)
    try:
        if resume_id is not None:
            return Session.resume(store, settings, resume_id, retriever=retriever)
        return Session.start(store, settings, topic or "", retriever=retriever)
    except BaseException:
        store.close()
        raise


def _advisor_commands() -> type:
    """The palette provider, imported when the palette first opens (not before the first paint)."""
    from advisor.tui.commands import AdvisorCommands

    return AdvisorCommands


class AdvisorApp(KeysInOrder, App[int]):
    """advisor's terminal UI. Build with the settings and stores it should use. Keys typed in a burst
    are routed one at a time, each after the previous one's effects (KeysInOrder)."""

    TITLE = "advisor"
    SUB_TITLE = "research direction & career reflection"
    CSS = CSS
    COMMANDS = App.COMMANDS | {_advisor_commands}
    ENABLE_COMMAND_PALETTE = True
    #: every screen has the class -narrow below 100 columns (-wide from 100): layouts follow it
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    BINDINGS = [
        # ctrl+q works everywhere, but only Home shows a quit key (q): one key per action in the bar
        Binding("ctrl+q", "quit", "Quit", priority=True, show=False),
        # not priority: in a text field `?` is a character; the bar then shows f1 instead
        Binding("question_mark", "help", "Help"),
        Binding("f1", "help", "Help"),
        Binding("f2", "toggle_dark", "Light/dark theme", show=False),
        # Priority, so the focus moves as the app reads the key: text typed right after a tab
        # (fast, or while the machine is busy) lands in the field the tab went to. Without it the
        # tab waits in the queue of the field it leaves, and the text behind it goes there too.
        Binding("tab", "focus_next", "Focus Next", show=False, priority=True),
        Binding("shift+tab", "focus_previous", "Focus Previous", show=False, priority=True),
    ]

    def __init__(
        self,
        settings: Settings | None,
        *,
        journal: JournalStore | None = None,
        journal_loader: Callable[[], JournalStore] | None = None,
        settings_loader: Callable[[], Settings] | None = None,
        knowledge: Any = None,
        session_factory: SessionFactory | None = None,
        knowledge_factory: KnowledgeFactory | None = None,
        drafts: Drafts | None = None,
        auto_index: bool = True,
    ) -> None:
        super().__init__()
        if settings is None and (journal_loader is None or settings_loader is None):
            raise ValueError("AdvisorApp needs settings and a journal, or a loader for each")
        self._journal_loader = journal_loader
        self._settings_loader = settings_loader
        self.load_error: AdvisorError | None = None
        self.session_factory = session_factory or default_session_factory
        self._knowledge_factory = knowledge_factory or default_knowledge_factory
        # the knowledge base of the settings indexes in a worker process; one given (a test's) here
        self._index_in_process = knowledge is not None or knowledge_factory is not None
        self._knowledge = LockedKnowledge(knowledge) if knowledge is not None else None
        self._knowledge_error: str | None = None
        self._knowledge_lock = threading.Lock()
        self._drafts = drafts
        self.auto_index = auto_index
        self.today: Callable[[], date] = date.today  # what "due" is measured against (tests fix it)
        self.index_progress: Progress | None = None  # the latest counts of the background indexing
        self.last_resolution: Any = None  # the last belief resolution made here (u on Beliefs undoes it)
        self._index_run: IndexProcess | None = None
        self._quitting = False
        self.startup_warnings: list[str] = []  # from loading the settings (unknown config keys)
        #: the journal file the loader will open: Home's first frame reads it as it is (no migration)
        self.journal_hint: Path | None = None
        self.settings: Settings = None  # type: ignore[assignment]  # set by _use() or ensure_loaded()
        self.journal: JournalStore = None  # type: ignore[assignment]
        if settings is not None:
            assert journal is not None, "pass the journal with the settings"
            self._use(settings, journal)

    @property
    def loaded(self) -> bool:
        return self.settings is not None

    def _use(self, settings: Settings, journal: JournalStore) -> None:
        self.settings, self.journal = settings, journal
        self.drafts = self._drafts or Drafts(settings.home / DRAFTS_FILE)
        if settings.ui.theme in self.available_themes:
            self.theme = settings.ui.theme

    def ensure_journal(self) -> bool:
        """Open the journal (deferred until Home has painted once). It needs only the data
        directory, found without the settings, so Home shows the journal before pydantic-settings
        loads. False when it cannot be opened: the app exits and run_app prints the reason."""
        if self.journal is not None:
            return True
        try:
            assert self._journal_loader is not None
            self.journal = self._journal_loader()
        except AdvisorError as exc:
            self._fail(exc)
            return False
        return True

    def first_home_data(self) -> HomeData | None:
        """What Home's first frame shows: read through the journal store when it is open, else
        read-only from `journal_hint` when that file's schema is current; None when neither."""
        if self.journal is not None:
            from advisor.tui.home_data import read_home_data

            return read_home_data(self.journal.conn, self.today())
        if self.journal_hint is not None and self.journal_hint.is_file():  # a new home imports no sqlite3
            from advisor.tui.home_data import read_current

            return read_current(self.journal_hint, self.today())
        return None

    def ensure_loaded(self) -> bool:
        """Open the journal and load the settings (deferred until Home has shown its data).

        False when they cannot be loaded: the app then exits and run_app prints the one-line reason.
        """
        if self.loaded:
            return True
        if not self.ensure_journal():
            return False
        try:
            assert self._settings_loader is not None
            settings = self._settings_loader()
            if Path(self.journal.path) != settings.journal_path:  # the settings name another home
                from advisor.tui.launch import open_journal

                self.journal.close()
                self.journal = open_journal(settings)
        except AdvisorError as exc:
            self._fail(exc)
            return False
        self._use(settings, self.journal)
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", timeout=10)
        return True

    def _fail(self, exc: AdvisorError) -> None:
        self.load_error = exc
        self.exit(return_code=exc.exit_code)

    # ------------------------------------------------------------------ cores
    def knowledge(self) -> Any:
        """The knowledge base (built on first use; call from a worker). Raises AdvisorError."""
        with self._knowledge_lock:
            if self._knowledge is None:
                if self._knowledge_error:
                    raise AdvisorError(self._knowledge_error)
                try:
                    self._knowledge = LockedKnowledge(self._knowledge_factory(self.settings))
                except AdvisorError as exc:
                    self._knowledge_error = exc.message
                    raise
                except Exception as exc:  # noqa: BLE001 - a missing module or broken install
                    self._knowledge_error = f"the knowledge base is not available ({type(exc).__name__}: {exc})"
                    raise AdvisorError(self._knowledge_error) from None
            return self._knowledge

    def knowledge_or_none(self) -> Any:
        try:
            return self.knowledge()
        except AdvisorError:
            return None

    def model_label(self) -> tuple[str, str]:
        """(provider, label) of what answers in a session: a model, or guide mode."""
        try:
            from advisor.session.llm import describe

            info = describe(self.settings)
            return info.provider, info.label
        except Exception:  # noqa: BLE001 - the session core may be missing
            provider = self.settings.model.provider
            if provider == "auto":
                provider = "openai" if (self.settings.model.base_url or self.settings.model.api_key) else "guide"
            label = "guide mode (no language model)" if provider == "guide" else self.settings.model.name
            return provider, label

    # ------------------------------------------------------------------ background indexing
    def run_indexing(self, operation: Operation = "prepare") -> ReindexReport | None:
        """Index in a worker process (call from a thread worker): the embedder and Chroma load
        there, not here, so the UI stays small. Its counts go to `index_progress` (screens show
        them); None when quitting stopped it (the next launch resumes). Raises AdvisorError."""
        from advisor.knowledge.worker import IndexProcess

        def progress(p: Progress) -> None:
            self.index_progress = p

        if self._index_in_process:
            report: ReindexReport = self.knowledge().reindex(progress=progress)
            return report
        run = IndexProcess(self.settings, operation)
        if self._quitting:
            return None
        self._index_run, self.index_progress = run, None
        try:
            return run.run(progress)
        finally:
            self._index_run = None

    @property
    def indexing(self) -> bool:
        return self._index_run is not None

    def stop_indexing(self) -> None:
        """Quitting is immediate: the indexing process ends now."""
        self._quitting = True
        run = self._index_run
        if run is not None:
            run.stop()

    def exit(self, result: int | None = None, return_code: int = 0, message: Any = None) -> None:
        self.stop_indexing()
        super().exit(result, return_code, message)

    # ------------------------------------------------------------------ lifecycle
    def get_default_screen(self) -> Screen:
        """Home is the app's own screen (not pushed over a blank one): its first frame is the
        app's first frame, laid out and drawn once."""
        from advisor.tui.screens.home import HomeScreen

        home = HomeScreen()
        # the width class Textual gives a screen on its first resize, given now: Home is styled
        # once before its first frame, not a second time when the class arrives
        home.add_class(self.width_class(self.size.width))
        return home

    def width_class(self, width: int) -> str:
        """The HORIZONTAL_BREAKPOINTS class of a screen `width` columns wide."""
        return [name for least, name in self.HORIZONTAL_BREAKPOINTS if width >= least][-1]

    def on_ready(self) -> None:
        """The DOM is ready and Home's first frame is drawn (or queued to be: Home is mounted while
        the app batches its first updates): once it is on the terminal, Home loads the settings and
        the journal (if they were not given) and fills in."""
        from advisor.tui.screens.home import HomeScreen

        home = self.screen_stack[-1]
        if isinstance(home, HomeScreen):
            home.call_after_refresh(home.first_frame_shown)

    def reload_settings(self) -> None:
        from advisor.settings import load_settings

        home = self.settings.home
        self.settings = load_settings(home=home)

    # ------------------------------------------------------------------ navigation
    def open_screen(self, name: str, **kwargs: Any) -> None:
        """Push one of advisor's screens by name (what bindings and the palette call)."""
        from importlib import import_module

        if not self.ensure_loaded():  # the palette can open a screen before Home has loaded them
            return
        module_name, cls_name = SCREENS[name]
        try:
            cls = getattr(import_module(f"advisor.tui.screens.{module_name}"), cls_name)
        except Exception as exc:  # noqa: BLE001
            self.notify(f"This screen cannot open: {exc}", severity="error", timeout=8)
            return
        self.push_screen(cls(**kwargs))

    def go_home(self) -> None:
        from advisor.tui.screens.home import HomeScreen

        while len(self.screen_stack) > 1 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "help":  # help is not offered on the help screen itself
            return type(self.screen).__name__ != "HelpScreen"
        return True

    def action_help(self) -> None:
        """Help for the screen in use: its keys (read from its bindings), then how advisor works."""
        from advisor.tui.widgets.key_bar import every_key

        screen = self.screen
        self.open_screen("help", keys=every_key(screen), about=_screen_title(screen))

    def action_toggle_dark(self) -> None:
        """Light or dark, kept in the config file (ui.theme) so the next launch looks the same."""
        self.theme = LIGHT_THEME if self.current_theme.dark else DARK_THEME
        if self.loaded:
            self.save_theme(self.theme)

    def save_theme(self, theme: str) -> None:
        from advisor.config_file import update_config

        try:
            update_config({"ui.theme": theme})
        except AdvisorError as exc:
            self.notify(f"The theme is not saved: {exc.message}", severity="warning", timeout=6)
            return
        self.settings.ui.theme = theme

    def action_new_session(self) -> None:
        from advisor.tui.screens.modals import TopicModal

        def start(topic: str | None) -> None:
            if topic:
                self.open_screen("session", topic=topic)

        self.push_screen(TopicModal(), start)

    def palette_entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        """Every app-wide action as (name, help, callback) for the command palette."""
        return [
            ("Home", "Recent sessions, journal, beliefs, next actions", self.go_home),
            ("New session", "A guided reflection session with the advisor", self.action_new_session),
            ("Journal a conversation with a person", "Beliefs before you talk to someone",
             lambda: self.open_screen("person_pre")),
            ("Journal: entries and diffs", "Every entry; what moved before → after",
             lambda: self.open_screen("journal")),
            ("Beliefs: history, plot, calibration", "Each belief's credence over time",
             lambda: self.open_screen("beliefs")),
            ("Calibration", "Brier score and calibration table over resolved beliefs",
             lambda: self.open_screen("beliefs", tab="calibration")),
            ("Add a note", "Type a note or add a file/folder to your knowledge base",
             lambda: self.open_screen("knowledge", tab="add")),
            ("Knowledge: notes and index status", "Per-file index state, reindex with progress",
             lambda: self.open_screen("knowledge", tab="notes")),
            ("Search everything", "Sessions, journal entries, beliefs, notes and cards, ranked",
             lambda: self.open_screen("search")),
            ("Search the knowledge base", "Curated cards and your notes",
             lambda: self.open_screen("knowledge", tab="search")),
            ("Curated cards", "Browse the curated knowledge cards",
             lambda: self.open_screen("knowledge", tab="cards")),
            ("AI-safety subfield map", "Subfields, core problems, entry projects",
             lambda: self.open_screen("knowledge", tab="subfields")),
            ("Settings: model endpoint and theme", "Provider, base URL, model name, API key",
             lambda: self.open_screen("settings")),
            ("Toggle light/dark theme", "Switch between textual-light and textual-dark",
             self.action_toggle_dark),
            ("Help", "Keys and how advisor works", self.action_help),
            ("Quit", "Leave advisor (everything is saved)", self.exit),
        ]


def _screen_title(screen: Any) -> str:
    """What help calls a screen: its HELP_NAME, else its title up to the first " · "."""
    from advisor.tui.titlebar import TitleBar

    bars = screen.query(TitleBar)
    title = bars.first().title if bars else type(screen).__name__
    return getattr(screen, "HELP_NAME", None) or title.split(" · ")[0]


SCREENS: dict[str, tuple[str, str]] = {
    "home": ("home", "HomeScreen"),
    "session": ("session", "SessionScreen"),
    "journal": ("journal", "JournalScreen"),
    "person_pre": ("person", "PersonPreScreen"),
    "person_post": ("person", "PersonPostScreen"),
    "beliefs": ("beliefs", "BeliefsScreen"),
    "knowledge": ("knowledge", "KnowledgeScreen"),
    "settings": ("settings_screen", "SettingsScreen"),
    "help": ("help", "HelpScreen"),
    "search": ("search", "SearchScreen"),
    "document": ("document", "DocumentScreen"),
}

"""Building and running the app: `advisor` with no arguments opens the journal and loads the
settings after Home's first frame (`run_app`); tests and callers with settings use `build_app`."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from advisor.errors import AdvisorError
from advisor.tui.app import AdvisorApp

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore
    from advisor.settings import Settings


def build_app(settings: Settings, **kwargs: Any) -> AdvisorApp:
    """Open the journal for `settings` and build the app (the stores it uses are arguments)."""
    journal = kwargs.pop("journal", None) or open_journal(settings)
    return AdvisorApp(settings, journal=journal, **kwargs)


def open_journal(settings: Settings) -> JournalStore:
    from advisor.journal.store import JournalStore
    from advisor.settings import ensure_home

    ensure_home(settings)
    return JournalStore.open(settings.journal_path)


def journal_from_environment(warn: Callable[[str], None] | None = None) -> JournalStore:
    """The journal in the data directory the settings would name, found without building them
    (`paths.configured_home`: no pydantic-settings); a home others can read warns through `warn`."""
    from advisor.journal.store import JournalStore
    from advisor.paths import JOURNAL_FILE, configured_home, ensure_data_dir

    return JournalStore.open(ensure_data_dir(configured_home(), warn) / JOURNAL_FILE)


def settings_from_environment(warn: Callable[[str], None] | None = None) -> Settings:
    """What `advisor` with no arguments uses: settings from env/config; warnings (unknown config
    keys, a home others can read) go to `warn`."""
    from advisor.settings import ensure_home, load_settings

    settings = load_settings(warn=warn)
    ensure_home(settings, warn=warn)
    return settings


def deferred_app() -> AdvisorApp:
    """The app `advisor` runs: Home's first frame shows the journal read with sqlite3 alone; the
    journal store and the settings load after it. That frame is already in the configured theme
    (read without the settings: no dark flash for a light theme). Raises AdvisorError for a config
    file that cannot be read."""
    from advisor.paths import JOURNAL_FILE, configured_home, configured_theme

    warnings: list[str] = []
    app = AdvisorApp(None, journal_loader=lambda: journal_from_environment(warnings.append),
                     settings_loader=lambda: settings_from_environment(warnings.append))
    app.startup_warnings = warnings
    app.journal_hint = configured_home() / JOURNAL_FILE  # Home's first frame reads it (home_data.py)
    theme = configured_theme()
    if theme in app.available_themes:
        app.theme = theme
    return app


def driver_size() -> tuple[int, int]:
    """The terminal size as Textual's terminal driver measures it (shutil), given to the app as
    its size before the driver's first resize arrives. Left alone, Textual starts from Rich's guess
    instead, which differs when there is no terminal (80x25 against shutil's 80x24) or TERM=dumb
    (80x25 against the real size): Home, the app's own screen, is then laid out at both sizes
    at once and each layout re-posts its size to the screen, so it repaints without end."""
    import shutil

    columns, lines = shutil.get_terminal_size()
    return columns, lines


def run_app(settings: Settings | None = None) -> int:
    """Run the TUI; an AdvisorError becomes one line and its exit code, never a traceback.

    With no settings, Home paints first, then shows the journal, then loads the settings
    (pydantic-settings alone costs about a third of a bare Textual first paint).
    """
    try:
        if settings is None:
            app = deferred_app()
        else:
            app = build_app(settings)
    except AdvisorError as exc:
        sys.stderr.write(f"advisor: {exc.message}\n")
        return exc.exit_code
    try:
        result = app.run(size=driver_size())
    finally:
        app.stop_indexing()
        if app.journal is not None:
            try:
                app.journal.close()
            except Exception:  # noqa: BLE001
                pass
    if app.load_error is not None:
        sys.stderr.write(f"advisor: {app.load_error.message}\n")
        return app.load_error.exit_code
    return int(result or 0)

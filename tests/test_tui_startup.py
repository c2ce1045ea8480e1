"""`advisor` with no arguments: Home paints before settings and the journal load, then fills in;
a broken configuration ends in one line and a non-zero exit, not a traceback."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.widgets import DataTable

from advisor.errors import StorageError
from advisor.journal.store import JournalStore
from advisor.settings import ensure_home, load_settings
from advisor.tui.app import AdvisorApp


async def test_home_paints_first_then_loads_settings_and_journal(advisor_env) -> None:
    settings = load_settings()
    ensure_home(settings)
    with JournalStore.open(settings.journal_path) as store:
        entry = store.create_entry("Seeded before launch")
        store.add_pre_belief(entry.id, "Deferred loading shows my beliefs", 42, "")
    calls: list[str] = []

    def journal_loader() -> Any:
        calls.append("journal")
        return JournalStore.open(settings.journal_path)

    def settings_loader() -> Any:
        calls.append("settings")
        return load_settings()

    app = AdvisorApp(None, journal_loader=journal_loader, settings_loader=settings_loader, auto_index=False)
    assert not app.loaded and calls == []
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await asyncio.wait_for(app.workers.wait_for_complete(), 30)
        await pilot.pause()
        assert calls == ["journal", "settings"] and app.loaded
        table = app.screen.query_one("#belief-table", DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["42%"]
    app.journal.close()


async def test_the_first_frame_is_in_the_configured_theme(advisor_env, monkeypatch) -> None:
    """The settings load after Home's first frame; the theme is read before it, so a light-theme
    user does not see Home dark first (from the config file, and ADVISOR_UI__THEME over it)."""
    from pathlib import Path

    from advisor.tui.launch import deferred_app

    Path(advisor_env["ADVISOR_CONFIG"]).write_text('[ui]\ntheme = "textual-light"\n')
    app = deferred_app()
    assert not app.loaded and app.theme == "textual-light"
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not app.current_theme.dark
    if app.journal is not None:
        app.journal.close()
    monkeypatch.setenv("ADVISOR_UI__THEME", "nord")
    assert deferred_app().theme == "nord"


async def test_a_failing_load_exits_with_its_message(advisor_env) -> None:
    def journal_loader() -> Any:
        raise StorageError("cannot use data directory /nowhere (ADVISOR_HOME): Permission denied")

    app = AdvisorApp(None, journal_loader=journal_loader, settings_loader=load_settings, auto_index=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
    assert app.load_error is not None and "Permission denied" in app.load_error.message
    assert app.return_code == StorageError.exit_code


def test_advisor_with_no_arguments_and_a_broken_home_is_one_line(cli, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = cli(env={"ADVISOR_HOME": str(blocker / "home"), "TERM": "dumb"}, timeout=60)
    assert r.code != 0 and "Traceback" not in r.err
    assert "cannot use data directory" in r.err.strip().splitlines()[-1]


async def test_first_launch_home_shows_the_whole_empty_state_text(advisor_env) -> None:
    """Rows that arrive after the first paint are drawn at full width (not cut to the header's)."""
    import re

    from advisor.tui.launch import journal_from_environment, settings_from_environment

    app = AdvisorApp(None, journal_loader=journal_from_environment, settings_loader=settings_from_environment,
                     auto_index=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.3)
        text = re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")
        assert "No beliefs yet: they are added before a conversation." in text
    app.journal.close()


# ---------------------------------------------------------------- what loads before the first frame

HEAVY = ("chromadb", "onnxruntime", "langchain", "langchain_core", "langchain_openai", "openai")

#: Runs `advisor` (no arguments) with the terminal driver's writes watched: at the first write that
#: puts the marker (argv[2]) on the screen, it records which modules are loaded; the test then quits.
FIRST_FRAME_PROBE = r"""
import json, os, re, sys
from textual.drivers.linux_driver import LinuxDriver

ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
write = LinuxDriver.write
report, marker = sys.argv[1], sys.argv[2]
seen = []

def watched(self, data):
    write(self, data)
    seen.append(ESCAPES.sub("", data))
    if not os.path.exists(report) and marker in "".join(seen):
        with open(report, "w") as out:
            json.dump({"modules": sorted(sys.modules), "frame": "".join(seen)}, out)

LinuxDriver.write = watched
from advisor.cli.main import main
sys.argv = ["advisor"]
raise SystemExit(main())
"""


class _InAPty:
    """A program run in a pseudo-terminal of `size` (columns, lines), its output read as it comes
    (a full pty would block the program's writes)."""

    def __init__(self, argv: list[str], env: dict[str, str], size: tuple[int, int]) -> None:
        import fcntl
        import os
        import pty
        import struct
        import subprocess
        import termios

        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", size[1], size[0], 0, 0))
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True)
        os.close(slave)
        self.output = b""

    def read(self, seconds: float, until: Any = lambda: False) -> bytes:
        """What the program writes in the next `seconds`, stopping early when `until()` or it exits."""
        import os
        import select
        import time

        got = b""
        deadline = time.monotonic() + seconds
        while not until() and time.monotonic() < deadline and self.proc.poll() is None:
            if select.select([self.master], [], [], 0.1)[0]:
                try:
                    got += os.read(self.master, 1 << 16)
                except OSError:
                    break
        self.output += got
        return got

    def quit(self) -> int | None:
        """Press ctrl+q; the exit code, or None when the program is still running after it."""
        import os
        import subprocess

        os.write(self.master, b"\x11")
        self.read(30)  # ends early when the program closes the terminal, which it does before it exits
        try:
            code: int | None = self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            code = None
            self.proc.kill()
            self.proc.wait()
        os.close(self.master)
        return code


def _first_frame_modules(tmp_path, env: dict[str, str], marker: str = "Start a reflection session") -> dict:
    import json
    import sys

    report = tmp_path / "first-frame.json"
    run = _InAPty([sys.executable, "-c", FIRST_FRAME_PROBE, str(report), marker],
                  {**env, "TERM": "xterm-256color"}, (80, 24))
    try:
        run.read(60, until=report.exists)
    finally:
        run.quit()
    assert report.exists(), f"{marker!r} never reached the terminal"
    return json.loads(report.read_text())


def test_a_terminal_rich_cannot_measure_gets_one_steady_home(advisor_env) -> None:
    """With TERM=dumb, Rich guesses 80x25 while Textual's driver measures the terminal: the app
    starts at the driver's size, so Home (the app's own screen) is laid out at one size and goes
    quiet once drawn, instead of repainting at both sizes in turn for ever; ctrl+q still quits."""
    import sys

    settings = load_settings()
    ensure_home(settings)
    with JournalStore.open(settings.journal_path) as store:
        entry = store.create_entry("A chat in a plain terminal")
        store.add_pre_belief(entry.id, "A dumb terminal shows Home once", 55, "")
    run = _InAPty([sys.executable, "-m", "advisor"], {**advisor_env, "TERM": "dumb"}, (100, 30))
    try:
        run.read(60, until=lambda: b"Knowledge base:" in run.output and b"55%" in run.output)
        run.read(2)  # the settings load after the data frame; the title bar and status line follow
        assert b"55%" in run.output
        after = run.read(1.5)
    finally:
        code = run.quit()
    assert len(after) < 2_000, f"still drawing: {len(after)} bytes in 1.5 s after Home was shown"
    assert code == 0


def test_first_frame_is_home_and_nothing_heavy_loads_before_it(advisor_env, tmp_path) -> None:
    """What a person sees first is Home, drawn before the knowledge base, the models, and even
    the settings (pydantic-settings) are loaded; in a new home, with no journal yet to read,
    before SQLite is."""
    first = _first_frame_modules(tmp_path, advisor_env)
    assert "Journal a conversation with a person" in first["frame"]
    loaded = {name.split(".")[0] for name in first["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "pydantic_settings" not in loaded and "sqlite3" not in loaded


def test_homes_data_reaches_the_terminal_before_pydantic_loads(advisor_env, tmp_path) -> None:
    """Home's beliefs and recent entries are read with sqlite3 alone, before the journal store:
    they reach the terminal before pydantic (the store's models) and pydantic-settings are
    imported (those load right after, for the title bar's model and the knowledge base's status
    line), and with nothing heavy loaded. Home says "Loading your journal…" only for a journal the
    store has to migrate first."""
    settings = load_settings()
    ensure_home(settings)
    with JournalStore.open(settings.journal_path) as store:
        entry = store.create_entry("Coffee with an evals lead", with_whom="Sam")
        store.add_pre_belief(entry.id, "Evals work is as useful as interpretability", 40, "")
    first = _first_frame_modules(tmp_path, advisor_env, marker="Evals work is as useful")
    assert "Coffee with an evals lead" in first["frame"] and "Loading your journal" not in first["frame"]
    loaded = {name.split(".")[0] for name in first["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "pydantic" not in loaded and "pydantic_settings" not in loaded


async def test_an_older_journal_is_migrated_before_home_shows_it(advisor_env) -> None:
    """A journal from before m005 stored a post with a belief not re-rated as "complete"; Home does
    not read it as it is (it would say "done"): the store migrates it, then Home shows it."""
    import re
    import sqlite3

    from advisor.journal.migrations import MIGRATIONS, applied_migrations, migrate
    from advisor.tui.launch import deferred_app

    settings = load_settings()
    ensure_home(settings)
    conn = sqlite3.connect(settings.journal_path, isolation_level=None)
    migrate(conn, MIGRATIONS[:3])
    conn.executescript("""
        INSERT INTO entries (id, about, created_at, post_status, post_completed_at)
            VALUES (1, 'Talk with a mentor', '2025-01-01T00:00:00+00:00', 'complete', '2025-01-02T00:00:00+00:00');
        INSERT INTO beliefs (id, statement, created_at) VALUES (1, 'Old belief one', '2025-01-01'),
            (2, 'Old belief two', '2025-01-01');
        INSERT INTO ratings (entry_id, belief_id, phase, credence, created_at) VALUES
            (1, 1, 'pre', 10, '2025-01-01'), (1, 2, 'pre', 20, '2025-01-01'), (1, 1, 'post', 30, '2025-01-02');
    """)
    conn.close()
    app = deferred_app()
    app.auto_index = False
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.3)
        assert applied_migrations(app.journal.conn) == [m.__name__ for m in MIGRATIONS]
        text = re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")
        assert "Entry #1 · post unfinished" in text and "Entry #1 · done" not in text
        table = app.screen.query_one("#belief-table", DataTable)
        assert sorted(table.get_row_at(i)[1] for i in range(table.row_count)) == ["20%", "30%"]
    app.journal.close()


def test_help_loads_no_heavy_module_and_not_even_the_settings(advisor_env) -> None:
    import subprocess
    import sys

    code = (
        "import atexit, json, sys\n"
        "atexit.register(lambda: print(json.dumps(sorted({m.split('.')[0] for m in sys.modules}))))\n"
        "from advisor.cli.main import main\n"
        "sys.argv = ['advisor', '--help']\n"
        "main()\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=advisor_env,
                          timeout=60)
    import json

    assert "usage: advisor" in proc.stdout
    loaded = set(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert not loaded & {*HEAVY, "textual", "pydantic", "pydantic_settings"}, sorted(loaded)

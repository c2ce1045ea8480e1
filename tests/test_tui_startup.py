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

    def loader() -> tuple[Any, Any]:
        calls.append("loaded")
        s = load_settings()
        return s, JournalStore.open(s.journal_path)

    app = AdvisorApp(None, loader=loader, auto_index=False)
    assert not app.loaded and calls == []
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause()
        await asyncio.wait_for(app.workers.wait_for_complete(), 30)
        await pilot.pause()
        assert calls == ["loaded"] and app.loaded
        table = app.screen.query_one("#belief-table", DataTable)
        assert [table.get_row_at(i)[1] for i in range(table.row_count)] == ["42%"]
    app.journal.close()


async def test_a_failing_load_exits_with_its_message(advisor_env) -> None:
    def loader() -> tuple[Any, Any]:
        raise StorageError("cannot use data directory /nowhere (ADVISOR_HOME): Permission denied")

    app = AdvisorApp(None, loader=loader, auto_index=False)
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

    from advisor.tui.app import load_from_environment

    app = AdvisorApp(None, loader=load_from_environment, auto_index=False)
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.pause(0.3)
        text = re.sub(r"<[^>]+>", "", app.export_screenshot()).replace("&#160;", " ")
        assert "No beliefs yet: they are added before a conversation." in text
    app.journal.close()

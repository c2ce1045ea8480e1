"""Issue 13 in the terminal UI (App.run_test + Pilot): the search screen from Home and the
palette, Enter opening each kind of result; due beliefs on Home resolved from one key and the
resolve dialog's Record; the chat input's history; the calibration chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fakes import make_app
from support import seed_journal
from test_tui_flows import settle, type_text
from textual.widgets import OptionList

from advisor.session.store import SessionStore
from advisor.tui.widgets.chat_input import ChatInput

pytestmark = pytest.mark.usefixtures("advisor_env")


async def _search(app: Any, pilot: Any, words: str) -> list[Any]:
    await type_text(pilot, words)
    await pilot.press("enter")
    await settle(app, pilot)
    return app.screen.results


async def test_search_from_home_finds_each_kind_and_enter_opens_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed_journal(app.journal)
    sessions = SessionStore(app.journal)
    s = sessions.create("lab or PhD", "explore")
    sessions.add_turn(s.id, "explore", "user", "Is mentorship at labs real?")
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await pilot.pause()
        assert type(app.screen).__name__ == "SearchScreen"
        results = await _search(app, pilot, "mentorship")
        assert {r.target for r in results} == {"entry:1", f"session:{s.id}"}
        lst = app.screen.query_one("#history-results", OptionList)
        assert app.focused is lst and "mentorship" in str(lst.get_option_at_index(0).prompt)
        for target, screen, check in (
            ("entry:1", "JournalScreen", lambda scr: scr.entry_id == 1),
            (f"session:{s.id}", "SessionScreen", lambda scr: scr.session is not None and scr.session.id == s.id),
        ):
            lst.highlighted = next(i for i, r in enumerate(results) if r.target == target)
            await pilot.press("enter")
            await settle(app, pilot)
            assert type(app.screen).__name__ == screen and check(app.screen)
            await pilot.press("escape")
            await settle(app, pilot)
        # a belief, and a note from the knowledge base (opened to read)
        await pilot.press("slash")
        results = await _search(app, pilot, "frontier")
        assert results[0].target == "belief:1"
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BeliefsScreen" and app.screen.belief_id == 1
        await pilot.press("escape")
        await pilot.press("slash")
        results = await _search(app, pilot, "engineers")
        assert [r.kind for r in results] == ["note"]
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "DocumentScreen"
        assert "interpretability needs more engineers" in app.screen.query_one("#document").source


async def test_search_is_in_the_palette(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        names = [name for name, _, _ in app.palette_entries()]
        assert "Search everything" in names
        dict((n, cb) for n, _, cb in app.palette_entries())["Search everything"]()
        await pilot.pause()
        assert type(app.screen).__name__ == "SearchScreen"


async def test_due_beliefs_show_on_home_and_one_key_offers_to_resolve_one(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed_journal(app.journal)
    app.journal.set_resolve_by(1, date(2020, 1, 31))
    app.journal.set_resolve_by(3, date(2021, 6, 1))
    app.journal.set_resolve_by(2, date(2999, 1, 1))  # not due
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        panel = app.screen.query_one("#home-due")
        due = app.screen.query_one("#due-list", OptionList)
        assert panel.display and due.option_count == 2
        assert "#1 Working at a frontier lab" in str(due.get_option_at_index(0).prompt)
        await pilot.press("d")
        assert app.focused is due
        await pilot.press("y")  # the resolve dialog, "came true" chosen: Record confirms it
        await settle(app, pilot)
        assert app.journal.get_belief(1).resolution is None
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert app.journal.get_belief(1).resolution == "yes"
        assert due.option_count == 1 and app.focused is due
        await pilot.press("u", "tab", "enter")
        await settle(app, pilot)
        assert app.journal.get_belief(3).resolution == "ambiguous"
        assert not panel.display and app.focused is app.screen.query_one("#action-list")
        assert app.journal.get_belief(2).resolution is None


async def test_up_and_down_bring_back_earlier_messages_also_after_resuming(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        from test_tui_flows import start_session

        await start_session(app, pilot, "PhD or lab job")
        box = app.screen.query_one("#chat-input", ChatInput)
        for text in ("Deciding by June", "Money matters"):
            await type_text(pilot, text)
            await pilot.press("enter")
            await settle(app, pilot)
        await type_text(pilot, "half typed")
        await pilot.press("up")
        assert box.text == "Money matters"
        await pilot.press("up")
        assert box.text == "Deciding by June"
        await pilot.press("up")
        assert box.text == "Deciding by June"  # the oldest stays
        await pilot.press("down", "down")
        assert box.text == "half typed"  # what was being typed comes back
        box.text = "line one\nline two"
        box.move_cursor((1, 3))
        await pilot.press("up")  # inside a multi-line message, up moves the cursor
        assert box.text == "line one\nline two" and box.cursor_location[0] == 0
        session_id = app.screen.session.id
        box.text = ""
        await pilot.press("escape")
        await settle(app, pilot)
        app.open_screen("session", resume_id=session_id)
        await settle(app, pilot)
        box = app.screen.query_one("#chat-input", ChatInput)
        box.focus()
        await pilot.press("up")
        assert box.text == "Money matters"


async def test_the_calibration_tab_draws_the_chart_beside_the_table(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed_journal(app.journal)
    app.journal.resolve_belief(1, "no")
    app.journal.resolve_belief(2, "yes")
    async with app.run_test(size=(110, 32)) as pilot:
        await settle(app, pilot)
        app.open_screen("beliefs")
        await settle(app, pilot)
        await pilot.click("#--content-tab-calibration")
        await settle(app, pilot)
        screen = app.export_screenshot().replace("&#160;", " ")
        assert "Brier score" in screen and "came true % against said %" in screen
        assert screen.count("●") == 3  # the two resolved beliefs' bins, and the caption's
        assert not app.screen.query_one("#calibration-body").has_class("-narrow")

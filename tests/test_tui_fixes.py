"""What a new user tripped on in the terminal UI (issue 15), each as a flow through the real app.

Keys are pressed with Pilot; what is on screen is read from the widgets or from a screenshot's
text. Layout at 80×24 is also pinned by the snapshots in test_tui_snapshots.py.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeKB, make_app
from support import make_settings, seed_journal, shown_text
from textual import events
from textual.widgets import Button, DataTable, Input, Static, TextArea

pytestmark = pytest.mark.usefixtures("advisor_env")


async def settle(app: Any, pilot: Any, seconds: float = 60) -> None:
    import asyncio

    await pilot.pause()
    await asyncio.wait_for(app.workers.wait_for_complete(), seconds)
    await pilot.pause()


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])


def screen_text(app: Any) -> str:
    """What the terminal shows, as text (the screenshot's SVG without its markup)."""
    svg = app.export_screenshot()
    lines = re.findall(r'<text class="[^"]*" x="[^"]*" y="([^"]*)"[^>]*>(.*?)</text>', svg)
    rows: dict[float, str] = {}
    for y, text in lines:
        rows[float(y)] = rows.get(float(y), "") + re.sub(r"<[^>]+>", "", text)
    text = "\n".join(rows[y] for y in sorted(rows))
    return text.replace("&#160;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")


def seeded(tmp_path: Path, **kwargs: Any) -> Any:
    app = make_app(tmp_path, **kwargs)
    seed_journal(app.journal)
    return app


# ---------------------------------------------------------------- 1. the calibration tab

@asynccontextmanager
async def on_the_beliefs_screen(tmp_path: Path) -> AsyncIterator[tuple[Any, Any]]:
    """The seeded journal's Beliefs screen at 80×24, opened from Home with b."""
    app = seeded(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await settle(app, pilot)
        yield app, pilot


async def test_c_opens_the_calibration_tab_and_b_comes_back(tmp_path: Path) -> None:
    async with on_the_beliefs_screen(tmp_path) as (app, pilot):
        tabs = app.screen.query_one("#belief-tabs")
        assert tabs.active == "beliefs"
        await pilot.press("c")
        await pilot.pause()
        assert tabs.active == "calibration" and app.focused.id == "calibration-table"
        assert "Calibration over resolved beliefs" in screen_text(app)
        await pilot.press("b")
        await pilot.pause()
        assert tabs.active == "beliefs" and app.focused.id == "belief-table"


async def run_palette_entry(app: Any, pilot: Any, text: str) -> None:
    """ctrl+p, type `text`, enter: the first palette entry that matches it."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await type_text(pilot, text)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_the_palette_opens_the_calibration_tab(tmp_path: Path) -> None:
    app = seeded(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await run_palette_entry(app, pilot, "Calibration")
        assert app.screen.query_one("#belief-tabs").active == "calibration"
        # and from the Beliefs screen itself, its own palette entry
        await pilot.press("b")
        await pilot.pause()
        assert app.screen.query_one("#belief-tabs").active == "beliefs"
        await run_palette_entry(app, pilot, "Beliefs: calibration table")
        assert app.screen.query_one("#belief-tabs").active == "calibration"


# ---------------------------------------------------------------- 2. typed text is not lost

async def test_letters_typed_on_an_add_note_button_do_not_leave_the_form(tmp_path: Path) -> None:
    kb = FakeKB()
    app = make_app(tmp_path, kb=kb)
    reindexed: list[bool] = []
    kb.reindex = lambda full=False, progress=None: reindexed.append(True)  # type: ignore[method-assign]
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        app.screen.query_one("#add-typed", Button).focus()
        await pilot.pause()
        await type_text(pilot, "/home/me/notes/interp.md i a")
        await settle(app, pilot)
        assert app.screen.query_one("#kb-tabs").active == "add"
        assert type(app.screen).__name__ == "KnowledgeScreen" and not reindexed
        # and the letters are not dropped: they go on in the note being typed
        assert app.screen.query_one("#note-body", TextArea).text == "/home/me/notes/interp.md i a"


async def test_text_typed_after_tab_from_the_note_goes_on_in_the_note(tmp_path: Path) -> None:
    """Tab from the note's text moves to its button; what is typed next is kept, in the field typed
    in last (the note here), and ctrl+s adds the note with all of it."""
    kb = FakeKB()
    app = make_app(tmp_path, kb=kb)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await type_text(pilot, "Office hours")
        await pilot.press("tab")
        await pilot.pause()
        assert isinstance(app.focused, Button)
        await type_text(pilot, " with Dana")
        await pilot.pause()
        assert app.focused.id == "note-body"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert kb.added_text == [("Office hours with Dana", None)]


async def test_text_typed_right_after_tab_lands_in_the_next_field(tmp_path: Path) -> None:
    """Keys that arrive together (fast typing, a busy machine): what follows a tab goes to the field
    the tab moved to, not to the one it left."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        assert app.focused.id == "pre-about"
        burst = [*"lab", "tab", *"priya", "tab", "tab", *"call", "shift+tab", "shift+tab", *"x"]
        for key in burst:  # all in the app's queue before any is handled, as when they come in one read
            app.post_message(events.Key(key, key if len(key) == 1 else None))
        await settle(app, pilot)
        fields = {f: app.screen.query_one(f"#pre-{f}", Input).value for f in ("about", "with", "when", "medium")}
        assert fields == {"about": "lab", "with": "priyax", "when": "", "medium": "call"}


def burst(app: Any, *keys: str) -> None:
    """Keys that come in one read of the terminal (a fast typist, a paste, tmux send-keys): every one
    is in the app's queue before the first is handled (Pilot's press waits for idle between keys).
    Each argument is a key's name ("enter") or text typed character by character."""
    names = {" ": "space", "/": "slash"}
    for key in keys:
        if key in ("enter", "tab", "shift+tab", "escape"):
            app.post_message(events.Key(key, None))
            continue
        for char in key:
            app.post_message(events.Key(names.get(char, char), char))


async def test_a_belief_typed_in_one_burst_lands_field_by_field(tmp_path: Path) -> None:
    """Enter moves on to the next field; what is typed right behind it goes there, not to the field
    Enter left (the focus used to move only after the keys already queued had gone to the old one)."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        await settle(app, pilot)
        burst(app, "talk with Neel", "enter", "enter", "enter", "enter",
              "Evals work is underrated", "enter", "55", "enter", "few people do it")
        await settle(app, pilot)
        about = app.screen.query_one("#pre-about", Input).value
        form = {f: app.screen.query_one(f"#bf-{f}", Input).value for f in ("statement", "credence", "reason")}
        assert about == "talk with Neel"
        assert form == {"statement": "Evals work is underrated", "credence": "55", "reason": "few people do it"}


@pytest.mark.parametrize(("opening_key", "field_id", "screen_name"), [
    ("j", "pre-about", "PersonPreScreen"),      # a form
    ("/", "history-query", "SearchScreen"),     # search
    ("s", "topic", "TopicModal"),               # a dialog
])
async def test_text_typed_while_a_screen_opens_is_kept(tmp_path: Path, opening_key: str, field_id: str,
                                                      screen_name: str) -> None:
    """The key that opens a screen and the text behind it in one burst: the text goes into the field
    the screen focuses, none of it lost while the screen was still being built."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        burst(app, opening_key, "mech interp")
        await settle(app, pilot)
        assert type(app.screen).__name__ == screen_name
        assert app.screen.query_one(f"#{field_id}", Input).value == "mech interp"


async def test_text_typed_while_a_slow_screen_opens_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a busy machine building a screen can hold the app for over a second: the keys typed behind
    the one that opened it still wait for it (the time the app was blocked does not count as waiting)."""
    import time

    from advisor.tui.screens.person import PersonPreScreen

    built = PersonPreScreen.compose

    def slow_compose(self: Any) -> Any:
        time.sleep(1.5)
        return built(self)

    monkeypatch.setattr(PersonPreScreen, "compose", slow_compose)
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        burst(app, "j", "mech interp")
        await settle(app, pilot)
        assert app.screen.query_one("#pre-about", Input).value == "mech interp"


async def test_enter_in_credence_keeps_the_reason_already_written(tmp_path: Path) -> None:
    """Focusing a field puts the cursor after its text: typing adds to the reason, never replaces it."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        app.screen.query_one("#bf-statement", Input).focus()
        await type_text(pilot, "Evals work is underrated")
        await pilot.press("enter")
        await type_text(pilot, "70")
        await pilot.press("tab")
        await type_text(pilot, "few people do it")
        await pilot.press("shift+tab")
        await pilot.press("enter")  # from Credence to Reason
        assert app.focused.id == "bf-reason"
        await type_text(pilot, " well")
        assert app.screen.query_one("#bf-reason", Input).value == "few people do it well"


# ---------------------------------------------------------------- 3. 80×24

async def test_at_80_columns_statements_have_room_and_every_home_key_shows(tmp_path: Path) -> None:
    app = seeded(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        text = screen_text(app)
        assert "advisor · choosing a research direction in AI & AI safety" in text  # the title is whole
        for key in ("s Session", "j Talk", "a Add note", "l Entries", "b Beliefs", "k Knowledge",
                    ", Settings", "t Theme", "q Quit", "? Help"):
            assert key in text, key
        assert "I would learn faster at a lab than in a PhD" in text
        await pilot.press("b")
        await settle(app, pilot)
        text = screen_text(app)
        for statement in ("I would learn faster at a lab than in a PhD",
                          "Working at a frontier lab speeds up capabilities"):
            assert statement in text, statement
        table = app.screen.query_one("#belief-table", DataTable)
        assert table.columns["statement"].width >= 40


async def test_an_empty_sources_panel_takes_no_room_and_the_guide_note_is_short(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_screen("session", topic="PhD or lab")
        await settle(app, pilot)
        sources = app.screen.query_one("#sources")
        assert not sources.display or sources.region.width == 0
        assert app.screen.query_one("#log").region.width >= 78
        notice = next(m for m in app.screen.query(".msg") if m.role == "notice")
        assert notice.region.height <= 2
        assert "ctrl+p" in notice.text and "advisor config" not in notice.text


# ---------------------------------------------------------------- 4. Home's note count

async def test_home_counts_a_note_added_on_the_knowledge_screen(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        assert "0 note(s)" in str(app.screen.query_one("#kb-status", Static).render())
        await pilot.press("a")
        await settle(app, pilot)
        await type_text(pilot, "Office hours: interp needs engineers")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert "1 note(s)" in str(app.screen.query_one("#kb-status", Static).render())


# ---------------------------------------------------------------- 5. one key per action in the bar

async def test_the_key_bar_names_quit_once_and_lists_entries_and_theme(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        bar = screen_text(app).splitlines()[-2:]  # the bottom lines: the keys
        assert " ".join(bar).count("Quit") == 1, bar
        assert "l Entries" in " ".join(bar) and "t Theme" in " ".join(bar), bar


# ---------------------------------------------------------------- 6. keys here, not CLI commands

async def test_the_journal_pane_points_to_the_key_not_the_cli(tmp_path: Path) -> None:
    app = seeded(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        app.open_screen("journal", entry_id=2)
        await settle(app, pilot)
        text = screen_text(app)
        assert "p: re-rate these beliefs now" in text
        assert "advisor journal" not in text


# ---------------------------------------------------------------- 7. old credences stay hidden

async def test_an_entry_to_re_rate_shows_its_beliefs_without_their_credences(tmp_path: Path) -> None:
    app = seeded(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        app.open_screen("journal", entry_id=2)  # pre: 65% and 40%, no post yet
        await settle(app, pilot)
        text = screen_text(app)
        assert "#3 Interpretability will" in text and "#2 I would learn faster" in text
        assert "65%" not in text and "40%" not in text
        app.screen.query_one("#entry-list").highlighted = 1  # the completed entry shows its diff
        await pilot.pause()
        assert "60% → 75%" in screen_text(app)


# ---------------------------------------------------------------- 8. the theme is kept

async def test_the_theme_chosen_with_t_is_the_theme_of_the_next_launch(tmp_path: Path, advisor_env: dict) -> None:
    from advisor.settings import load_settings

    app = make_app(tmp_path, settings=make_settings(tmp_path / "home", ui=load_settings().ui.model_dump()))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.current_theme.dark
        await pilot.press("t")
        await settle(app, pilot)
    assert tomllib.loads(Path(advisor_env["ADVISOR_CONFIG"]).read_text())["ui"]["theme"] == "textual-light"
    app.journal.close()
    again = make_app(tmp_path, settings=make_settings(tmp_path / "home", ui=load_settings().ui.model_dump()))
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(again, pilot)
        assert not again.current_theme.dark


# ---------------------------------------------------------------- 9. lines and columns kept

async def test_a_multi_line_message_keeps_its_lines(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        app.open_screen("session", topic="Which subfield")
        await settle(app, pilot)
        await type_text(pilot, "first thought")
        await pilot.press("ctrl+j")
        await type_text(pilot, "second thought")
        await pilot.press("enter")
        await settle(app, pilot)
        text = screen_text(app)
        assert re.search(r"first thought\s*\n\s*second thought", text), text


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=["80x24", "120x36"])
async def test_the_summary_headings_start_at_the_left_margin(tmp_path: Path, size: tuple[int, int]) -> None:
    """Each section of the summary ("Cruxes:", "Next actions…") starts where "What moved:" does, not
    inside the list item before it (Markdown took a line right after a list item as its continuation)."""
    from test_tui_snapshots import _session_to
    from textual.widgets import Markdown

    app = make_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await _session_to(pilot, 4, topic="Lab or PhD")  # Before (one belief at 60%), then on to After
        await pilot.press("4", "5", "enter")
        await type_text(pilot, "PhD students publish too")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+n")  # Summary
        await settle(app, pilot)
        summary = next(md for md in app.screen.query(Markdown) if "Cruxes:" in md.source)
        starts = {(p.source or "").split("\n")[0].strip(): p.region.x - summary.content_region.x
                  for p in summary.query("MarkdownParagraph")}
        headings = {k: x for k, x in starts.items()
                    if k.startswith(("What moved:", "Cruxes:", "Next actions", "Built from your journal"))}
        assert len(headings) == 4, starts
        assert set(headings.values()) == {0}, headings


def test_a_wrapped_diff_row_continues_under_its_statement() -> None:
    from rich.console import Console
    from support import FIXED

    from advisor.journal.models import DiffRow, Entry, EntryDiff
    from advisor.tui.widgets.diff_view import diff_view

    entry = Entry(id=1, kind="person", about="Coffee", created_at=FIXED, post_status="complete")
    long = "Working at a frontier lab speeds up capabilities more than it helps safety work overall"
    diff = EntryDiff(entry=entry, moved=[DiffRow(belief_id=1, statement=long, before=70, after=55,
                                                 reason="Sam's team does mostly evals")])
    console = Console(width=60, record=True, color_system=None)
    console.print(diff_view(diff))
    lines = console.export_text().splitlines()
    first = next(i for i, line in enumerate(lines) if "#1 Working" in line)
    column = lines[first].index("#1")
    for line in lines[first + 1:first + 3]:
        assert line[:column].strip() == "" and line[column:].strip(), lines


async def test_tab_to_the_recent_list_then_enter_opens_the_newest(tmp_path: Path) -> None:
    """By keys alone: the recent list has its first item highlighted, so enter opens it."""
    app = seeded(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused.id == "recent-list"
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "PersonPostScreen" and app.screen.entry_id == 2


# ---------------------------------------------------------------- stray keys never resolve a belief

def bar_keys(app: Any) -> list[str]:
    from advisor.tui.widgets.key_bar import shown_keys

    return [k.key for k in shown_keys(app.screen)]


async def test_stray_r_then_y_on_the_beliefs_screen_resolves_nothing(tmp_path: Path) -> None:
    """A resolution is what calibration scores: r opens the dialog, and no letter records anything."""
    async with on_the_beliefs_screen(tmp_path) as (app, pilot):
        await pilot.press("r", "y", "n", "a")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "ResolveModal"
        assert app.screen.query_one("#record", Button).disabled  # nothing chosen yet
        await pilot.press("escape")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "BeliefsScreen"
        assert [app.journal.get_belief(i).resolution for i in (1, 2, 3)] == [None, None, None]


async def test_a_resolution_is_chosen_then_recorded_and_u_undoes_it(tmp_path: Path) -> None:
    async with on_the_beliefs_screen(tmp_path) as (app, pilot):
        assert "u" not in bar_keys(app)  # nothing to undo yet
        await pilot.press("r", "down", "enter")  # choose "did not come true"
        await settle(app, pilot)
        record = app.screen.query_one("#record", Button)
        assert not record.disabled and "did not come true" in str(record.label)
        assert app.journal.get_belief(1).resolution is None  # chosen, not recorded
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert app.journal.get_belief(1).resolution == "no"
        calibration = app.screen.query_one("#calibration-text", Static)
        assert "Brier score: 0.303" in shown_text(calibration)  # last credence 55% on a no: .55^2 = 0.3025
        assert "u" in bar_keys(app)
        await pilot.press("u")
        await settle(app, pilot)
        assert app.journal.get_belief(1).resolution is None and app.journal.get_belief(1).resolved_at is None
        assert "No resolved yes/no beliefs yet" in shown_text(calibration)

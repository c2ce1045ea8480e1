"""What a user trying the app from a fresh install tripped on (session 4's trial), each as a flow
through the real app at 80×24: keys pressed with Pilot, what is on screen read from a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakes import make_app
from support import shown_text
from test_tui_fixes import screen_text, settle, type_text
from textual.widgets import Input, Static

pytestmark = pytest.mark.usefixtures("advisor_env")

LONG_BELIEFS = [
    {"statement": "Working on a big-lab safety team is my highest-impact option", "credence": 35,
     "reason": "that is where substantive safety progress seems to happen"},
    {"statement": "Evals work would use my quant skills better than interp research", "credence": 55,
     "reason": "red teaming rewards competitive, adversarial thinking"},
    {"statement": "AI safety is mostly many moderately hard problems rather than one very hard one",
     "credence": 40, "reason": "labs ship alignment fixes iteratively"},
]


async def open_the_post(app: Any, pilot: Any) -> None:
    """From Home: the journal (l), then the re-rating of its entry (p)."""
    await settle(app, pilot)
    for key in ("l", "p"):
        await pilot.press(key)
        await pilot.pause()


async def test_after_rerating_all_the_new_belief_form_is_on_screen(tmp_path: Path) -> None:
    """Once every belief is re-rated, 'Add it' must show a form: the statement typed is seen where
    it is typed, not hidden under the revealed credences (it used to be squeezed to one row)."""
    app = make_app(tmp_path)
    entry = app.journal.create_pre_entry("coffee with an evals lead", LONG_BELIEFS, with_whom="Maya")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_the_post(app, pilot)
        for credence in ("55", "60", "45"):
            await pilot.press(*credence, "enter")
            await type_text(pilot, "she said so over coffee and it was convincing")
            await pilot.press("enter")
            await pilot.pause()
        shown = screen_text(app)
        assert "All re-rated" in shown
        log = app.screen.query_one("#post-log", Static)
        revealed = shown_text(log, width=log.size.width).splitlines()[1:]  # a long statement wraps under itself
        assert len(revealed) > 3 and all(line.startswith("  ") for line in revealed if line.strip())
        await type_text(pilot, "Coworkers matter more than topic")
        await pilot.pause()
        shown = screen_text(app)
        assert "Coworkers matter more than topic" in shown
        assert "Add new belief" in shown
        await pilot.press("enter", "7", "0", "enter")
        await type_text(pilot, "her team")
        await pilot.press("enter")
        await pilot.pause()
        new = [b.statement for b in app.journal.all_beliefs()]
        assert "Coworkers matter more than topic" in new
        assert app.journal.get_entry(entry.id).id == entry.id


async def test_a_credence_out_of_range_is_refused_at_once_and_replaced_by_what_is_typed_next(
        tmp_path: Path) -> None:
    """140 is refused when Enter leaves the field, not after the reason: the field keeps focus with
    140 selected and says why, so typing 35 gives 35 (it gave 14035)."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        await type_text(pilot, "coffee with Maya")
        await pilot.press("enter", "enter", "enter", "enter")
        await type_text(pilot, "A lab role is my best option")
        await pilot.press("enter", "1", "4", "0", "enter")
        await pilot.pause()
        assert "140 is not a credence: give 0 to 100." in screen_text(app)
        await pilot.press("3", "5")
        assert app.screen.query_one("#bf-credence", Input).value == "35"
        await pilot.press("enter")
        await type_text(pilot, "coworkers")
        await pilot.press("enter")
        await pilot.pause()
        entry = app.journal.list_entries()[-1]
        [belief] = app.journal.pre_beliefs(entry.id)
        assert (belief.credence, belief.reason) == (35, "coworkers")


async def test_a_rerating_out_of_range_is_replaced_by_what_is_typed_next(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    entry = app.journal.create_pre_entry("coffee", LONG_BELIEFS[:1])
    async with app.run_test(size=(80, 24)) as pilot:
        await open_the_post(app, pilot)
        await pilot.press("2", "0", "0", "enter")
        await pilot.pause()
        assert "200 is not a credence: give 0 to 100 (or Drop / Skip)." in screen_text(app)
        await pilot.press("6", "0")
        assert app.screen.query_one("#rr-credence", Input).value == "60"
        await pilot.press("enter")
        await type_text(pilot, "she said so")
        await pilot.press("enter")
        await pilot.pause()
        [rating] = app.journal.post_ratings(entry.id).values()
        assert (rating.credence, rating.reason) == (60, "she said so")

"""What a user trying the app from a fresh install tripped on (session 4's trial), each as a flow
through the real app at 80×24: keys pressed with Pilot, what is on screen read from a screenshot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fakes import make_app
from test_tui_fixes import screen_text, settle, type_text
from textual.widgets import Input

pytestmark = pytest.mark.usefixtures("advisor_env")

LONG_BELIEFS = [
    {"statement": "Working on a big-lab safety team is my highest-impact option", "credence": 35,
     "reason": "that is where substantive safety progress seems to happen"},
    {"statement": "Evals work would use my quant skills better than interp research", "credence": 55,
     "reason": "red teaming rewards competitive, adversarial thinking"},
    {"statement": "AI safety is mostly many moderately hard problems rather than one very hard one",
     "credence": 40, "reason": "labs ship alignment fixes iteratively"},
]


async def test_after_rerating_all_the_new_belief_form_is_on_screen(tmp_path: Path) -> None:
    """Once every belief is re-rated, 'Add it' must show a form: the statement typed is seen where
    it is typed, not hidden under the revealed credences (it used to be squeezed to one row)."""
    app = make_app(tmp_path)
    entry = app.journal.create_pre_entry("coffee with an evals lead", LONG_BELIEFS, with_whom="Maya")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await pilot.pause()
        await pilot.press("p")
        await pilot.pause()
        for credence in ("55", "60", "45"):
            await pilot.press(*credence, "enter")
            await type_text(pilot, "she said so over coffee and it was convincing")
            await pilot.press("enter")
            await pilot.pause()
        assert "All re-rated" in screen_text(app)
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

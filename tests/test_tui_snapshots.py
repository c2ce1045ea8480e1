"""Snapshots of every screen at 120×36 and at 80×24 (fixed data: no clock, no 'now').

Text cursors are stopped blinking (shown steadily) before each screenshot, so a snapshot never
depends on when in the blink it was taken. The packages that draw them are pinned in
tests/constraints.txt.

Update after an intended visual change: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fakes import make_app
from support import seed_journal

pytestmark = pytest.mark.usefixtures("advisor_env")

SIZES = [pytest.param((120, 36), id="120x36"), pytest.param((80, 24), id="80x24")]
RunBefore = Callable[[Any], Awaitable[None] | None]


async def _steady_layout(pilot: Any, rounds: int = 40) -> None:
    """Wait until no scrollable region on screen changes its size, content size or offset between
    two pauses: a screenshot shows where the layout ends, not a frame before Markdown finished
    growing a message (the After form's scrollbar was caught both ways now and then)."""
    def shape() -> list[tuple[Any, ...]]:
        return [(w.size, w.virtual_size, w.scroll_offset, *_bars(w)) for w in pilot.app.screen.query("*")
                if w.is_scrollable]

    def _bars(w: Any) -> tuple[Any, ...]:  # what a scrollbar draws its thumb from (it may lag a frame)
        if not w.show_vertical_scrollbar:  # (reading the bar would create one)
            return ()
        bar = w.vertical_scrollbar
        return (bar.window_virtual_size, bar.window_size, bar.position)

    last = None
    for _ in range(rounds):
        await pilot.pause()
        now = shape()
        if now == last:
            break
        last = now
    # a scrollbar can keep a thumb drawn for the previous content size (its values are current,
    # its cached rendering is not): draw each again from where the layout ended
    for w in pilot.app.screen.query("*"):
        if w.is_scrollable and w.show_vertical_scrollbar:
            w.vertical_scrollbar.refresh()
    await pilot.pause()


async def _steady_cursors(pilot: Any) -> None:
    """Every Input and TextArea on every open screen shows its cursor without blinking.

    A TextArea keys its cached lines without telling "blinking, cursor hidden" from "not
    blinking", so a line cached mid-blink would still lack its cursor: the caches are dropped.
    """
    for screen in pilot.app.screen_stack:
        for widget in screen.query("Input, TextArea"):
            widget.cursor_blink = False
            widget.notify_style_update()  # Textual's hook for "drop cached rendering"
            widget.refresh()
    await pilot.pause()


@pytest.fixture
def snap(snap_compare: Any) -> Callable[..., bool]:
    """snap_compare, with the steps of `run_before` followed by `_steady_cursors`."""

    def compare(app: Any, size: tuple[int, int], run_before: RunBefore | None = None) -> bool:
        # no animation: a form scrolled to its focused field shows where the scroll ends, not
        # wherever an animated scroll had got to when the screenshot was taken
        app.animation_level = "none"

        async def run(pilot: Any) -> None:
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            await _steady_layout(pilot)
            await _steady_cursors(pilot)

        return snap_compare(app, terminal_size=size, run_before=run)

    return compare


async def _settle(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def _typed(pilot: Any, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])


def _seeded(tmp_path: Path) -> Any:
    app = make_app(tmp_path)
    seed_journal(app.journal)
    return app


async def _open(pilot: Any, name: str, **kwargs: Any) -> None:
    await _settle(pilot)
    pilot.app.open_screen(name, **kwargs)
    await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_home(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap(_seeded(tmp_path), size, _settle)


async def _session_to(pilot: Any, stage_presses: int, topic: str = "PhD in interpretability or a lab safety team",
                      statement: str = "A lab teaches faster than a PhD") -> None:
    """A guide-mode session with one Before belief, moved `stage_presses` stages on from Frame."""
    await _settle(pilot)
    pilot.app.open_screen("session", topic=topic)
    await _settle(pilot)
    await pilot.press("ctrl+n")
    await _settle(pilot)
    await _typed(pilot, statement)
    await pilot.press("enter", "6", "0", "enter")
    await _typed(pilot, "better mentors")
    await pilot.press("enter")
    await _settle(pilot)
    for _ in range(stage_presses - 1):
        await pilot.press("ctrl+n")
        await _settle(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_session_explore(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _session_to(pilot, 2)
        await _typed(pilot, "What do safety teams at labs do?")
        await pilot.press("enter")
        await _settle(pilot)

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_session_explore_with_sources(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """ctrl+o opens the sources panel at any width (it starts closed below 100 columns)."""
    async def run(pilot: Any) -> None:
        await _session_to(pilot, 2)
        await _typed(pilot, "What do safety teams at labs do?")
        await pilot.press("enter")
        await _settle(pilot)
        if pilot.app.size.width < 100:
            await pilot.press("ctrl+o")
            await pilot.pause()

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_session_before_form(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        pilot.app.open_screen("session", topic="Governance or technical work")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        await _settle(pilot)
        await _typed(pilot, "Policy work needs ML literacy")

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_session_after_hides_the_old_credence(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap(_seeded(tmp_path), size, lambda pilot: _session_to(pilot, 4))


@pytest.mark.parametrize("size", SIZES)
def test_session_summary(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The summary's diff: a long statement wraps under itself, not at column 1."""
    async def run(pilot: Any) -> None:
        await _session_to(pilot, 4, topic="Lab or PhD",
                          statement="Working at a frontier lab teaches more about research than a PhD in three years")
        await pilot.press("4", "5", "enter")
        await _typed(pilot, "PhD students publish too")
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        await _settle(pilot)

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_journal(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _open(pilot, "journal")
        await pilot.press("down")
        await pilot.pause()

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_person_post_hides_old_credence(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap(_seeded(tmp_path), size, lambda pilot: _open(pilot, "person_post", entry_id=2))


@pytest.mark.parametrize("size", SIZES)
def test_person_pre_form(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap(_seeded(tmp_path), size, lambda pilot: _open(pilot, "person_pre"))


@pytest.mark.parametrize("size", SIZES)
def test_beliefs(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap(_seeded(tmp_path), size, lambda pilot: _open(pilot, "beliefs", belief_id=2))


@pytest.mark.parametrize("size", SIZES)
def test_beliefs_calibration_tab(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """c opens the calibration tab (after resolving a belief: r, "came true", Record)."""
    async def run(pilot: Any) -> None:
        await _open(pilot, "beliefs", belief_id=1)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter", "tab", "enter")
        await _settle(pilot)
        pilot.app.clear_notifications()  # "Belief #1 resolved" would be gone or not by its timeout
        await pilot.press("c")
        await pilot.pause()

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("tab", ["notes", "add", "search", "cards", "subfields"])
def test_knowledge(snap: Any, tmp_path: Path, size: tuple[int, int], tab: str) -> None:
    async def run(pilot: Any) -> None:
        await _open(pilot, "knowledge", tab=tab)
        if tab == "search":
            await _typed(pilot, "safety teams")
            await pilot.press("enter")
            await _settle(pilot)

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_resolve_dialog(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """The outcome chosen (did not come true), not yet recorded: Record names it."""
    async def run(pilot: Any) -> None:
        await _open(pilot, "beliefs")
        await pilot.press("r")
        await _settle(pilot)
        await pilot.press("down", "enter")
        await _settle(pilot)

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_new_session_dialog(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        await _typed(pilot, "Evals or interpretability")

    assert snap(_seeded(tmp_path), size, run)


@pytest.mark.parametrize("size", SIZES)
def test_settings(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap(_seeded(tmp_path), size, lambda pilot: _open(pilot, "settings"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """? on Home: Home's keys first, then how advisor works."""
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap(_seeded(tmp_path), size, run)


def test_home_light_theme(snap: Any, tmp_path: Path) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("t")
        await pilot.pause()

    assert snap(_seeded(tmp_path), (80, 24), run)


@pytest.mark.parametrize("size", SIZES)
def test_search(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap(_seeded(tmp_path), size, lambda pilot: _open(pilot, "search", query="lab"))


@pytest.mark.parametrize("size", SIZES)
def test_home_with_due_beliefs(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = _seeded(tmp_path)
    app.today = lambda: date(2026, 1, 15)
    app.journal.set_resolve_by(1, date(2025, 12, 31))
    app.journal.set_resolve_by(3, date(2026, 1, 15))
    assert snap(app, size, _settle)


@pytest.mark.parametrize("size", SIZES)
def test_beliefs_calibration(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    app = _seeded(tmp_path)
    for belief_id, outcome in ((1, "no"), (2, "yes"), (3, "yes")):
        app.journal.resolve_belief(belief_id, outcome)

    async def run(pilot: Any) -> None:
        await _open(pilot, "beliefs")
        await pilot.click("#--content-tab-calibration")
        await _settle(pilot)

    assert snap(app, size, run)


@pytest.mark.parametrize("size", SIZES)
def test_document(snap: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    """A note opened from the search screen, in the reader."""
    assert snap(_seeded(tmp_path), size, lambda pilot: _open(pilot, "document", target="note:abcd1234"))

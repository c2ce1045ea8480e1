"""The terminal UI over the real knowledge base (Chroma, SQLite FTS5, the ONNX MiniLM embedder) and
a real guide-mode session: a note typed on the Add note tab is found by Search and cited in a
session's Explore stage. Keys only, as a user would."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from support import make_settings
from textual.widgets import OptionList, Static

pytestmark = pytest.mark.usefixtures("advisor_env")

NOTE = ("Talked to Dana about the evals team at her lab: they hire research engineers who build "
        "benchmarks and red-teaming harnesses, and a published benchmark counts for more than a PhD.")


async def settle(app: Any, pilot: Any, seconds: float = 180) -> None:
    await pilot.pause()
    await asyncio.wait_for(app.workers.wait_for_complete(), seconds)
    await pilot.pause()


async def status_line(app: Any, pilot: Any, want: str, seconds: float = 180) -> str:
    """Home's knowledge status line once it shows `want` (or after `seconds`): indexing runs in a
    worker process and a timer copies its counts to the line, so the line follows it a tick later."""
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        text = str(app.screen.query_one("#kb-status", Static).render())
        if want in text or asyncio.get_running_loop().time() > deadline:
            return text
        await pilot.pause(0.1)


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])


def real_app(tmp_path: Path, cards: Path, embedder: Any) -> Any:
    from advisor.knowledge import KnowledgeBase
    from advisor.tui.launch import build_app

    settings = make_settings(tmp_path / "home", cards=cards)
    return build_app(settings, knowledge_factory=lambda s: KnowledgeBase(s, embedder=embedder))


async def test_a_typed_note_is_found_by_search_and_cited_in_a_session(tmp_path: Path, kb_cards_dir: Path,
                                                                      kb_embedder: Any) -> None:
    app = real_app(tmp_path, kb_cards_dir, kb_embedder)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)  # first launch: the curated cards are indexed in the background
        want = "3 curated cards · 0 note(s) · all indexed"
        assert want in await status_line(app, pilot, want)

        await pilot.press("a")  # Home → Add note
        await settle(app, pilot)
        await type_text(pilot, NOTE)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        added = str(app.screen.query_one("#add-result", Static).render())
        assert added.startswith("Added note "), added

        await pilot.press("escape", "k")  # Home → Knowledge, then / → Search
        await settle(app, pilot)
        await pilot.press("slash")
        await settle(app, pilot)
        await type_text(pilot, "what do lab evals teams hire for")
        await pilot.press("enter")
        await settle(app, pilot)
        results = app.screen.query_one("#search-results", OptionList)
        first = str(results.get_option_at_index(0).prompt)
        assert "own note" in first and "Talked to Dana" in first, first
        assert "red-teaming harnesses" in str(app.screen.query_one("#search-text", Static).render())

        await pilot.press("escape")  # Home: the note is counted
        await settle(app, pilot)
        assert "1 note(s)" in str(app.screen.query_one("#kb-status", Static).render())

        await pilot.press("s")  # a session, in guide mode: Frame → Before → Explore
        await pilot.pause()
        await type_text(pilot, "Evals team at a lab or a PhD")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await type_text(pilot, "A benchmark matters more than a PhD")
        await pilot.press("enter", "6", "5", "enter")
        await type_text(pilot, "Dana said so")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert app.screen.stage == "explore"
        await type_text(pilot, "Who do lab evals teams hire, and does a PhD matter?")
        await pilot.press("enter")
        await settle(app, pilot)
        reply = [m.text for m in app.screen.query(".msg") if m.role == "advisor"][-1]
        assert "Talked to Dana" in reply and "/notes/" in reply, reply  # quoted, and its source is the note's file
        cited = [c for c in app.screen.query_one("#sources").citations if c.kind == "note"]
        assert cited and cited[0].title.startswith("Talked to Dana")
        number = cited[0].n
        assert f"[{number}]" in reply
        session_id = app.screen.session.id
    from advisor.session.store import SessionStore

    stored = [t for t in SessionStore(app.journal).turns(session_id) if t.stage == "explore" and t.citations]
    assert any(c.kind == "note" and c.title.startswith("Talked to Dana") for c in stored[-1].citations)
    app.journal.close()

"""The TUI's first-launch indexing (issue 14): it runs in a worker process with its counts in
Home's status line; quitting while it runs is immediate, and the next launch resumes it."""

from __future__ import annotations

import asyncio
import random
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from support import KB_CARDS, make_settings
from textual.widgets import Static

pytestmark = pytest.mark.usefixtures("advisor_env")

WORDS = ("oversight", "probe", "circuit", "mentor", "grant", "benchmark", "policy", "reward", "feature",
         "career", "evaluation", "sandbagging", "honesty", "compute", "agenda", "ablation", "dataset")


def write_notes(notes: Path, n: int) -> None:
    """n notes of four ~150-word paragraphs (about four chunks each), different in every note."""
    rng = random.Random(14)
    notes.mkdir(parents=True)
    for i in range(n):
        paras = [" ".join(rng.choice(WORDS) for _ in range(150)) for _ in range(4)]
        (notes / f"{i:08x}-note-{i}.md").write_text(f"# Note {i}\n\n" + "\n\n".join(paras) + "\n")


def kb_line(app: Any) -> str:
    return str(app.screen.query_one("#kb-status", Static).render())


def indexed_sources(home: Path) -> int:
    db = sqlite3.connect(home / "index" / "lexical.sqlite3")
    try:
        return int(db.execute("SELECT count(*) FROM sources WHERE status = 'indexed'").fetchone()[0])
    finally:
        db.close()


async def wait_for(pilot: Any, condition: Any, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await pilot.pause(0.05)


async def test_quit_during_first_launch_indexing_is_immediate_and_the_next_launch_resumes(tmp_path: Path):
    from advisor.tui.launch import build_app

    cards = tmp_path / "cards"
    cards.mkdir()
    for name, text in KB_CARDS.items():
        (cards / name).write_text(text, encoding="utf-8")
    settings = make_settings(tmp_path / "home", cards=cards)
    write_notes(settings.notes_dir, 40)
    total = 40 + len(KB_CARDS)
    counts = re.compile(r"indexing · (\d+)/(\d+) files · \d+ chunks")

    app = build_app(settings)
    async with app.run_test() as pilot:
        # the same counts as the CLI, in Home's status line, while a worker process indexes
        await wait_for(pilot, lambda: (m := counts.search(kb_line(app))) and int(m.group(1)) > 0, 180)
        first = counts.search(kb_line(app))
        assert first is not None and int(first.group(2)) == total
        worker = app._index_run._proc
        assert worker is not None and worker.poll() is None
        await pilot.press("ctrl+q")
    # quitting did not wait for the indexing: the worker was stopped part-way, and goes by itself
    done_at_quit = indexed_sources(settings.home)
    assert 0 < done_at_quit < total
    await asyncio.to_thread(worker.wait, 30)

    app = build_app(settings)
    async with app.run_test() as pilot:
        await wait_for(pilot, lambda: counts.search(kb_line(app)) or "all indexed" in kb_line(app), 60)
        resumed = counts.search(kb_line(app))
        if resumed is not None:  # it picks up the files left, not all of them again
            assert int(resumed.group(2)) == total - done_at_quit
        await wait_for(pilot, lambda: "all indexed" in kb_line(app), 300)
        assert "3 curated cards · 40 note(s) · all indexed" in kb_line(app)
        await pilot.press("ctrl+q")
    assert indexed_sources(settings.home) == total


def test_the_worker_gets_the_settings_it_indexes_with_the_team_token_unmasked(tmp_path: Path):
    """The worker rebuilds the settings from what it is handed: a masked team token ('*****')
    would fail the server's check in the worker while the CLI passes it."""
    from advisor.knowledge.worker import worker_settings
    from advisor.settings import Settings

    settings = make_settings(tmp_path / "home", knowledge={"chroma_url": "http://team:8765", "chroma_token": "tok-7f3a",
                                                           "max_file_mb": 3})
    rebuilt = Settings(**worker_settings(settings))
    assert rebuilt.home == settings.home and rebuilt.knowledge.max_file_mb == 3
    assert rebuilt.knowledge.chroma_token is not None and rebuilt.knowledge.chroma_token.get_secret_value() == "tok-7f3a"
    assert Settings(**worker_settings(make_settings(tmp_path / "h2"))).knowledge.chroma_token is None

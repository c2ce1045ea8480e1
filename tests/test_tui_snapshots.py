"""Snapshots of each main screen at 100×32 and at 80×24 (fixed data: no clock, no 'now').

Update after an intended visual change: pytest tests/test_tui_snapshots.py --snapshot-update
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from test_tui_helpers import make_app, seed_journal

pytestmark = pytest.mark.usefixtures("advisor_env")

SIZES = [pytest.param((100, 32), id="100x32"), pytest.param((80, 24), id="80x24")]


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
def test_home(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_seeded(tmp_path), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_session_explore(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        pilot.app.open_screen("session", topic="PhD in interpretability or a lab safety team")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        await _settle(pilot)
        await _typed(pilot, "A lab teaches faster than a PhD")
        await pilot.press("enter", "6", "0", "enter")
        await _typed(pilot, "better mentors")
        await pilot.press("enter")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        await _settle(pilot)
        await _typed(pilot, "What do safety teams at labs do?")
        await pilot.press("enter")
        await _settle(pilot)

    assert snap_compare(_seeded(tmp_path), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_session_before_form(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        pilot.app.open_screen("session", topic="Governance or technical work")
        await _settle(pilot)
        await pilot.press("ctrl+n")
        await _settle(pilot)
        await _typed(pilot, "Policy work needs ML literacy")

    assert snap_compare(_seeded(tmp_path), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_journal(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    async def run(pilot: Any) -> None:
        await _open(pilot, "journal")
        await pilot.press("down")
        await pilot.pause()

    assert snap_compare(_seeded(tmp_path), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_person_post_hides_old_credence(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_seeded(tmp_path), terminal_size=size,
                        run_before=lambda pilot: _open(pilot, "person_post", entry_id=2))


@pytest.mark.parametrize("size", SIZES)
def test_person_pre_form(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_seeded(tmp_path), terminal_size=size, run_before=lambda pilot: _open(pilot, "person_pre"))


@pytest.mark.parametrize("size", SIZES)
def test_beliefs(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_seeded(tmp_path), terminal_size=size,
                        run_before=lambda pilot: _open(pilot, "beliefs", belief_id=2))


@pytest.mark.parametrize("size", SIZES)
def test_knowledge_notes(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_seeded(tmp_path), terminal_size=size,
                        run_before=lambda pilot: _open(pilot, "knowledge", tab="notes"))


@pytest.mark.parametrize("size", SIZES)
def test_settings(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_seeded(tmp_path), terminal_size=size, run_before=lambda pilot: _open(pilot, "settings"))


@pytest.mark.parametrize("size", SIZES)
def test_help(snap_compare: Any, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(_seeded(tmp_path), terminal_size=size, run_before=lambda pilot: _open(pilot, "help"))


def test_home_light_theme(snap_compare: Any, tmp_path: Path) -> None:
    async def run(pilot: Any) -> None:
        await _settle(pilot)
        await pilot.press("t")
        await pilot.pause()

    assert snap_compare(_seeded(tmp_path), terminal_size=(100, 32), run_before=run)

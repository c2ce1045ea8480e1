"""Keyboard-only flows through the real app (App.run_test + Pilot)."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeKB, make_app
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage
from support import seed_journal, shown_text
from textual.widgets import DataTable, Input, OptionList, Static

pytestmark = pytest.mark.usefixtures("advisor_env")


async def settle(app: Any, pilot: Any, seconds: float = 60) -> None:
    """Let workers finish; a worker that never does fails the test instead of hanging it."""
    import asyncio

    await pilot.pause()
    await asyncio.wait_for(app.workers.wait_for_complete(), seconds)
    await pilot.pause()


def messages(app: Any) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in app.screen.query(".msg")]


async def type_text(pilot: Any, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(c, c) for c in text])


async def start_session(app: Any, pilot: Any, topic: str) -> None:
    await pilot.press("s")
    await pilot.pause()
    await type_text(pilot, topic)
    await pilot.press("enter")
    await settle(app, pilot)
    assert type(app.screen).__name__ == "SessionScreen"


async def test_home_shows_data_and_every_action(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed_journal(app.journal)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        actions = app.screen.query_one("#action-list", OptionList)
        labels = [str(actions.get_option_at_index(i).prompt) for i in range(actions.option_count)]
        for needed in ("session", "Journal a conversation", "Add a note", "Beliefs", "Knowledge", "Settings", "Help"):
            assert any(needed in label for label in labels), needed
        recent = app.screen.query_one("#recent-list", OptionList)
        assert "Call with Priya" in shown_text(recent.get_option_at_index(0).prompt)  # newest first
        table = app.screen.query_one("#belief-table", DataTable)
        rows = {table.get_row_at(i)[0]: table.get_row_at(i) for i in range(table.row_count)}
        assert rows["#2"][1] == "65%" and rows["#2"][2] == "▅▇▆"  # latest credence and history
        assert "3 curated cards" in str(app.screen.query_one("#kb-status", Static).render())


async def test_full_session_in_guide_mode_with_keyboard_only(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_session(app, pilot, "PhD or lab job")
        screen = app.screen
        assert screen.stage == "frame"
        assert "guide mode" in str(screen.query_one("#model-indicator", Static).render())
        await type_text(pilot, "Deciding by June")
        await pilot.press("enter")
        await settle(app, pilot)
        assert ("user", "Deciding by June") in messages(app)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert screen.stage == "before"
        assert app.focused.id == "bf-statement"
        await type_text(pilot, "A lab teaches faster than a PhD")
        await pilot.press("enter", "6", "0", "enter")
        await type_text(pilot, "better mentors")
        await pilot.press("enter")
        await settle(app, pilot)
        entry_id = screen.session.entry_id
        assert [b.credence for b in app.journal.pre_beliefs(entry_id)] == [60]
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert screen.stage == "explore"
        await type_text(pilot, "What do safety teams at labs actually do, and what did my advisor say about interpretability?")
        await pilot.press("enter")
        await settle(app, pilot)
        sources = screen.query_one("#source-list", OptionList)  # what the answer quoted, one per part
        assert sources.option_count == 2
        assert "own note" in str(sources.get_option_at_index(1).prompt)
        assert app.fake_retriever.queries
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert screen.stage == "challenge"
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert screen.stage == "after"
        prompt = str(screen.query_one("#rr-statement", Static).render())
        assert "A lab teaches faster" in prompt and "60" not in prompt  # old credence hidden
        assert app.screen.query_one("#rr-credence", Input).value == ""
        visible = [m.text for m in app.screen.query(".msg") if m.display]
        assert not any("60%" in text for text in visible)  # not even in the Before stage's messages
        await pilot.press("4", "5", "enter")
        await type_text(pilot, "PhD students publish too")
        await pilot.press("enter")
        await settle(app, pilot)
        assert any(role == "user" and "**60%**" in text and "-15" in text for role, text in messages(app))
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert screen.stage == "summary"
        diff = app.journal.entry_diff(entry_id)
        assert [(r.before, r.after) for r in diff.moved] == [(60, 45)]
        assert any("60% → 45%" in text for _, text in messages(app))
        # stages can be revisited
        await pilot.press("ctrl+b")
        await settle(app, pilot)
        assert screen.stage == "after"


async def test_fake_model_streams_into_markdown(tmp_path: Path) -> None:
    reply = "Ask yourself **what would change your mind**. Then talk to two people on safety teams."
    chat = GenericFakeChatModel(messages=iter([reply, reply]))
    app = make_app(tmp_path, chat=chat)
    async with app.run_test(size=(100, 32)) as pilot:
        await start_session(app, pilot, "Which subfield")
        screen = app.screen
        assert "fake-model" in str(screen.query_one("#model-indicator", Static).render())
        await type_text(pilot, "I like interpretability but worry it is not useful")
        await pilot.press("enter")
        await settle(app, pilot)
        advisor = [text for role, text in messages(app) if role == "advisor"]
        # the reply asks nothing, so the protocol's question follows it; ctrl+y copies the reply
        assert advisor[-2] == reply and advisor[-1].startswith("→ ")
        await pilot.press("ctrl+y")
        assert app.clipboard == reply


class BrokenChat(GenericFakeChatModel):
    fail: bool = True

    def _stream(self, *args: Any, **kwargs: Any):  # type: ignore[override]
        if self.fail:
            raise ConnectionError("connection refused")
        yield from super()._stream(*args, **kwargs)


async def test_unreachable_model_shows_message_and_retry(tmp_path: Path) -> None:
    chat = BrokenChat(messages=iter([AIMessage("Recovered answer")]))
    app = make_app(tmp_path, chat=chat)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_session(app, pilot, "Lab or PhD")
        await type_text(pilot, "hello there")
        await pilot.press("enter")
        await settle(app, pilot)
        errors = [text for role, text in messages(app) if role == "error"]
        assert errors and "cannot reach" in errors[-1] and "ctrl+r" in errors[-1]
        assert "/retry" not in errors[-1] and errors[-1].count("saved") == 1  # said once, as the key
        assert "Traceback" not in "".join(errors)
        chat.fail = False
        await pilot.press("ctrl+r")
        await settle(app, pilot)
        advisor = [t for r, t in messages(app) if r == "advisor"]
        assert advisor[-2] == "Recovered answer" and advisor[-1].startswith("→ ")


async def test_a_mistyped_command_is_an_error_without_a_retry_hint(tmp_path: Path) -> None:
    """Errors come typed from the engine: retrying only helps when the model failed."""
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_session(app, pilot, "Lab or PhD")
        await type_text(pilot, "/stage nowhere")
        await pilot.press("enter")
        await settle(app, pilot)
        errors = [text for role, text in messages(app) if role == "error"]
        assert errors and "the stages are frame, before" in errors[-1] and "ctrl+r" not in errors[-1]
        assert app.screen.stage == "frame"


async def test_person_journal_pre_then_post_with_hidden_credence(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        await type_text(pilot, "Coffee with Sam")
        await pilot.press("enter")
        await type_text(pilot, "Sam")
        await pilot.press("enter")
        await type_text(pilot, "2026-02-01")
        await pilot.press("enter")
        await type_text(pilot, "coffee")
        await pilot.press("enter")
        for statement, credence in (("Safety teams can steer labs", "30"), ("I should apply this year", "55")):
            await type_text(pilot, statement)
            await pilot.press("enter", *credence, "enter")
            await type_text(pilot, "gut feeling")
            await pilot.press("enter")
            await pilot.pause()
        entry = app.journal.list_entries()[-1]
        assert (entry.about, entry.with_whom, entry.medium, str(entry.occurred_on)) == (
            "Coffee with Sam", "Sam", "coffee", "2026-02-01")
        assert [b.credence for b in app.journal.pre_beliefs(entry.id)] == [30, 55]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert type(app.screen).__name__ == "HomeScreen"
        # later: the entry is on Home; enter opens the post
        recent = app.screen.query_one("#recent-list", OptionList)
        recent.focus()
        recent.highlighted = 0
        await pilot.press("enter")
        await pilot.pause()
        assert type(app.screen).__name__ == "PersonPostScreen"
        prompt = str(app.screen.query_one("#rr-statement", Static).render())
        assert "Safety teams can steer labs" in prompt and "30" not in prompt
        await pilot.press("5", "0", "enter")
        await type_text(pilot, "Sam's team changed a launch")
        await pilot.press("enter")
        await pilot.pause()
        reveal = shown_text(app.screen.query_one("#post-log", Static))
        assert "30% → 50% (+20)" in reveal
        await pilot.press("tab", "tab", "tab", "enter")  # Drop the second belief
        await pilot.pause()
        assert app.journal.post_ratings(entry.id)[2].dropped
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.journal.get_entry(entry.id).post_status == "complete"
        assert type(app.screen).__name__ == "JournalScreen"
        assert "30% → 50%" in shown_text(app.screen.query_one("#entry-diff", Static))


async def test_closing_mid_form_keeps_the_draft(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        await pilot.pause()
        await type_text(pilot, "Call with Ada")
        await pilot.press("enter", "enter", "enter", "enter")
        await type_text(pilot, "Evals are underrated")
        await pilot.press("enter", "8")
        await pilot.pause()
    app.journal.close()
    again = make_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(again, pilot)
        await pilot.press("j")
        await pilot.pause()
        screen = again.screen
        assert screen.query_one("#pre-about", Input).value == "Call with Ada"
        assert screen.query_one("#bf-statement", Input).value == "Evals are underrated"
        assert screen.query_one("#bf-credence", Input).value == "8"


async def test_session_chat_draft_survives_and_resume(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await start_session(app, pilot, "Governance or technical")
        await type_text(pilot, "half a thought")
        await pilot.press("ctrl+j")
        await type_text(pilot, "second line")
        await pilot.pause()
        assert app.screen.query_one("#chat-input").text == "half a thought\nsecond line"
        session_id = app.screen.session.id
    app.journal.close()
    again = make_app(tmp_path)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(again, pilot)
        recent = again.screen.query_one("#recent-list", OptionList)
        assert f"Session #{session_id}" in shown_text(recent.get_option_at_index(0).prompt)
        recent.focus()
        recent.highlighted = 0
        await pilot.press("enter")
        await settle(again, pilot)
        assert again.screen.query_one("#chat-input").text == "half a thought\nsecond line"
        assert any("Governance or technical" in t for _, t in messages(again))


async def test_add_note_by_typing_and_by_path(tmp_path: Path) -> None:
    kb = FakeKB()
    app = make_app(tmp_path, kb=kb)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        assert app.focused.id == "note-body"
        await type_text(pilot, "Office hours: interp needs engineers")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert kb.added_text == [("Office hours: interp needs engineers", None)]
        assert "Added note 0000beef" in str(app.screen.query_one("#add-result", Static).render())
        assert app.screen.query_one("#note-body").text == ""
        note = tmp_path / "n.md"
        note.write_text("# hi\n")
        app.screen.query_one("#note-path", Input).focus()
        await type_text(pilot, str(note))
        await pilot.press("enter")
        await settle(app, pilot)
        assert kb.added_paths == [[str(note)]]
        table = app.screen.query_one("#status-table", DataTable)
        assert any(table.get_row_at(i)[0] == "note" for i in range(table.row_count))
        assert kb.shared == [False, False] and not app.screen.query("#share")  # no team server: no toggle


async def test_share_toggle_with_a_team_server(tmp_path: Path) -> None:
    """With knowledge.chroma_url set, Add note has a 'Share with the team' box; a note is private unless ticked."""
    from support import make_settings

    kb = FakeKB()
    settings = make_settings(tmp_path / "home", knowledge={"chroma_url": "http://127.0.0.1:9", "member_name": "ann"})
    app = make_app(tmp_path, kb=kb, settings=settings)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await type_text(pilot, "private thought")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        app.screen.query_one("#share").value = True
        note = tmp_path / "reading-group.md"
        note.write_text("# for the reading group\n")
        app.screen.query_one("#note-path", Input).focus()
        await type_text(pilot, str(note))
        await pilot.press("enter")
        await settle(app, pilot)
        assert kb.shared == [False, True]


async def test_knowledge_keys_open_tabs_but_type_as_text_in_a_field(tmp_path: Path) -> None:
    """/ opens Search and a opens Add note (both in the footer); in a field they are just text."""
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        app.open_screen("knowledge")
        await settle(app, pilot)
        assert app.focused.id == "status-table"
        await pilot.press("slash")
        await settle(app, pilot)
        assert app.focused.id == "search-input"
        await type_text(pilot, "a/i evals")
        await settle(app, pilot)
        assert app.screen.query_one("#search-input", Input).value == "a/i evals"
        assert app.screen.query_one("#kb-tabs").active == "search"
        app.screen.query_one("#search-results").focus()
        await pilot.pause()  # focus() takes effect on a later turn of the event loop
        assert app.focused.id == "search-results"
        await pilot.press("a")
        await settle(app, pilot)
        assert app.screen.query_one("#kb-tabs").active == "add" and app.focused.id == "note-body"


async def test_search_shows_passages_with_kind_and_location(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        app.open_screen("knowledge", tab="search")
        await settle(app, pilot)
        await type_text(pilot, "safety teams")
        await pilot.press("enter")
        await settle(app, pilot)
        results = app.screen.query_one("#search-results", OptionList)
        assert "curated · § Things to watch" in str(results.get_option_at_index(0).prompt)
        await pilot.press("c")
        assert "Labs differ" in app.clipboard


async def test_palette_lists_every_action(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        names = [name for name, _, _ in app.palette_entries()]
        for needed in ("New session", "Journal a conversation with a person", "Add a note", "Calibration",
                       "Search the knowledge base", "AI-safety subfield map", "Curated cards",
                       "Settings: model endpoint and theme", "Toggle light/dark theme", "Help"):
            assert needed in names
        await pilot.press("ctrl+p")
        await pilot.pause()
        await type_text(pilot, "subfield map")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "KnowledgeScreen"
        assert app.screen.query_one("#kb-tabs").active == "subfields"


async def test_settings_write_config_and_never_echo_the_key(tmp_path: Path, advisor_env: dict) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("comma")
        await pilot.pause()
        screen = app.screen
        screen.query_one("#set-provider").value = "auto"
        screen.query_one("#set-base-url", Input).value = "http://127.0.0.1:9/v1"
        screen.query_one("#set-api-key", Input).value = "sk-test-secret-123456"
        await pilot.press("ctrl+s")
        await pilot.pause()
        config = tomllib.loads(Path(advisor_env["ADVISOR_CONFIG"]).read_text())
        assert config["model"]["api_key"] == "sk-test-secret-123456"
        assert config["model"]["base_url"] == "http://127.0.0.1:9/v1"
        key_input = screen.query_one("#set-api-key", Input)
        assert key_input.value == "" and key_input.password
        assert "secret" not in key_input.placeholder and "56" in key_input.placeholder
        assert app.settings.model.base_url == "http://127.0.0.1:9/v1"
        assert "gpt-4o-mini at http://127.0.0.1:9/v1" in str(screen.query_one("#model-indicator", Static).render())


async def test_beliefs_resolve_and_calibration(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    seed_journal(app.journal)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("b")
        await pilot.pause()
        assert "70%" in str(app.screen.query_one("#belief-history", Static).render())
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("enter", "tab", "enter")  # choose "came true", then Record
        await pilot.pause()
        assert app.journal.get_belief(1).resolution == "yes"
        await pilot.press("c")
        await pilot.pause()
        text = shown_text(app.screen.query_one("#calibration-text", Static))
        assert "Brier score: 0.202" in text  # last credence 55% on a yes: (1 - .55)^2 = 0.2025


async def test_theme_toggles_light_and_dark(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        assert app.current_theme.dark
        await pilot.press("t")
        assert not app.current_theme.dark

"""Keys, on every screen: letters typed into a text field are text (never a screen's action), the
key bar offers each key once and each action once, no key is taken from a field that edits with it,
and help lists the keys of the screen it was opened from."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from fakes import make_app
from support import seed_journal
from textual.binding import Binding
from textual.widgets import Input, TextArea

from advisor.tui.widgets.key_bar import bindings_of, shown_keys

pytestmark = pytest.mark.usefixtures("advisor_env")

#: every screen (and each tab of the tabbed ones) as a user reaches it: (name, how to open it)
Opener = Callable[[Any, Any], Awaitable[None]]


async def settle(app: Any, pilot: Any) -> None:
    await pilot.pause()
    await asyncio.wait_for(app.workers.wait_for_complete(), 60)
    await pilot.pause()


def opens(name: str, **kwargs: Any) -> Opener:
    async def run(app: Any, pilot: Any) -> None:
        app.open_screen(name, **kwargs)
        await settle(app, pilot)
    return run


def session_at(stage_presses: int) -> Opener:
    async def run(app: Any, pilot: Any) -> None:
        app.open_screen("session", topic="PhD or lab")
        await settle(app, pilot)
        for _ in range(stage_presses):
            await pilot.press("ctrl+n")
            await settle(app, pilot)
    return run


def modal(key_on_home: str, then: str | None = None) -> Opener:
    async def run(app: Any, pilot: Any) -> None:
        if then:
            await pilot.press(then)
            await settle(app, pilot)
        await pilot.press(key_on_home)
        await settle(app, pilot)
    return run


async def home(app: Any, pilot: Any) -> None:
    return None


SCREENS: dict[str, Opener] = {
    "home": home,
    "session chat": session_at(0),
    "session before": session_at(1),
    "journal": opens("journal"),
    "person pre": opens("person_pre"),
    "person post": opens("person_post", entry_id=2),
    "beliefs": opens("beliefs"),
    "calibration": opens("beliefs", tab="calibration"),
    **{f"knowledge {tab}": opens("knowledge", tab=tab) for tab in ("notes", "add", "search", "cards", "subfields")},
    "settings": opens("settings"),
    "search": opens("search", query="lab"),
    "document": opens("document", target="note:abcd1234"),
    "help": opens("help"),
    "new session topic": modal("s"),
    "resolve a belief": modal("r", then="b"),
}
KEY_CHARACTERS = {"comma": ",", "question_mark": "?", "slash": "/", "full_stop": ".", "space": " "}
#: where a screen-wide key deliberately takes a key a text field would use, and why
TAKEN_FROM_FIELDS = {
    ("SessionScreen", "ctrl+y"): "the chat box's redo gives way to copying the last reply",
}


def app_with_journal(tmp_path: Path) -> Any:
    app = make_app(tmp_path)
    seed_journal(app.journal)
    return app


def app_and_screen_classes() -> list[type]:
    from importlib import import_module

    from advisor.tui.app import SCREENS as SCREEN_MODULES
    from advisor.tui.app import AdvisorApp

    return [AdvisorApp] + [getattr(import_module(f"advisor.tui.screens.{module}"), name)
                           for module, name in SCREEN_MODULES.values()]


def printable_keys(app: Any) -> list[str]:
    """Every one-character key any binding of advisor uses (letters, `,` `?` `/`...)."""
    keys = {b.key for cls in app_and_screen_classes() for b in bindings_of(cls)}
    keys |= {"c", "y", "n"}  # widget and dialog keys (copy, resolve yes / no)
    return sorted(k for k in keys if len(KEY_CHARACTERS.get(k, k)) == 1)


def fields(screen: Any) -> list[Any]:
    """The text fields a user can reach with tab on the screen as shown (not those of other tabs)."""
    return [w for w in screen.focus_chain if isinstance(w, (Input, TextArea))]


@pytest.mark.parametrize("where", list(SCREENS))
async def test_letters_typed_into_a_text_field_are_text(tmp_path: Path, where: str) -> None:
    app = app_with_journal(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await SCREENS[where](app, pilot)
        screen = app.screen
        tabs = [t.active for t in screen.query("TabbedContent")]
        keys = printable_keys(app)
        typed = "".join(KEY_CHARACTERS.get(k, k) for k in keys)
        for field in fields(screen):
            field.focus()
            await pilot.pause()
            if isinstance(field, TextArea):
                field.text = ""
            else:
                field.value = ""
            await pilot.press(*keys)
            await pilot.pause()
            assert app.screen is screen, f"{where}: typing into #{field.id} left the screen"
            assert [t.active for t in screen.query("TabbedContent")] == tabs, f"{where}: #{field.id} switched tabs"
            value = field.text if isinstance(field, TextArea) else field.value
            if not (isinstance(field, Input) and field.type == "number"):  # a credence takes digits only
                assert value == typed, f"{where}: #{field.id} holds {value!r}"


@pytest.mark.parametrize("where", list(SCREENS))
async def test_each_key_in_the_bar_is_one_action_and_no_field_loses_its_keys(tmp_path: Path, where: str) -> None:
    app = app_with_journal(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await SCREENS[where](app, pilot)
        screen = app.screen
        focusables = list(screen.focus_chain) or [None]
        for widget in focusables:
            if widget is not None:
                widget.focus()
                await pilot.pause()
            bar = shown_keys(screen)
            keys = [k.key for k in bar]
            actions = [(k.node, k.action) for k in bar]
            assert len(keys) == len(set(keys)), f"{where}: a key shown twice: {keys}"
            assert len(actions) == len(set(actions)), f"{where}: an action under two keys: {keys}"
            if widget is None:
                continue
            own = {b.key: b.action for b in bindings_of(type(widget))}
            for key, active in screen.active_bindings.items():
                taken = active.binding.priority and active.node is not widget and key in own
                if taken and (type(screen).__name__, key) not in TAKEN_FROM_FIELDS:
                    pytest.fail(f"{where}: {key} is {active.binding.action} everywhere, so "
                                f"#{widget.id} ({type(widget).__name__}) loses its {own[key]}")


@pytest.mark.parametrize("where", [w for w in SCREENS if w not in ("help", "new session topic", "resolve a belief")])
async def test_help_lists_the_keys_of_the_screen_it_was_opened_from(tmp_path: Path, where: str) -> None:
    app = app_with_journal(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await SCREENS[where](app, pilot)
        screen = app.screen
        described = [b for b in bindings_of(type(screen)) if b.description]
        await pilot.press("f1")  # `?` is a character when a field has the focus
        await settle(app, pilot)
        assert type(app.screen).__name__ == "HelpScreen"
        assert app.screen.query_one("#help-keys").region.height > len(described)
        listed = {description: keys.split(" / ") for keys, description in app.screen.keys}
        for binding in described:
            assert app.get_key_display(binding) in listed.get(binding.description, []), (
                f"{where}: help lacks {binding.key} {binding.description}")
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen is screen


def test_every_binding_says_what_it_does() -> None:
    """A key the help lists needs a description; a key without one would be a key nobody learns."""
    missing = [(cls.__name__, b.key) for cls in app_and_screen_classes()
               for b in Binding.make_bindings(cls.__dict__.get("BINDINGS", [])) if not b.description]
    assert missing == []

"""Small widgets shared by the screens: the chat input, the belief forms, a title bar."""

from __future__ import annotations

from typing import Any

from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.validation import Number
from textual.widgets import Button, Input, Label, Static, TextArea

from advisor.tui.titlebar import TitleBar  # noqa: F401 - re-exported


class FormMessage(Message):
    """A message from one of the forms below; `control` is the form, so `@on(..., "#id")` works."""

    def __init__(self, form: Any) -> None:
        super().__init__()
        self.form = form

    @property
    def control(self) -> Any:
        return self.form


class ChatInput(TextArea):
    """Multi-line message box: Enter sends; Shift+Enter or the newline key (ctrl+j) adds a line."""

    class Submitted(Message):
        def __init__(self, chat_input: "ChatInput", text: str) -> None:
            super().__init__()
            self.chat_input = chat_input
            self.text = text

        @property
        def control(self) -> "ChatInput":
            return self.chat_input

    def __init__(self, newline_key: str = "ctrl+j", **kwargs: Any) -> None:
        kwargs.setdefault("soft_wrap", True)
        kwargs.setdefault("show_line_numbers", False)
        kwargs.setdefault("tab_behavior", "focus")
        super().__init__(**kwargs)
        self.newline_keys = {newline_key, "shift+enter", "ctrl+j"}

    async def _on_key(self, event: events.Key) -> None:
        if event.key in self.newline_keys:
            event.stop()
            event.prevent_default()
            self.insert("\n")
            return
        if event.key == "enter":
            event.stop()
            event.prevent_default()
            text = self.text.strip()
            if text:
                self.post_message(self.Submitted(self, text))
            return
        await super()._on_key(event)


def credence_input(id: str, placeholder: str = "0-100") -> Input:
    return Input(
        placeholder=placeholder, id=id, classes="compact credence", type="number",
        validators=[Number(minimum=0, maximum=100)], valid_empty=True,
    )


class BeliefForm(Vertical):
    """Statement, credence and reason of one belief; Add records it (Enter in the last field too).

    `pull` lets the user bring in a belief already in the journal (its statement is kept; the
    credence is asked afresh so the old one cannot anchor).
    """

    DEFAULT_CSS = "BeliefForm { height: auto; }"

    class Added(FormMessage):
        def __init__(self, form: "BeliefForm", statement: str, credence: float, reason: str,
                     belief_id: int | None) -> None:
            super().__init__(form)
            self.statement = statement
            self.credence = credence
            self.reason = reason
            self.belief_id = belief_id

    class PullRequested(FormMessage):
        pass

    class Changed(FormMessage):
        pass

    def __init__(self, *, add_label: str = "Add belief", allow_pull: bool = True,
                 extra_buttons: list[tuple[str, str]] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.add_label = add_label
        self.allow_pull = allow_pull
        self.extra_buttons = extra_buttons or []
        self.belief_id: int | None = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="form-row"):
            yield Label("Belief")
            yield Input(placeholder="a statement that could turn out true or false",
                        id="bf-statement", classes="compact grow")
        with Horizontal(classes="form-row"):
            yield Label("Credence")
            yield credence_input("bf-credence")
            yield Label(" % because", classes="muted")
            yield Input(placeholder="one line of why", id="bf-reason", classes="compact grow")
        with Horizontal(classes="buttons"):
            yield Button(self.add_label + " ⏎", id="bf-add", classes="compact", variant="primary")
            if self.allow_pull:
                yield Button("Pull from journal ^l", id="bf-pull", classes="compact")
            for button_id, label in self.extra_buttons:
                yield Button(label, id=button_id, classes="compact")
        yield Static("", id="bf-error", classes="error-text -empty")

    # -- values
    def values(self) -> dict[str, Any]:
        return {
            "statement": self.query_one("#bf-statement", Input).value,
            "credence": self.query_one("#bf-credence", Input).value,
            "reason": self.query_one("#bf-reason", Input).value,
            "belief_id": self.belief_id,
        }

    def load(self, values: dict[str, Any] | None) -> None:
        if not values:
            return
        self.query_one("#bf-statement", Input).value = values.get("statement") or ""
        self.query_one("#bf-credence", Input).value = str(values.get("credence") or "")
        self.query_one("#bf-reason", Input).value = values.get("reason") or ""
        self.belief_id = values.get("belief_id")

    def pull(self, belief_id: int, statement: str) -> None:
        self.belief_id = belief_id
        self.query_one("#bf-statement", Input).value = statement
        self.query_one("#bf-credence", Input).focus()

    def clear(self) -> None:
        self.belief_id = None
        for sel in ("#bf-statement", "#bf-credence", "#bf-reason"):
            self.query_one(sel, Input).value = ""
        self.show_error("")
        self.query_one("#bf-statement", Input).focus()

    def focus_first(self) -> None:
        self.query_one("#bf-statement", Input).focus()

    def show_error(self, text: str) -> None:
        error = self.query_one("#bf-error", Static)
        error.update(text)
        error.set_class(not text, "-empty")

    # -- events
    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if event.input.id == "bf-statement" and self.belief_id is not None:
            pass  # editing a pulled statement keeps the link; the journal matches by id
        self.post_message(self.Changed(self))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "bf-statement":
            self.query_one("#bf-credence", Input).focus()
        elif event.input.id == "bf-credence":
            self.query_one("#bf-reason", Input).focus()
        else:
            self.submit()

    @on(Button.Pressed, "#bf-add")
    def _add(self, event: Button.Pressed) -> None:
        event.stop()
        self.submit()

    @on(Button.Pressed, "#bf-pull")
    def _pull(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.PullRequested(self))

    def submit(self) -> None:
        v = self.values()
        statement = " ".join(v["statement"].split())
        if not statement:
            self.show_error("Write the belief first.")
            self.query_one("#bf-statement", Input).focus()
            return
        credence = parse_credence(v["credence"])
        if credence is None:
            self.show_error("Give a credence from 0 to 100.")
            self.query_one("#bf-credence", Input).focus()
            return
        self.show_error("")
        self.post_message(self.Added(self, statement, credence, v["reason"].strip(), self.belief_id))


def parse_credence(text: str) -> float | None:
    """The journal's own credence rule (0–100, a % allowed); None where it says no."""
    from advisor.errors import UsageError
    from advisor.journal.models import validate_credence

    try:
        return validate_credence(text)
    except UsageError:
        return None


class RerateForm(Vertical):
    """Re-rate one belief: its statement, an empty credence box (the old one stays hidden)."""

    DEFAULT_CSS = "RerateForm { height: auto; } RerateForm #rr-statement { height: auto; }"

    class Answered(FormMessage):
        def __init__(self, form: "RerateForm", belief_id: int | None, action: str,
                     credence: float | None, reason: str) -> None:
            super().__init__(form)
            self.belief_id = belief_id
            self.action = action  # rate | drop | skip
            self.credence = credence
            self.reason = reason

    class Changed(FormMessage):
        pass

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.belief_id: int | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="rr-statement")
        with Horizontal(classes="form-row"):
            yield Label("Now")
            yield credence_input("rr-credence", "0-100")
            yield Label(" % because", classes="muted")
            yield Input(placeholder="what changed (or didn't)", id="rr-reason", classes="compact grow")
        with Horizontal(classes="buttons"):
            yield Button("Rate ⏎", id="rr-rate", classes="compact", variant="primary")
            yield Button("Drop", id="rr-drop", classes="compact")
            yield Button("Skip", id="rr-skip", classes="compact")
        yield Static("", id="rr-error", classes="error-text -empty")

    def ask(self, belief_id: int | None, prompt: str, draft: dict[str, Any] | None = None) -> None:
        self.belief_id = belief_id
        self.query_one("#rr-statement", Static).update(prompt)
        draft = draft if draft and draft.get("belief_id") == belief_id else {}
        self.query_one("#rr-credence", Input).value = str(draft.get("credence") or "")
        self.query_one("#rr-reason", Input).value = draft.get("reason") or ""
        self._error("")
        self.query_one("#rr-credence", Input).focus()

    def _error(self, text: str) -> None:
        error = self.query_one("#rr-error", Static)
        error.update(text)
        error.set_class(not text, "-empty")

    def values(self) -> dict[str, Any]:
        return {
            "belief_id": self.belief_id,
            "credence": self.query_one("#rr-credence", Input).value,
            "reason": self.query_one("#rr-reason", Input).value,
        }

    def focus_first(self) -> None:
        self.query_one("#rr-credence", Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.post_message(self.Changed(self))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "rr-credence" and not self.query_one("#rr-reason", Input).value:
            if parse_credence(event.value) is None:
                self._answer("rate")
                return
            self.query_one("#rr-reason", Input).focus()
            return
        self._answer("rate")

    @on(Button.Pressed, "#rr-rate, #rr-drop, #rr-skip")
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self._answer(str(event.button.id)[3:])

    def _answer(self, action: str) -> None:
        v = self.values()
        credence = None
        if action == "rate":
            credence = parse_credence(v["credence"])
            if credence is None:
                self._error("Give your credence now, 0 to 100 (or Drop / Skip).")
                self.query_one("#rr-credence", Input).focus()
                return
        self._error("")
        self.post_message(self.Answered(self, self.belief_id, action, credence, v["reason"].strip()))

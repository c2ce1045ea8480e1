"""Re-rating one belief with its old credence hidden: rate, drop or skip."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from advisor.tui.widgets.form_parts import (
    FormMessage,
    TextField,
    credence_input,
    credence_refused,
    parse_credence,
)


class RerateForm(Vertical):
    """Re-rate one belief: its statement, an empty credence box (the old one stays hidden)."""

    DEFAULT_CSS = "RerateForm { height: auto; } RerateForm #rr-statement { height: auto; }"

    class Answered(FormMessage["RerateForm"]):
        def __init__(self, form: RerateForm, belief_id: int | None, action: str,
                     credence: float | None, reason: str) -> None:
            super().__init__(form)
            self.belief_id = belief_id
            self.action = action  # rate | drop | skip
            self.credence = credence
            self.reason = reason

    class Changed(FormMessage["RerateForm"]):
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
            yield TextField(placeholder="what changed (or didn't)", id="rr-reason", classes="compact grow")
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
                self._error(credence_refused(self.query_one("#rr-credence", Input),
                                             "Give your credence now, 0 to 100 (or Drop / Skip).",
                                             " (or Drop / Skip)"))
                return
        self._error("")
        self.post_message(self.Answered(self, self.belief_id, action, credence, v["reason"].strip()))

"""A belief's statement, credence and reason, recorded with one key."""

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


class BeliefForm(Vertical):
    """Statement, credence and reason of one belief; Add records it (Enter in the last field too).

    `pull` lets the user bring in a belief already in the journal (its statement is kept; the
    credence is asked afresh so the old one cannot anchor).
    """

    DEFAULT_CSS = "BeliefForm { height: auto; }"

    class Added(FormMessage["BeliefForm"]):
        def __init__(self, form: BeliefForm, statement: str, credence: float, reason: str,
                     belief_id: int | None) -> None:
            super().__init__(form)
            self.statement = statement
            self.credence = credence
            self.reason = reason
            self.belief_id = belief_id

    class PullRequested(FormMessage["BeliefForm"]):
        pass

    class Changed(FormMessage["BeliefForm"]):
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
            yield TextField(placeholder="a statement that could turn out true or false",
                        id="bf-statement", classes="compact grow")
        with Horizontal(classes="form-row"):
            yield Label("Credence")
            yield credence_input("bf-credence")
            yield Label(" % because", classes="muted")
            yield TextField(placeholder="one line of why", id="bf-reason", classes="compact grow")
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
        # editing a pulled statement keeps the link to its belief: the journal matches by id
        self.post_message(self.Changed(self))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.input.id == "bf-statement":
            self.query_one("#bf-credence", Input).focus()
        elif event.input.id == "bf-credence":
            if event.value.strip() and parse_credence(event.value) is None:  # say so now, not after the reason
                self.show_error(credence_refused(event.input, "Give a credence from 0 to 100."))
                return
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
            self.show_error(credence_refused(self.query_one("#bf-credence", Input),
                                             "Give a credence from 0 to 100."))
            return
        self.show_error("")
        self.post_message(self.Added(self, statement, credence, v["reason"].strip(), self.belief_id))

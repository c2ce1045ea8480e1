"""Small dialogs: a session's topic, pulling a journal belief, confirming (resolving a belief: resolve.py)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from advisor.tui.widgets.form_parts import TextField


class TopicModal(ModalScreen[str | None]):
    """Ask what a new session is about."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("[b]New session[/b] — what decision or question is it about?")
            yield Static("e.g. “Should I do a PhD in interpretability or join a lab’s safety team?”",
                         classes="hint")
            yield TextField(placeholder="the decision, in a sentence", id="topic")
            yield Static("", id="topic-error", classes="error-text")
            with Horizontal(classes="buttons"):
                yield Button("Start ⏎", id="start", classes="compact", variant="primary")
                yield Button("Cancel (esc)", id="cancel", classes="compact")

    def on_mount(self) -> None:
        app: Any = self.app
        self.query_one("#topic", Input).value = app.drafts.get("new-session-topic", "")
        self.query_one("#topic", Input).focus()

    @on(Input.Changed, "#topic")
    def _changed(self, event: Input.Changed) -> None:
        self.app.drafts.set("new-session-topic", event.value)  # type: ignore[attr-defined]

    @on(Input.Submitted, "#topic")
    @on(Button.Pressed, "#start")
    def _start(self) -> None:
        topic = " ".join(self.query_one("#topic", Input).value.split())
        if not topic:
            self.query_one("#topic-error", Static).update("Say in a sentence what the session is about.")
            return
        self.app.drafts.clear("new-session-topic")  # type: ignore[attr-defined]
        self.dismiss(topic)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class PullBeliefModal(ModalScreen[tuple[int, str] | None]):
    """Pick a belief already in the journal (statements only: no old credence to anchor on)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, beliefs: list[Any], exclude: set[int] | None = None) -> None:
        super().__init__()
        self.beliefs = [b for b in beliefs if b.id not in (exclude or set())]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("[b]Pull a belief from your journal[/b] — you give it a fresh credence")
            if self.beliefs:
                yield OptionList(*[Option(Text(f"#{b.id}  {b.statement}"), id=str(b.id)) for b in self.beliefs],
                                 id="pull-list")
            else:
                yield Static("Your journal has no other beliefs yet.", classes="muted")
            yield Static("enter: pick · esc: cancel", classes="hint")

    def on_mount(self) -> None:
        if self.beliefs:
            self.query_one("#pull-list", OptionList).focus()

    @on(OptionList.OptionSelected, "#pull-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        bid = int(str(event.option.id))
        belief = next(b for b in self.beliefs if b.id == bid)
        self.dismiss((bid, belief.statement))


class ConfirmModal(ModalScreen[bool]):
    BINDINGS = [Binding("escape", "dismiss(False)", "No"), Binding("y", "dismiss(True)", "Yes")]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text(self.question))
            with Horizontal(classes="buttons"):
                yield Button("Yes (y)", id="yes", classes="compact", variant="error")
                yield Button("No (esc)", id="no", classes="compact")

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

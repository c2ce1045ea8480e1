"""One message in a session's log; focus it and press c to copy it."""

from __future__ import annotations

from typing import Literal

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Markdown, Static

from advisor.session.stages import Stage

Role = Literal["user", "advisor", "notice", "error", "stage"]
WHO: dict[Role, str] = {"user": "You", "advisor": "Advisor", "notice": "", "error": "⚠ Problem", "stage": ""}


class ChatMessage(Vertical, can_focus=True):
    """A message: Markdown for the conversation, plain text for notices; `stage` is where it was said."""

    BINDINGS = [Binding("c", "copy", "Copy message")]

    def __init__(self, role: Role, text: str = "", *, markdown: bool = True, stage: Stage | None = None,
                 shown: str | None = None, body: RenderableType | None = None) -> None:
        super().__init__(classes=f"msg -{role}")
        self.role = role
        self.text = text
        self.use_markdown = markdown
        self.stage = stage
        self.shown = shown  # the Markdown to render, when it differs from the text (copied as is)
        self.body = body  # what to show instead of the plain text (a diff laid out in columns)

    def compose(self) -> ComposeResult:
        who = WHO[self.role]
        if who:
            yield Static(who, classes="who")
        if self.use_markdown:
            yield Markdown(self.shown or self.text)
        else:
            yield Static(self.body if self.body is not None else Text(self.text), classes="body")

    async def append(self, piece: str) -> None:
        """More of a streamed reply."""
        self.text += piece
        await self.query_one(Markdown).append(piece)

    def show_as(self, shown: str) -> None:
        """Render `shown` as this message's Markdown from now on (the text copied stays as is)."""
        if shown != (self.shown or self.text):
            self.shown = shown
            self.query_one(Markdown).update(shown)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.app.notify("Copied the message to the clipboard.", timeout=2)

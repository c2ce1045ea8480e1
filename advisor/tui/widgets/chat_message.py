"""One message in a session's log; focus it and press c to copy it."""

from __future__ import annotations

from typing import Literal

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
                 shown: str | None = None) -> None:
        super().__init__(classes=f"msg -{role}")
        self.role = role
        self.text = text
        self.use_markdown = markdown
        self.stage = stage
        self.shown = shown  # the Markdown to render, when it differs from the text (copied as is)

    def compose(self) -> ComposeResult:
        who = WHO[self.role]
        if who:
            yield Static(who, classes="who")
        if self.use_markdown:
            yield Markdown(self.shown or self.text)
        else:
            yield Static(Text(self.text), classes="body")

    async def append(self, piece: str) -> None:
        """More of a streamed reply."""
        self.text += piece
        await self.query_one(Markdown).append(piece)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.app.notify("Copied the message to the clipboard.", timeout=2)

"""The message box: Enter sends, Shift+Enter or the newline key adds a line."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.message import Message
from textual.widgets import TextArea


class ChatInput(TextArea):
    """Multi-line message box: Enter sends; Shift+Enter or the newline key (ctrl+j) adds a line."""

    class Submitted(Message):
        def __init__(self, chat_input: ChatInput, text: str) -> None:
            super().__init__()
            self.chat_input = chat_input
            self.text = text

        @property
        def control(self) -> ChatInput:
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

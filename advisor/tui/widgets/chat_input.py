"""The message box: Enter sends, Shift+Enter or the newline key adds a line; up and down on its
first and last rows bring back earlier messages, as in a shell."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual import events
from textual.message import Message
from textual.widgets import TextArea


class ChatInput(TextArea):
    """Multi-line message box: Enter sends; Shift+Enter or the newline key (ctrl+j) adds a line.

    Up on the top row goes back through the messages sent (oldest last), down on the bottom row
    forward again, and past the newest to what was being typed, which is kept meanwhile.
    """

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
        self.sent_messages: list[str] = []
        self._recalled: int | None = None  # index into history while going through it
        self._typed = ""  # what was in the box before going back

    def remember(self, messages: Iterable[str]) -> None:
        """Earlier messages (oldest first), e.g. a resumed session's, for up to bring back."""
        for text in messages:
            self._add(text)

    def _add(self, text: str) -> None:
        text = text.strip()
        if text and (not self.sent_messages or self.sent_messages[-1] != text):
            self.sent_messages.append(text)

    def _show(self, text: str) -> None:
        self.text = text
        self.move_cursor(self.document.end)

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
                self._add(text)
                self._recalled = None
                self.post_message(self.Submitted(self, text))
            return
        if event.key == "up" and self.sent_messages and self.navigator.is_first_wrapped_line(self.cursor_location):
            event.stop()
            event.prevent_default()
            if self._recalled is None:
                self._typed, self._recalled = self.text, len(self.sent_messages) - 1
            elif self._recalled > 0:
                self._recalled -= 1
            self._show(self.sent_messages[self._recalled])
            return
        if event.key == "down" and self._recalled is not None and self.navigator.is_last_wrapped_line(
                self.cursor_location):
            event.stop()
            event.prevent_default()
            if self._recalled < len(self.sent_messages) - 1:
                self._recalled += 1
                self._show(self.sent_messages[self._recalled])
            else:
                self._recalled = None
                self._show(self._typed)
            return
        await super()._on_key(event)

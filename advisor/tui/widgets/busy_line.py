"""One line saying what the session is doing (thinking, writing, saving), hidden when idle."""

from __future__ import annotations

from textual.widgets import Static


class BusyLine(Static):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id, classes="-idle")
        self._shown = ""

    def show(self, text: str) -> None:
        if text != self._shown:  # a streamed reply says "writing" once, not once a token
            self._shown = text
            self.update("⋯ " + text)
            self.remove_class("-idle")

    def clear(self) -> None:
        self._shown = ""
        self.update("")
        self.add_class("-idle")

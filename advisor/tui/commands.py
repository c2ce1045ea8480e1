"""The command palette: every app action plus the current screen's own (ctrl+p)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider


class AdvisorCommands(Provider):
    """Lists `app.palette_entries()` and, first, `screen.palette_commands()` if the screen has it."""

    def _entries(self) -> list[tuple[str, str, Callable[[], Any]]]:
        screen_entries = getattr(self.screen, "palette_commands", None)
        local = list(screen_entries()) if callable(screen_entries) else []
        app_entries = getattr(self.app, "palette_entries", None)
        return local + (list(app_entries()) if callable(app_entries) else [])

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)

"""Keys typed in a burst land where the user meant them: one key at a time, each routed only after
what the one before it set in motion has run.

Textual hands a key to the widget focused at the moment the app reads it. What a key sets in motion
runs later, each step in some widget's own queue: Enter in a field reaches the form as a message,
the form moves the focus (`focus()` is itself queued, behind the keys already waiting), a key that
opens a screen builds it and its `on_mount` focuses a field. Keys that arrive together (a fast
typist, a paste without bracketed paste, tmux send-keys) were all read before any of that ran, so
they went to the field Enter had left, or to a screen with nothing focused yet, which drops them.

Here the app holds the keys it reads and routes the next one only when every queue of the app and of
the screen in front is empty (twice in a row: one message can start the next), so the focus has
moved and the new screen is built. Characters typed into a text field go on at once (they only add
text). One place for every screen and form: none of them need change.
"""

from __future__ import annotations

import asyncio
from collections import deque
from time import monotonic
from typing import Any

from textual import events
from textual.app import App

#: A key waits at most this long for the previous one's effects (a screen that stays busy, a long
#: stream): typing is never held up for longer than this, even then. Counted only while the app can
#: run: a screen built (or a module imported) in one go blocks it, and that time must not count.
MAX_WAIT_S = 1.0
#: The most one check may add to the wait (the rest of a longer gap is the app blocked, not busy).
CHECK_STEP_S = 0.05
#: Quiet checks in a row before the next key goes: a handler ending can post the next message.
QUIET_CHECKS = 2


class KeysInOrder(App[Any]):
    """An App mix-in: keys (and pastes) read from the terminal are routed one at a time, in order."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys_held: deque[events.Key | events.Paste] = deque()
        self._routing = False
        self._quiet = 0
        self._waited = 0.0  # how long the key being routed has waited for quiet
        self._checked_at = 0.0

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._keys_held.append(event)
            if not self._routing:
                await self._route_keys()
            return
        await super().on_event(event)

    async def _route_keys(self) -> None:
        """Route held keys until one may set something in motion; the rest wait for it to settle."""
        self._routing = True
        while self._keys_held:
            event = self._keys_held.popleft()
            field = self.focused
            try:
                await super().on_event(event)
            except BaseException:
                self._routing = False  # never leave the keys behind it held for good
                raise
            if not _only_text(event, field) or self.focused is not field:
                self._quiet, self._waited, self._checked_at = 0, 0.0, monotonic()
                self.call_later(self._after_key)
                return
        self._routing = False

    async def _after_key(self) -> None:
        """Runs in the app's queue, so callbacks queued there (a focus move) run before it."""
        await asyncio.sleep(0)  # let the widgets' tasks take their next message
        now = monotonic()
        self._waited += min(now - self._checked_at, CHECK_STEP_S)
        self._checked_at = now
        self._quiet = self._quiet + 1 if self._all_quiet() else 0
        if self._quiet >= QUIET_CHECKS or self._waited > MAX_WAIT_S:
            await self._route_keys()
        else:
            self.call_later(self._after_key)

    def _all_quiet(self) -> bool:
        """No message waits in the app's queue nor in any of the front screen's widgets, and no
        callback is due (call_next, call_after_refresh)."""
        try:
            screen = self.screen
        except Exception:  # noqa: BLE001 - no screen yet, or the app is closing
            return True
        try:  # Textual's own queues (pinned in tests/constraints.txt; pyproject allows any 8.x)
            if not self._message_queue.empty() or self._next_callbacks or screen._callbacks:
                return False
            return all(pump._message_queue.empty() and pump._pending_message is None and not pump._next_callbacks
                       for pump in screen.walk_children(with_self=True))
        except AttributeError:  # a Textual whose internals moved: keys go on as Textual routes them
            return True


def _only_text(event: events.Key | events.Paste, field: Any) -> bool:
    """A character or a paste into a text field only adds text (letters typed into a field are never
    a screen's action), so the next key can follow it at once: typing stays as fast as before."""
    from textual.widgets import Input, TextArea

    if not isinstance(field, (Input, TextArea)):
        return False
    return isinstance(event, events.Paste) or event.is_printable

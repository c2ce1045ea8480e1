"""The session's conversation: the engine's events shown as messages, a streamed reply as it
arrives, and the Before stage's answers hidden while beliefs are re-rated (so old credences
cannot anchor)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from rich.console import RenderableType
from textual.containers import VerticalScroll

from advisor.errors import without_retry_advice
from advisor.session.events import (
    Done,
    ErrorEvent,
    Event,
    Message,
    Notice,
    Prompt,
    Sources,
    StageOpened,
    SummaryReady,
    TextDelta,
)
from advisor.session.stages import Stage
from advisor.session.store import Citation, Turn
from advisor.tui.widgets.chat_message import ChatMessage, Role

RETRY_HINT = "  ctrl+r retries (your message is saved)."
HIDDEN_NOTE = ("(Your Before answers are hidden while you re-rate, so your old credences cannot "
               "anchor you. The summary shows them.)")


class ChatLog(VerticalScroll):
    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.stage: Stage | None = None  # where new messages are said
        self.last_reply = ""  # what ctrl+y copies
        self._streaming: ChatMessage | None = None
        #: notices worded for this screen: the core's model warning names CLI commands, here keys
        self.reworded: dict[str, str] = {}

    def on_mount(self) -> None:
        # stay at the newest message while messages grow (Markdown renders after it is mounted)
        self.anchor()

    async def show(self, event: Event) -> None:
        """One event from the engine, as the conversation shows it."""
        match event:
            case TextDelta(text=text):
                await self.stream(text)
            case Done():
                self.last_reply = self.end_stream() or self.last_reply
            case Message(text=text, follow_up=True):
                self.add("advisor", text)  # ctrl+y still copies the reply it follows
            case Message(text=text):
                self.last_reply = self.add("advisor", text).text
            case Prompt(text=text):
                self.add("advisor", text)
            case StageOpened():
                self.add("stage", "── " + event.text + " ──", markdown=False)
            case ErrorEvent(text=text):
                self.error(text, RETRY_HINT if event.retryable else "")
            case SummaryReady(text=text, diff=diff):
                self.last_reply = self.add("advisor", text).text
                if diff is not None:
                    from advisor.journal.render import format_diff
                    from advisor.tui.widgets.diff_view import diff_view

                    self.add("notice", format_diff(diff), markdown=False, body=diff_view(diff))
            case Notice(text=text):
                self.add("notice", text, markdown=False)
            case Sources():
                pass  # the sources panel shows them

    def replay(self, turns: Sequence[Turn]) -> tuple[Citation, ...]:
        """Saved turns of a resumed session; returns the citations of the last one that had some."""
        citations: tuple[Citation, ...] = ()
        for turn in turns:
            ok = turn.role in ("user", "advisor") and turn.status != "error"
            self.add(turn.role if ok else "notice", turn.content)
            citations = tuple(turn.citations) or citations
        return citations

    def error(self, text: str, hint: str) -> None:
        self.add("error", (without_retry_advice(text) + hint) if hint else text, markdown=False)

    def add(self, role: Role, text: str, markdown: bool | None = None, body: RenderableType | None = None
            ) -> ChatMessage:
        """A whole message; the conversation is Markdown, notices plain text (or `body`)."""
        use_markdown = markdown if markdown is not None else role in ("advisor", "user")
        if role == "notice":
            text = self.reworded.get(text, text)
        # a single newline in a message is a line break, as typed, not a Markdown soft wrap
        shown = _hard_breaks(text) if use_markdown else None
        message = ChatMessage(role, text, markdown=use_markdown, stage=self.stage, shown=shown, body=body)
        self.mount(message)
        self.scroll_end(animate=False)
        return message

    async def stream(self, piece: str) -> bool:
        """Append to the reply being streamed; True when this piece started it."""
        started = self._streaming is None
        if self._streaming is None:
            self._streaming = ChatMessage("advisor", "", stage=self.stage)
            await self.mount(self._streaming)
        await self._streaming.append(piece)
        self.scroll_end(animate=False)
        return started

    def end_stream(self) -> str | None:
        """The streamed reply is complete: its text (None if nothing was streamed)."""
        message, self._streaming = self._streaming, None
        if message is None:
            return None
        message.show_as(_hard_breaks(message.text))
        return message.text

    def hide_answers_of(self, stage: Stage, hide: bool) -> None:
        """Hide (or show again) what was said in `stage`, with a note saying why."""
        hidden = 0
        for message in self.query(ChatMessage):
            if message.stage is stage and message.role in ("user", "advisor"):
                message.display = not hide
                hidden += hide
        note = self.query("#hidden-notice")
        if hide and hidden and not note:
            notice = ChatMessage("notice", HIDDEN_NOTE, markdown=False, stage=self.stage)
            notice.id = "hidden-notice"
            self.mount(notice)
        elif not hide and note:
            note.remove()


LIST_ITEM = re.compile(r"\s*([-*+]|\d{1,9}[.)])\s")


def _hard_breaks(text: str) -> str:
    """Markdown that shows the lines as written: a single newline is a line break (not a soft wrap),
    and a line at the left margin right after a list item starts a new paragraph there (Markdown
    would take it as the item's continuation: the summary's "Cruxes:" came out indented)."""
    lines: list[str] = []
    in_list = fenced = False
    for line in text.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if not fenced and line.strip():
            if LIST_ITEM.match(line):
                in_list = True
            elif in_list and not line[0].isspace():
                lines.append("")
                in_list = False
        elif not line.strip():
            in_list = False
        lines.append(line)
    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", "\n".join(lines))

"""What a session sends back to a UI: one small typed event per kind of output.

A UI feeds the user's input to the session and matches on what comes back
(`match event: case TextDelta(text=t): ...`); every event but `Done` has a `text` to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.errors import AdvisorError, ModelError, UsageError
from advisor.journal.models import EntryDiff
from advisor.session.stages import ORDER, Stage
from advisor.session.store import Citation
from advisor.session.summary import SessionSummary


@dataclass(frozen=True)
class TextDelta:
    """A piece of a streamed model reply, as it arrives; `Done` follows the last one."""

    text: str


@dataclass(frozen=True)
class Message:
    """A whole advisor message: guide replies carry their citations, a recorded belief its id.
    `follow_up` marks the protocol's question added after a model's reply (not the reply itself)."""

    text: str
    citations: tuple[Citation, ...] = ()
    belief_id: int | None = None
    follow_up: bool = False


@dataclass(frozen=True)
class Prompt:
    """A question awaiting an answer: in After, the belief to re-rate (None when none is left)."""

    text: str
    belief_id: int | None = None


@dataclass(frozen=True)
class Sources:
    """The citations of the streamed reply that just ended, and their list as text."""

    text: str
    citations: tuple[Citation, ...]


@dataclass(frozen=True)
class StageOpened:
    """The session moved to `stage`; what the stage asks follows."""

    stage: Stage

    @property
    def text(self) -> str:
        return f"Stage {self.stage.number}/{len(ORDER)} — {self.stage.title}"


@dataclass(frozen=True)
class Notice:
    """Something about the session rather than from the advisor (model warnings, resume recaps)."""

    text: str


@dataclass(frozen=True)
class ErrorEvent:
    """A fault the session survives: a user mistake, or a model that failed to answer."""

    text: str
    error: type[AdvisorError] = UsageError

    @property
    def retryable(self) -> bool:
        """True when sending the same message again may work (the model failed, not the input)."""
        return issubclass(self.error, ModelError)


@dataclass(frozen=True)
class SummaryReady:
    """The session's summary (stored with it), as text and data, with the journal's diff if any."""

    text: str
    summary: SessionSummary
    diff: EntryDiff | None = None


@dataclass(frozen=True)
class Done:
    """A streamed reply, or the summary, is complete."""


Event = TextDelta | Message | Prompt | Sources | StageOpened | Notice | ErrorEvent | SummaryReady | Done

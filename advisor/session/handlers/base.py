"""What every stage handler can do, and what a stage does unless it says otherwise: open with the
guide's intro, and answer the user's lines as conversation (the model, or guide mode)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, ClassVar

from advisor.errors import UsageError
from advisor.session.conversation import converse
from advisor.session.events import Event, Message
from advisor.session.stages import Stage

if TYPE_CHECKING:
    from advisor.session.engine import Session


class StageHandler:
    """One stage's behaviour. Subclasses set `stage` and override what differs."""

    stage: ClassVar[Stage]
    #: Conversation here retrieves passages and shows them (Frame is about the user, not sources).
    searches_knowledge: ClassVar[bool] = True
    #: Going to this stage while in it runs it again (the summary is rewritten), not a notice.
    reenters: ClassVar[bool] = False
    #: Beliefs proposed by the model can be accepted (/accept) into the journal here.
    records_beliefs: ClassVar[bool] = False

    def enter(self, session: Session) -> Iterator[Event]:
        """What the stage says when it opens: the guide's intro, then `opening_lines`."""
        lines = [session.guide.intro(self.stage), *self.opening_lines(session)]
        text = "\n".join(line for line in lines if line)
        session.say(text)
        yield Message(text)

    def opening_lines(self, session: Session) -> list[str]:
        """Lines after the intro when the stage opens (a first question, a reminder)."""
        return []

    def resumed(self, session: Session) -> Iterator[Event]:
        """What to ask again when a session is resumed at this stage (after the recap)."""
        return iter(())

    def message(self, session: Session, text: str) -> Iterator[Event]:
        """A line the user typed that is not a /command."""
        return converse(session, text, self)

    def noticed(self, session: Session, text: str) -> None:
        """A conversational message was read (its questions and cruxes are already kept)."""

    def record_belief(self, session: Session, statement: str, credence: float, reason: str,
                      belief_id: int | None = None) -> Iterator[Event]:
        """Journal a belief the user accepted from the model's proposals (if `records_beliefs`)."""
        raise UsageError(f"beliefs are not recorded in the {self.stage.label} stage")

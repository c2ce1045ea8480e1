"""Frame: what decision, and what a good outcome would be. Conversation about the user, so no
passages are retrieved; what they say is kept for the summary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.session.handlers.base import StageHandler
from advisor.session.stages import Stage

if TYPE_CHECKING:
    from advisor.session.engine import Session


class FrameHandler(StageHandler):
    stage = Stage.FRAME
    searches_knowledge = False

    def opening_lines(self, session: Session) -> list[str]:
        return [f"You said the topic is: “{session.topic}”."] if session.topic else []

    def noticed(self, session: Session, text: str) -> None:
        session.state.setdefault("frame", []).append(text)


HANDLER = FrameHandler()

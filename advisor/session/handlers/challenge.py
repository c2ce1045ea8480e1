"""Challenge: steelman the other option and close dangling questions; it opens by naming the
belief the user held most confidently, to argue against."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.session.beliefs import before_beliefs
from advisor.session.handlers.base import StageHandler
from advisor.session.stages import Stage

if TYPE_CHECKING:
    from advisor.session.engine import Session


class ChallengeHandler(StageHandler):
    stage = Stage.CHALLENGE

    def opening_lines(self, session: Session) -> list[str]:
        beliefs = before_beliefs(session)
        if not beliefs:
            return []
        strongest = max(beliefs, key=lambda b: abs(b.credence - 50))
        return [f"Your most confident belief before was “{strongest.statement}”. "
                f"Argue the opposite as well as you can."]


HANDLER = ChallengeHandler()

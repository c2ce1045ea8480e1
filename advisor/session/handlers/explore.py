"""Explore: questions, sources, cruxes. Conversation grounded in retrieved passages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.session.handlers.base import StageHandler
from advisor.session.stages import Stage

if TYPE_CHECKING:
    from advisor.session.engine import Session


class ExploreHandler(StageHandler):
    stage = Stage.EXPLORE

    def opening_lines(self, session: Session) -> list[str]:
        question = session.guide.stage_question(self.stage, 0)
        return [question] if question else []


HANDLER = ExploreHandler()

"""`advisor ask`: one question, answered in the Explore stage and stored like any session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from advisor.errors import UsageError
from advisor.session.conversation import converse
from advisor.session.engine import Session
from advisor.session.events import Event
from advisor.session.handlers import handler_for
from advisor.session.llm import ModelClient
from advisor.session.retrieval import Retriever
from advisor.session.stages import Stage

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore
    from advisor.settings import Settings


def ask(journal: JournalStore, settings: Settings, question: str, *, client: ModelClient | None = None,
        retriever: Retriever | None = None) -> tuple[Session, Iterator[Event]]:
    """A one-question session (kind 'ask'): the session, and the events of its answer."""
    question = (question or "").strip()
    if not question:
        raise UsageError('ask a question: advisor ask "..."')
    session = Session.start(journal, settings, question, kind="ask", client=client,
                            retriever=retriever, stage=Stage.EXPLORE)
    return session, converse(session, question, handler_for(Stage.EXPLORE))

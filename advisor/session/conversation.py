"""One conversational turn: the user's message saved first, passages retrieved, then the model's
streamed reply (or guide mode's), saved with its citations; a failed or cut-off reply keeps what
was written and says how to retry."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from advisor.errors import ModelError
from advisor.session.context import build_messages, context_budget
from advisor.session.events import Done, ErrorEvent, Event, Message, Notice, Sources, TextDelta
from advisor.session.guide import read
from advisor.session.passages import citations_for, sources_text

if TYPE_CHECKING:
    from advisor.session.engine import Session
    from advisor.session.handlers.base import StageHandler


def notice_reading(session: Session, text: str, handler: StageHandler) -> None:
    """Keep the dangling questions and cruxes in what the user wrote, for later stages and the summary."""
    reading = read(text)
    questions = session.state.setdefault("questions", [])
    for question in reading.dangling:
        if question not in questions:
            questions.append(question)
    cruxes = session.state.setdefault("cruxes", [])
    for crux in reading.cruxes:
        if crux not in cruxes:
            cruxes.append(crux)
    handler.noticed(session, text)


def converse(session: Session, text: str, handler: StageHandler, *,
             saved: bool = False) -> Iterator[Event]:
    """Answer `text` in `handler`'s stage; `saved` when the message is already stored (a retry)."""
    stage = handler.stage
    if not saved:
        notice_reading(session, text, handler)
        session.save_state()
        session.say(text, role="user")  # saved before any model call
    query = text if len(text) > 40 else f"{session.topic} {text}"
    passages = session.knowledge.search(query) if handler.searches_knowledge else []
    failure = session.knowledge.failure
    if failure and not session.state.get("kb_warned"):
        session.state["kb_warned"] = True
        session.save_state()
        yield Notice(failure)
    citations = citations_for(passages)
    client = session.client
    if client is None:
        reply = session.guide.reply(text, stage, passages, session.bump("guide_counter"),
                                    show_passages=handler.searches_knowledge)
        session.save_state()
        session.say(reply, citations=citations)
        yield Message(reply, citations=citations)
        return
    entry_id = session.entry_id
    messages = build_messages(
        text, topic=session.topic, stage=stage, passages=passages,
        beliefs=session.journal.pre_beliefs(entry_id) if entry_id else [],
        history=session.turns(), small=session.info.small,
        budget=context_budget(session.settings, session.info))
    parts: list[str] = []
    try:
        for piece in client.stream(messages):
            parts.append(piece)
            yield TextDelta(piece)
    except ModelError as exc:
        if parts:
            session.say("".join(parts), citations=citations, status="partial")
        session.say(exc.message, role="notice", status="error")
        yield ErrorEvent(exc.message, type(exc))
        return
    except GeneratorExit:  # the UI stopped the reply: keep what was written
        if parts:
            session.say("".join(parts), citations=citations, status="partial")
        raise
    session.say("".join(parts).strip() or "(the model returned an empty reply)", citations=citations)
    yield Done()
    if citations:
        yield Sources(sources_text(citations), citations)
    if session.info.small:  # a tiny model rarely asks the protocol's questions; the guide does
        questions = session.guide.followups_for(read(text), stage, session.bump("guide_counter"))
        question = questions[0] if questions else session.guide.stage_question(
            stage, session.bump("guide_counter"))
        if question:
            session.save_state()
            session.say("→ " + question)
            yield Message("→ " + question)

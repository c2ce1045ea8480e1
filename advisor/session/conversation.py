"""One conversational turn: the user's message saved first, passages retrieved (as many as the
model's window allows), then the model's streamed reply (or guide mode's), saved with its
citations and the tools it called; a failed or cut-off reply keeps what was written and says how
to retry. The checks on a finished reply are reply_guard.py's."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from advisor.errors import ModelError
from advisor.session.agent import stream_with_tools, uses_tools
from advisor.session.candour import repeated_line, without_repeats
from advisor.session.context import build_messages, context_budget
from advisor.session.events import ErrorEvent, Event, Message, Notice, TextDelta
from advisor.session.guide import Sources as GuideSources
from advisor.session.memory import recall
from advisor.session.passages import citations_for
from advisor.session.questions import mark_answered, track
from advisor.session.reading import Reading, read
from advisor.session.relevance import LexicalScorer
from advisor.session.reply_guard import finish_reply, guard_for_prompt
from advisor.session.tools import TurnTools

if TYPE_CHECKING:
    from advisor.session.engine import Session
    from advisor.session.handlers.base import StageHandler
    from advisor.session.passages import PassageLike

#: An advisor turn that asked for a crux: the user's next message is kept as their answer.
CRUX_QUESTION = re.compile(r"change your mind|flip your current lean|expect to see if|would settle it", re.I)


def notice_reading(session: Session, text: str, handler: StageHandler) -> Reading:
    """Keep the questions, cruxes and answers to "what would change your mind?" in what the user
    wrote, for later stages and the summary."""
    reading = read(text, handler.stage)
    if _answers_crux_question(session) and not reading.asked and not reading.seeks_agreement:
        answers = session.state.setdefault("crux_answers", [])
        if text not in answers:
            answers.append(text)
    track(session.state, reading, text, handler.stage.value, session.topic)
    cruxes = session.state.setdefault("cruxes", [])
    for crux in reading.cruxes:
        if crux not in cruxes:
            cruxes.append(crux)
    handler.noticed(session, text)
    return reading


def _answers_crux_question(session: Session) -> bool:
    said = [t for t in session.turns() if t.role in ("user", "advisor") and t.status == "ok"]
    return bool(said) and said[-1].role == "advisor" and bool(CRUX_QUESTION.search(said[-1].content))


def converse(session: Session, text: str, handler: StageHandler, *,
             saved: bool = False) -> Iterator[Event]:
    """Answer `text` in `handler`'s stage; `saved` when the message is already stored (a retry)."""
    stage = handler.stage
    if not saved:
        reading = notice_reading(session, text, handler)
        session.save_state()
        session.say(text, role="user")  # saved before any model call
    else:
        reading = read(text, stage)
    client = session.client
    try:
        window = client.profile().context_tokens if client is not None else None
    except ModelError as exc:  # e.g. the local model could not be loaded
        session.say(exc.message, role="notice", status="error")
        yield ErrorEvent(exc.message, type(exc))
        return
    budget = context_budget(session.settings, session.info, window)
    query = text if len(text) > 40 else f"{session.topic} {text}"
    passages = session.knowledge.search(query, budget.passages) if handler.searches_knowledge else []
    failure = session.knowledge.failure
    if failure and not session.state.get("kb_warned"):
        session.state["kb_warned"] = True
        session.save_state()
        yield Notice(failure)
    remembered = _recall(session, text) if handler.searches_knowledge else []
    if client is None:
        yield from _guide_turn(session, text, handler, passages, remembered)
        return
    entry_id = session.entry_id
    messages = build_messages(
        text, topic=session.topic, stage=stage, passages=passages,
        beliefs=session.journal.pre_beliefs(entry_id) if entry_id else [],
        history=session.turns(), budget=budget, memory=remembered,
        guard=guard_for_prompt(session.settings, reading))
    given: list[PassageLike] = list(passages)  # grows when the model searches
    tools = TurnTools(session, given)
    stream = stream_with_tools(session, client, messages, tools) if uses_tools(session, client) else client.stream(messages)
    parts: list[str] = []
    looped = False
    try:
        for piece in stream:
            if isinstance(piece, str):
                parts.append(piece)
                yield TextDelta(piece)
                if "\n" in piece and repeated_line("".join(parts)):
                    looped = True  # a small model caught in a loop: stop it rather than let it fill the reply
                    getattr(stream, "close", lambda: None)()  # ends the request, so the server stops too
                    break
            else:
                yield piece
    except ModelError as exc:
        if parts:
            session.say("".join(parts), citations=citations_for(given), status="partial", tool_calls=tools.calls)
        session.say(exc.message, role="notice", status="error")
        yield ErrorEvent(exc.message, type(exc))
        return
    except GeneratorExit:  # the UI stopped the reply: keep what was written
        if parts:
            session.say("".join(parts), citations=citations_for(given), status="partial", tool_calls=tools.calls)
        raise
    reply = "".join(parts)
    if looped:
        reply = without_repeats(reply)
        yield Notice(LOOP_NOTICE)
        session.say(LOOP_NOTICE, role="notice", flags=["repetition"])
    yield from finish_reply(session, client, text, reading, reply, given, tools.calls, messages)


LOOP_NOTICE = "[The model began repeating itself, so it was stopped; the saved reply keeps each line once.]"


def _recall(session: Session, text: str) -> list[str]:
    """The journaled beliefs (outside this session) that bear on the message, with their history."""
    exclude = [b.belief_id for b in session.journal.pre_beliefs(session.entry_id)] if session.entry_id else []
    try:
        return recall(session.journal, text, session.knowledge.scorer(), exclude=exclude)
    except Exception:  # noqa: BLE001 - memory helps a turn but must never end it
        return []


def _guide_turn(session: Session, text: str, handler: StageHandler, passages: list[PassageLike],
                remembered: list[str]) -> Iterator[Event]:
    scorer = session.knowledge.scorer() if handler.searches_knowledge else LexicalScorer()
    sources = GuideSources(scorer=scorer, search=session.knowledge.search,
                           curated=session.knowledge.curated_dir,
                           memory=["From your journal: " + line for line in remembered],
                           said=session.said_in_stage())
    reply = session.guide.reply(text, handler.stage, passages, session.bump("guide_counter"),
                                show_passages=handler.searches_knowledge, sources=sources)
    for question in reply.answered:
        mark_answered(session.state, question, "the knowledge base")
    session.save_state()
    session.say(reply.text, citations=reply.citations)
    yield Message(reply.text, citations=reply.citations)

"""What happens to a model's finished reply: citations outside its passages removed and flagged,
a reply that agreed with a one-sided claim or flattered caught (and, by `advice.flattery_guard`,
answered with the other side from the base, or rewritten), the reply saved with its tool calls,
and a question added when the reply asked none."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from advisor.errors import ModelError
from advisor.session import answers
from advisor.session.candour import Check, check_reply, cited, guard_instruction, revise_request, what_caught
from advisor.session.events import Done, ErrorEvent, Event, Message, Notice, Sources, TextDelta
from advisor.session.passages import PassageLike, citation_line, citations_for, sources_text
from advisor.session.questions import mark_answered
from advisor.session.reading import Reading

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from advisor.session.engine import Session
    from advisor.session.llm import ModelClient
    from advisor.session.store import Citation, ToolCall
    from advisor.settings import Settings


def guard_for_prompt(settings: Settings, reading: Reading) -> str:
    """The steelman-first instruction, when that guard is on and the turn calls for it."""
    return guard_instruction(reading) if settings.advice.flattery_guard == "steelman" else ""


def finish_reply(session: Session, client: ModelClient, text: str, reading: Reading, reply: str,
                 given: list[PassageLike], calls: list[ToolCall],
                 messages: Sequence[BaseMessage]) -> Iterator[Event]:
    citations = citations_for(given)
    check = check_reply(reply, reading, len(given))
    guard = session.settings.advice.flattery_guard
    revise = guard == "revise" and check.caught
    kept = check.text.strip() or "(the model returned an empty reply)"
    session.say(kept, citations=citations, tool_calls=calls, flags=check.flags + (["replaced"] if revise else []))
    yield Done()
    if citations:
        yield Sources(sources_text(citations), citations)
    if check.invalid:
        numbers = ", ".join(f"[{n}]" for n in check.invalid)
        note = (f"The reply cited {numbers}, but it was given {len(given)} passage"
                f"{'s' if len(given) != 1 else ''}; removed from the saved reply.")
        session.say(note, role="notice", flags=["invalid-citation"])
        yield Notice(note)
    if check.caught and guard != "off":
        if revise:
            yield from _revise(session, client, reading, check, given, messages, kept)
            return
        yield from _show_other_side(session, reading, check, citations)
    if reading.asked and reading.kind in ("factual", "list") and cited(kept):
        for asked in reading.asked:
            mark_answered(session.state, asked, "the advisor")
        session.save_state()
    if "?" not in kept:  # a reply that asks nothing: the protocol's question, fitted to the message
        question: str | None = session.guide.question_for(
            text, reading, session.stage, session.bump("guide_counter"), session.knowledge.scorer(),
            said=session.said_in_stage())
        if question:
            session.save_state()
            session.say("→ " + question, flags=["follow-up"])
            yield Message("→ " + question, follow_up=True)


def caught_line(check: Check) -> str:
    return "Caught: this reply " + what_caught(check, "you") + "."


def _show_other_side(session: Session, reading: Reading, check: Check,
                     shown: Sequence[Citation]) -> Iterator[Event]:
    """The check's answer to a caught reply: say so, and quote the other side from the base, numbered
    on from the reply's `shown` Sources (a passage among them keeps its number)."""
    lines = [caught_line(check) + " Agreement from a model is cheap; weigh it with suspicion."]
    claim = reading.one_sided or reading.seeks_agreement
    used: list[Citation] = []
    if claim:
        found, option = answers.steelman(" ".join(claim), session.knowledge.search, session.knowledge.scorer(),
                                         numbered=shown)
        if found.lines:
            used = sorted(found.citations, key=lambda c: c.n)
            lines.append(f"The strongest case the knowledge base makes {option}:")
            lines += found.lines
            lines += ["  " + citation_line(c) for c in used]
    note = "\n".join(lines)
    session.say(note, role="notice", flags=["caught"])  # its sources are listed in the text
    yield Notice(note)


def _revise(session: Session, client: ModelClient, reading: Reading, check: Check, given: list[PassageLike],
            messages: Sequence[BaseMessage], first: str) -> Iterator[Event]:
    """The second pass: the model rewrites a caught reply; the rewrite is checked again."""
    from langchain_core.messages import AIMessage, HumanMessage

    yield Notice(caught_line(check) + " Asking the model to rewrite it.")
    parts: list[str] = []
    try:
        for piece in client.stream([*messages, AIMessage(first), HumanMessage(revise_request(check))]):
            parts.append(piece)
            yield TextDelta(piece)
    except ModelError as exc:
        session.say(exc.message, role="notice", status="error")
        yield ErrorEvent(exc.message, type(exc))
        return
    again = check_reply("".join(parts), reading, len(given))
    citations = citations_for(given)
    session.say(again.text.strip() or "(the model returned an empty reply)", citations=citations,
                flags=["revision", *again.flags])
    yield Done()
    if again.caught:
        yield from _show_other_side(session, reading, again, citations)

"""Before: what the user believes now, with credences and reasons, journaled one by one.

A line is read as `CREDENCE statement because reason` (or a bare credence for the statement
waiting for one); with a model, free text is read into proposed beliefs for /accept; otherwise
a statement without a number is asked for its credence.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from advisor.errors import ModelError
from advisor.journal.models import validate_credence
from advisor.session import prompts
from advisor.session.beliefs import record_pre
from advisor.session.events import Event, Message
from advisor.session.guide import parse_bare_credence, parse_belief_line
from advisor.session.handlers.base import StageHandler
from advisor.session.stages import Stage
from advisor.session.store import ProposalState
from advisor.session.summary import BeliefProposal, BeliefProposals

if TYPE_CHECKING:
    from advisor.session.engine import Session

#: The most proposals shown for one message.
MAX_PROPOSALS = 6


class BeforeHandler(StageHandler):
    stage = Stage.BEFORE
    records_beliefs = True

    def message(self, session: Session, text: str) -> Iterator[Event]:
        session.say(text, role="user")
        pending = session.state.get("pending_statement")
        bare = parse_bare_credence(text)
        line = parse_belief_line(text)
        if pending and bare:
            found: tuple[str, float, str] | None = (pending, *bare)
        elif line.credence is not None and line.statement:
            found = (line.statement, line.credence, line.reason)
        else:
            found = None
        if found:
            session.state.pop("pending_statement", None)
            session.save_state()
            yield from record_pre(session, *found)
            yield from self.next_question(session)
            return
        proposals = propose_beliefs(session, text)
        if proposals:
            yield from show_proposals(session, proposals)
            return
        session.state["pending_statement"] = line.statement
        session.save_state()
        ask = (f"What credence (0-100) do you give “{line.statement}”? "
               f"Answer with a number, optionally followed by `because ...`.")
        session.say(ask)
        yield Message(ask)

    def next_question(self, session: Session) -> Iterator[Event]:
        """The guide's next Before question, after a belief is recorded."""
        question = session.guide.stage_question(self.stage, session.bump("before_counter"))
        session.save_state()
        if question:
            session.say(question)
            yield Message("→ " + question)

    def record_belief(self, session: Session, statement: str, credence: float, reason: str,
                      belief_id: int | None = None) -> Iterator[Event]:
        return record_pre(session, statement, credence, reason, belief_id=belief_id)


HANDLER = BeforeHandler()


def add_from_form(session: Session, statement: str, credence: object, reason: str,
                  belief_id: int | None) -> Iterator[Event]:
    """A belief from a form: fields, not a line to parse, so any statement is taken as written."""
    value = validate_credence(credence)
    if belief_id is not None:
        statement = session.journal.get_belief(belief_id).statement
    session.say(f"{value:g} {statement}" + (f" because {reason}" if reason else ""), role="user")
    yield from record_pre(session, statement, value, reason.strip(), belief_id=belief_id)
    yield from HANDLER.next_question(session)


def propose_beliefs(session: Session, text: str) -> list[BeliefProposal]:
    """Beliefs the model reads in free text; none in guide mode (it asks for the credence)."""
    client = session.client
    if client is None:
        return []
    try:
        found = client.structured(BeliefProposals, prompts.render(
            prompts.load("structured/beliefs.md"), text=text))
    except (ModelError, ValueError):
        return []
    return [p for p in found.beliefs if p.statement.strip()][:MAX_PROPOSALS]


def show_proposals(session: Session, proposals: list[BeliefProposal]) -> Iterator[Event]:
    session.state["proposals"] = [ProposalState(statement=p.statement, credence=p.credence, reason=p.reason)
                                  for p in proposals]
    session.save_state()
    lines = ["I read these beliefs in what you wrote:"]
    for i, p in enumerate(proposals, 1):
        credence = "no credence yet" if p.credence is None else f"{p.credence:g}%"
        why = f" because {p.reason}" if p.reason else ""
        lines.append(f"  {i}. “{p.statement}” — {credence}{why}")
    lines.append("/accept records them (or /accept 1 3); or write one as `CREDENCE statement`.")
    text = "\n".join(lines)
    session.say(text)
    yield Message(text)

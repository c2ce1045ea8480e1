"""After: each Before belief re-rated with its old credence hidden (or dropped, or skipped for
now), then any belief that came up during the session added as new."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Literal

from advisor.errors import UsageError
from advisor.journal.models import validate_credence
from advisor.session.beliefs import after_queue, before_beliefs, record_new_post
from advisor.session.events import Event, Message, Prompt
from advisor.session.guide import parse_bare_credence, parse_belief_line
from advisor.session.handlers.base import StageHandler
from advisor.session.stages import Stage

if TYPE_CHECKING:
    from advisor.session.engine import Session

RerateAction = Literal["rate", "drop", "skip"]


class AfterHandler(StageHandler):
    stage = Stage.AFTER
    records_beliefs = True

    def enter(self, session: Session) -> Iterator[Event]:
        intro = session.guide.intro(self.stage)
        session.say(intro)
        yield Message(intro)
        yield from ask_next(session)

    def resumed(self, session: Session) -> Iterator[Event]:
        return ask_next(session)

    def message(self, session: Session, text: str) -> Iterator[Event]:
        session.say(text, role="user")
        current = session.state.get("after_current")
        if current and current in {b.belief_id for b in after_queue(session)}:
            yield from _rerate_from_text(session, current, text)
            return
        pending = session.state.get("pending_statement")
        bare = parse_bare_credence(text)
        if pending and bare:
            session.state.pop("pending_statement", None)
            yield from record_new_post(session, pending, *bare)
            return
        line = parse_belief_line(re.sub(r"^\s*new\s*:\s*", "", text, flags=re.I))
        if line.credence is None:
            session.state["pending_statement"] = line.statement
            session.save_state()
            ask = f"What credence (0-100) do you give “{line.statement}”?"
            session.say(ask)
            yield Message(ask)
            return
        yield from record_new_post(session, line.statement, line.credence, line.reason)

    def record_belief(self, session: Session, statement: str, credence: float, reason: str,
                      belief_id: int | None = None) -> Iterator[Event]:
        """An accepted proposal: a re-rating when it updates a Before belief, else a new belief."""
        if belief_id is not None and belief_id in {b.belief_id for b in after_queue(session)}:
            return rerate(session, belief_id, "rate", credence, reason)
        return record_new_post(session, statement, credence, reason)


HANDLER = AfterHandler()


def ask_next(session: Session) -> Iterator[Event]:
    """The next belief to re-rate (its old credence not shown), or what to do when none is left."""
    queue = after_queue(session)
    if queue:
        total = len(before_beliefs(session)) or len(queue)
        belief = queue[0]
        session.state["after_current"] = belief.belief_id
        session.save_state()
        yield Prompt(f"Belief {total - len(queue) + 1} of {total}: “{belief.statement}” — "
                     f"your credence now (0-100)?", belief_id=belief.belief_id)
        return
    session.state.pop("after_current", None)
    session.save_state()
    if not before_beliefs(session):
        text = ("You rated no beliefs before, so there is nothing to re-rate. Add any belief you hold "
                "now as `CREDENCE statement because reason`, or /next for the summary.")
    else:
        text = session.guide.stage_question(Stage.AFTER, 0) or "/next for the summary."
    yield Prompt(text)


def _rerate_from_text(session: Session, belief_id: int, text: str) -> Iterator[Event]:
    low = text.strip().lower()
    if low.startswith("skip"):
        return rerate(session, belief_id, "skip")
    if low.startswith("drop"):
        return rerate(session, belief_id, "drop", reason=text.strip()[4:].strip(" :-—"))
    bare = parse_bare_credence(text)
    if bare is None:
        raise UsageError("give a credence from 0 to 100 (optionally `because ...`), or `drop` / `skip`")
    return rerate(session, belief_id, "rate", *bare)


def rerate(session: Session, belief_id: int, action: RerateAction, credence: float | None = None,
           reason: str = "") -> Iterator[Event]:
    """Journal one re-rating (`skip` leaves it for later), then ask for the next."""
    entry_id = session.entry_id
    assert entry_id is not None, "a belief to re-rate implies the session's journal entry"
    if action == "skip":
        session.state.setdefault("after_skipped", []).append(belief_id)
        session.save_state()
    else:
        if action == "drop":
            session.journal.drop_in_post(entry_id, belief_id, reason)
            done = "Dropped."
        else:
            assert credence is not None
            session.journal.rate_post(entry_id, belief_id, credence, reason)
            done = f"Recorded {credence:g}%" + (f" because {reason}." if reason else ".")
        session.say(done)
        yield Message(done)
    yield from ask_next(session)


def rate_from_form(session: Session, belief_id: int, credence: object, reason: str,
                   action: str) -> Iterator[Event]:
    """A re-rating from a form: `rate` (with a credence), `drop` or `skip`."""
    if belief_id not in {b.belief_id for b in after_queue(session)}:
        raise UsageError(f"belief #{belief_id} is not waiting to be re-rated")
    reason = (reason or "").strip()
    if action == "skip":
        session.say("skip", role="user")
        return rerate(session, belief_id, "skip")
    if action == "drop":
        session.say("drop" + (f" {reason}" if reason else ""), role="user")
        return rerate(session, belief_id, "drop", reason=reason)
    value = validate_credence(credence)
    session.say(f"{value:g}" + (f" because {reason}" if reason else ""), role="user")
    return rerate(session, belief_id, "rate", value, reason)


def add_from_form(session: Session, statement: str, credence: object, reason: str) -> Iterator[Event]:
    """A belief that came up during the session, from a form."""
    value = validate_credence(credence)
    session.say(f"new: {value:g} {statement}" + (f" because {reason}" if reason else ""), role="user")
    return record_new_post(session, statement, value, (reason or "").strip())


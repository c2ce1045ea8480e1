"""The session's journal writes: the entry it keeps, beliefs before, new beliefs after, re-ratings.

A session journals into one entry of kind `advisor`, made when the first belief is recorded, so
its Before and After appear in the journal like a conversation with a person.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from advisor.journal.models import BeliefView
from advisor.session import prompts
from advisor.session.events import Event, Message

if TYPE_CHECKING:
    from advisor.session.engine import Session


def ensure_entry(session: Session) -> int:
    """The session's journal entry, made on first use."""
    if session.entry_id:
        return session.entry_id
    entry = session.journal.create_entry(session.topic, kind="advisor", with_whom="advisor",
                                         medium=f"advisor session #{session.id}")
    session.record = session.store.update(session.id, entry_id=entry.id)
    return entry.id


def record_pre(session: Session, statement: str, credence: float, reason: str,
               belief_id: int | None = None) -> Iterator[Event]:
    """A Before belief (a journal belief when `belief_id` is given); no reason asks for one."""
    entry_id = ensure_entry(session)
    rating = session.journal.add_pre_belief(entry_id, statement, credence, reason, belief_id=belief_id)
    belief = session.journal.get_belief(rating.belief_id)
    text = f"Recorded belief #{belief.id}: “{belief.statement}” — {credence:g}%"
    text += f" because {reason}." if reason else "."
    follow = "" if reason else prompts.render(session.guide.followups.get("no_reason", ["Why?"])[0],
                                              quote=belief.statement)
    if follow:
        text += "\n→ " + follow
    session.say(text)
    yield Message(text, belief_id=belief.id)


def record_new_post(session: Session, statement: str, credence: float, reason: str) -> Iterator[Event]:
    """A belief first held after the session's conversation (After)."""
    entry_id = ensure_entry(session)
    rating = session.journal.add_post_belief(entry_id, statement, credence, reason)
    session.save_state()
    text = f"Recorded new belief #{rating.belief_id}: “{statement}” — {credence:g}%."
    session.say(text)
    yield Message(text)


def before_beliefs(session: Session) -> list[BeliefView]:
    return session.journal.pre_beliefs(session.entry_id) if session.entry_id else []


def after_queue(session: Session) -> list[BeliefView]:
    """Before beliefs still to re-rate in After (not rated, not skipped), in order."""
    if not session.entry_id:
        return []
    rated = session.journal.post_ratings(session.entry_id)
    skipped = set(session.state.get("after_skipped", []))
    return [b for b in before_beliefs(session) if b.belief_id not in rated and b.belief_id not in skipped]


def before_credence(session: Session, belief_id: int) -> float | None:
    """The credence given to a belief in this session's Before (to reveal once it is re-rated)."""
    return next((b.credence for b in before_beliefs(session) if b.belief_id == belief_id), None)

"""The advisor's memory of the user: their journaled beliefs and how each moved, in words
("on 2 Mar 2026, before “coffee with Sam” you put it at 70% because …; after it, at 60% …").
The agent reads them with a tool; without tools (guide mode, models that cannot call them) the
engine finds the ones that bear on a message.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor.session.relevance import Scorer, best

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore

#: At most this many beliefs are recalled for one message.
RECALL = 2


def history_line(journal: JournalStore, belief_id: int) -> str:
    """One belief and every rating of it, oldest first, with the reasons given."""
    history = journal.belief_history(belief_id)
    steps = []
    previous_entry = None
    for p in history.points:
        when = f"{p.on:%-d %b %Y}"  # the day of the conversation, as everywhere the journal is shown
        why = f" because {p.reason}" if p.reason else ""
        if p.dropped:
            steps.append(f"dropped it on {when}" + (f" ({p.reason})" if p.reason else ""))
        elif p.phase == "post" and p.entry_id == previous_entry:
            steps.append(f"after it, at {p.credence:g}%{why}")
        else:
            moment = "before" if p.phase == "pre" else "after"
            steps.append(f"on {when}, {moment} “{p.entry_about}” you put it at {p.credence:g}%{why}")
        previous_entry = p.entry_id
    said = "; ".join(steps) if steps else "never rated"
    return f"#{belief_id} “{history.belief.statement}”: {said}."


def recall(journal: JournalStore, text: str, scorer: Scorer, *, exclude: Sequence[int] = (),
           limit: int = RECALL) -> list[str]:
    """History lines of the journaled beliefs that bear most on `text` (none below the threshold)."""
    beliefs = [b for b in journal.all_beliefs() if b.id not in exclude]
    if not beliefs or not text.strip():
        return []
    ranked = best(scorer, text, [b.statement for b in beliefs])
    return [history_line(journal, beliefs[i].id) for i, score in ranked[:limit] if score >= scorer.threshold]


def search_beliefs(journal: JournalStore, query: str, scorer: Scorer, limit: int = 5) -> list[str]:
    """For the agent's tool: the beliefs matching `query` (all of them, newest last, when empty)."""
    beliefs = journal.all_beliefs()
    if not query.strip():
        return [history_line(journal, b.id) for b in beliefs[-limit:]]
    ranked = best(scorer, query, [b.statement for b in beliefs])
    return [history_line(journal, beliefs[i].id) for i, score in ranked[:limit] if score > 0]

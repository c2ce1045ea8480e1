"""Read-only views of the journal, computed from its rows: an entry's diff, a belief's history,
every belief's latest credence, the beliefs due to resolve. The JournalStore methods of the same
names call these; kept apart so that the store holds the writes and their rules."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from advisor.journal.models import BeliefHistory, BeliefSummary, DiffRow, EntryDiff, HistoryPoint
from advisor.journal.rows import RatingSummary, is_due, rating_summaries

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore


def entry_diff(store: JournalStore, entry_id: int) -> EntryDiff:
    entry = store.get_entry(entry_id)
    pre = store.pre_beliefs(entry_id)
    post = store.post_ratings(entry_id)
    diff = EntryDiff(entry=entry)
    pre_ids = set()
    for b in pre:
        pre_ids.add(b.belief_id)
        row = DiffRow(
            belief_id=b.belief_id, statement=b.statement, before=b.credence, before_reason=b.reason
        )
        rating = post.get(b.belief_id)
        if rating is None:
            diff.unrated.append(row)
        elif rating.dropped:
            row.reason = rating.reason
            diff.dropped.append(row)
        else:
            row.after, row.reason = rating.credence, rating.reason
            diff.moved.append(row)
    diff.moved.sort(key=lambda r: (-abs(r.change), r.belief_id))
    for bid, rating in post.items():
        if bid not in pre_ids:
            belief = store.get_belief(bid)
            diff.new.append(
                DiffRow(belief_id=bid, statement=belief.statement, after=rating.credence, reason=rating.reason)
            )
    return diff

def belief_history(store: JournalStore, belief_id: int) -> BeliefHistory:
    belief = store.get_belief(belief_id)
    rows = store._all(
        "SELECT r.*, e.about AS entry_about, coalesce(e.occurred_on, substr(e.created_at, 1, 10)) AS entry_on"
        " FROM ratings r JOIN entries e ON e.id = r.entry_id"
        " WHERE r.belief_id = ? ORDER BY r.created_at, r.id",
        (belief_id,),
    )
    points = [
        HistoryPoint(
            entry_id=r["entry_id"], entry_about=r["entry_about"], phase=r["phase"],
            credence=r["credence"], reason=r["reason"], dropped=bool(r["dropped"]), at=r["created_at"],
            on=r["entry_on"],
        )
        for r in rows
    ]
    return BeliefHistory(belief=belief, points=points)

def list_beliefs(store: JournalStore) -> list[BeliefSummary]:
    """Every belief with its latest credence, how often rated, and its last change."""
    summaries = rating_summaries(store.conn)
    return [BeliefSummary(belief=belief, **asdict(summaries.get(belief.id, RatingSummary())))
            for belief in store.all_beliefs()]

def due_beliefs(store: JournalStore, today: date) -> list[BeliefSummary]:
    """Open beliefs whose resolve-by date is today or past, the longest overdue first."""
    due = [s for s in store.list_beliefs() if is_due(s.belief.resolution, s.belief.resolve_by, today)]
    return sorted(due, key=lambda s: (s.belief.resolve_by, s.belief.id))

def credence_before(store: JournalStore, belief_id: int, moment: datetime | None) -> float | None:
    """The latest credence given to a belief up to `moment` (all time when None)."""
    sql = "SELECT credence FROM ratings WHERE belief_id = ? AND dropped = 0"
    params: list[Any] = [belief_id]
    if moment is not None:
        sql += " AND created_at <= ?"
        params.append(moment.isoformat())
    row = store.conn.execute(sql + " ORDER BY created_at DESC, id DESC LIMIT 1", params).fetchone()
    return None if row is None else float(row[0])

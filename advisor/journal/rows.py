"""The journal's rows as plain dataclasses, read with sqlite3 alone (no pydantic): the recent
entries, every belief's latest credence and history, the beliefs due to resolve.

Home draws these in its first frame, before the store (and pydantic, ~70 ms) is imported. The
store reads the same queries and builds its models from the same summaries (store.py, views.py),
so there is one way to read the journal. `open_current` opens a journal for these reads only
when its schema is the one this code writes; otherwise the caller opens the store, which migrates.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from advisor.journal.migrations import is_current

ENTRIES_SQL = "SELECT * FROM entries ORDER BY created_at, id"
BELIEFS_SQL = "SELECT * FROM beliefs ORDER BY id"
RATINGS_SQL = "SELECT belief_id, credence, dropped, created_at FROM ratings ORDER BY created_at, id"


@dataclass(frozen=True)
class RatingSummary:
    """A belief's ratings in time order, summed up (the fields of a BeliefSummary)."""

    latest: float | None = None
    times_rated: int = 0
    last_change: float | None = None  # latest credence minus the one before it
    last_rated_at: datetime | None = None
    dropped: bool = False
    history: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class BeliefLine:
    """One belief with its ratings summed up: a row of Home's beliefs table or its due panel."""

    id: int
    statement: str
    resolve_by: date | None
    resolution: str | None
    ratings: RatingSummary


@dataclass(frozen=True)
class EntryLine:
    """One journal entry as lists show it."""

    id: int
    about: str
    with_whom: str | None
    post_status: str
    created_at: datetime


def summarize(ratings: Iterable[tuple[float | None, bool, str]]) -> RatingSummary:
    """(credence, dropped, created_at) of one belief's ratings, oldest first."""
    rows = list(ratings)
    values = [credence for credence, dropped, _ in rows if not dropped and credence is not None]
    return RatingSummary(
        latest=values[-1] if values else None,
        times_rated=len(values),
        last_change=(values[-1] - values[-2]) if len(values) >= 2 else None,
        last_rated_at=datetime.fromisoformat(rows[-1][2]) if rows else None,
        dropped=bool(rows and rows[-1][1]),
        history=values,
    )


def rating_summaries(conn: sqlite3.Connection) -> dict[int, RatingSummary]:
    """Every rated belief's summary, by belief id."""
    ratings: dict[int, list[tuple[float | None, bool, str]]] = {}
    for belief_id, credence, dropped, created_at in conn.execute(RATINGS_SQL):
        ratings.setdefault(belief_id, []).append((credence, bool(dropped), created_at))
    return {belief_id: summarize(rows) for belief_id, rows in ratings.items()}


def belief_lines(conn: sqlite3.Connection) -> list[BeliefLine]:
    """Every belief, by id, with its ratings summed up."""
    summaries = rating_summaries(conn)
    cur = conn.execute(BELIEFS_SQL)
    cur.row_factory = sqlite3.Row
    return [
        BeliefLine(
            id=row["id"], statement=row["statement"], resolution=row["resolution"],
            resolve_by=date.fromisoformat(row["resolve_by"]) if row["resolve_by"] else None,
            ratings=summaries.get(row["id"], RatingSummary()),
        )
        for row in cur
    ]


def is_due(resolution: str | None, resolve_by: date | None, today: date) -> bool:
    """Open, with a resolve-by date that is today or past."""
    return resolution is None and resolve_by is not None and resolve_by <= today


def due_lines(lines: Iterable[BeliefLine], today: date) -> list[BeliefLine]:
    """The beliefs due to resolve, the longest overdue first."""
    return sorted((b for b in lines if is_due(b.resolution, b.resolve_by, today)),
                  key=lambda b: (b.resolve_by, b.id))


def entry_lines(conn: sqlite3.Connection) -> list[EntryLine]:
    """Every entry, oldest first."""
    cur = conn.execute(ENTRIES_SQL)
    cur.row_factory = sqlite3.Row
    return [EntryLine(id=r["id"], about=r["about"], with_whom=r["with_whom"], post_status=r["post_status"],
                      created_at=datetime.fromisoformat(r["created_at"])) for r in cur]


def open_current(path: Path) -> sqlite3.Connection | None:
    """The journal at `path` opened read-only, when it exists and every journal migration is
    applied; else None (a new journal, an older schema, a newer one, or a file that cannot be read:
    the store then opens it, migrates it or says why)."""
    if not path.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        if is_current(conn):
            return conn
    except sqlite3.Error:
        pass
    conn.close()
    return None


@contextmanager
def snapshot(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Reads inside see one state of the file (a write between two of them is not half seen)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN")
    try:
        yield conn
    finally:
        conn.execute("COMMIT")

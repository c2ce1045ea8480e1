"""What Home shows, read with sqlite3 alone (advisor.journal.rows, advisor.session.recent): the
recent sessions and entries, the beliefs with their latest credence and history, the ones due.

Home's first frame carries it: read-only from a journal whose schema is current, before the
store (pydantic) loads. Any other journal (new, older, newer, unreadable) gets None here, and
Home fills in once the store has opened and migrated it, as before.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from advisor.journal.rows import BeliefLine, EntryLine, belief_lines, due_lines, entry_lines, open_current, snapshot
from advisor.session.recent import SessionLine, recent_if_current, recent_sessions

RECENT = 30  # sessions and entries listed


@dataclass(frozen=True)
class HomeData:
    sessions: list[SessionLine]
    entries: list[EntryLine]
    beliefs: list[BeliefLine]
    due: list[BeliefLine]


def read_home_data(conn: sqlite3.Connection, today: date) -> HomeData:
    """Through the journal store's connection (its tables migrated); the session tables are
    brought up to date first, as the session store does when it opens."""
    from advisor.session.migrations import migrate_sessions

    migrate_sessions(conn)
    with snapshot(conn):
        return _read(conn, recent_sessions(conn, RECENT), today)


def read_current(path: Path, today: date) -> HomeData | None:
    """From the file at `path` opened read-only, or None when it is not readable as it is."""
    conn = open_current(path)
    if conn is None:
        return None
    try:
        with snapshot(conn):
            sessions = recent_if_current(conn, RECENT)
            return None if sessions is None else _read(conn, sessions, today)
    except (sqlite3.Error, ValueError):  # a file being replaced, a date it cannot read: the store says why
        return None
    finally:
        conn.close()


def _read(conn: sqlite3.Connection, sessions: list[SessionLine], today: date) -> HomeData:
    beliefs = belief_lines(conn)
    return HomeData(sessions=sessions, entries=entry_lines(conn), beliefs=beliefs, due=due_lines(beliefs, today))

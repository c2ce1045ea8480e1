"""Recent sessions as plain rows, read with sqlite3 alone (no pydantic): what Home lists in its
first frame. SessionStore.recent reads the same query into its models."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from advisor.session.migrations import sessions_current

RECENT_SQL = "SELECT * FROM sessions WHERE kind = 'session' ORDER BY updated_at DESC, id DESC LIMIT ?"


@dataclass(frozen=True)
class SessionLine:
    """One reflection session as lists show it."""

    id: int
    topic: str
    stage: str
    status: str
    entry_id: int | None
    updated_at: datetime


def recent_sessions(conn: sqlite3.Connection, limit: int = 30) -> list[SessionLine]:
    """Reflection sessions (not one-off `ask`s), most recently active first."""
    cur = conn.execute(RECENT_SQL, (limit,))
    cur.row_factory = sqlite3.Row
    return [SessionLine(id=r["id"], topic=r["topic"], stage=r["stage"], status=r["status"], entry_id=r["entry_id"],
                        updated_at=datetime.fromisoformat(r["updated_at"])) for r in cur]


def recent_if_current(conn: sqlite3.Connection, limit: int = 30) -> list[SessionLine] | None:
    """The recent sessions of a file read without migrating it: None when its session tables are
    not the ones this code writes (the session store then migrates them first). A journal that
    never had a session has none."""
    if sessions_current(conn):
        return recent_sessions(conn, limit)
    if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sessions'").fetchone() is None:
        return []
    return None

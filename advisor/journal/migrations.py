"""Schema migrations: an ordered list of small functions, each recorded in `_migrations` once applied.

Append new migrations at the end; never edit or reorder one that has shipped. A journal that has a
migration this code does not know was written by a newer advisor and is refused, not guessed at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone

from advisor.errors import StorageError

Migration = Callable[[sqlite3.Connection], None]


def m001_entries_beliefs_ratings(conn: sqlite3.Connection) -> None:
    conn.execute(
        """
        CREATE TABLE entries (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'advisor')),
            about TEXT NOT NULL,
            with_whom TEXT,
            medium TEXT,
            occurred_on TEXT,
            created_at TEXT NOT NULL,
            post_status TEXT NOT NULL DEFAULT 'none'
                CHECK (post_status IN ('none', 'in_progress', 'complete')),
            post_completed_at TEXT
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE beliefs (
            id INTEGER PRIMARY KEY,
            statement TEXT NOT NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE ratings (
            id INTEGER PRIMARY KEY,
            entry_id INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
            belief_id INTEGER NOT NULL REFERENCES beliefs(id) ON DELETE CASCADE,
            phase TEXT NOT NULL CHECK (phase IN ('pre', 'post')),
            credence REAL CHECK (credence IS NULL OR (credence >= 0 AND credence <= 100)),
            reason TEXT NOT NULL DEFAULT '',
            dropped INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            UNIQUE (entry_id, belief_id, phase)
        )
        """
    )


def m002_belief_resolution(conn: sqlite3.Connection) -> None:
    """Resolvable beliefs (Fatebook-style): a date to resolve by and the outcome."""
    conn.execute("ALTER TABLE beliefs ADD COLUMN resolve_by TEXT")
    conn.execute(
        "ALTER TABLE beliefs ADD COLUMN resolution TEXT "
        "CHECK (resolution IS NULL OR resolution IN ('yes', 'no', 'ambiguous'))"
    )
    conn.execute("ALTER TABLE beliefs ADD COLUMN resolved_at TEXT")


def m003_rating_indexes(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE INDEX ratings_by_belief ON ratings (belief_id, created_at)")
    conn.execute("CREATE INDEX ratings_by_entry ON ratings (entry_id, phase)")


def m004_sessions_turns(conn: sqlite3.Connection) -> None:
    """Advisor sessions (advisor/session/store.py) and their turns, saved one by one."""
    conn.execute(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'session' CHECK (kind IN ('session', 'ask')),
            topic TEXT NOT NULL,
            stage TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'complete')),
            provider TEXT NOT NULL DEFAULT '',
            model_label TEXT NOT NULL DEFAULT '',
            entry_id INTEGER REFERENCES entries(id) ON DELETE SET NULL,
            state TEXT NOT NULL DEFAULT '{}',
            summary TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'advisor', 'notice')),
            content TEXT NOT NULL,
            citations TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'error', 'partial')),
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX turns_by_session ON turns (session_id, id)")


MIGRATIONS: list[Migration] = [
    m001_entries_beliefs_ratings,
    m002_belief_resolution,
    m003_rating_indexes,
    m004_sessions_turns,
]


def applied_migrations(conn: sqlite3.Connection) -> list[str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
    )
    return [row[0] for row in conn.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> list[str]:
    """Apply every migration not yet recorded, each in its own transaction; return the names applied."""
    migrations = MIGRATIONS if migrations is None else migrations
    known = [m.__name__ for m in migrations]
    done = applied_migrations(conn)
    unknown = [name for name in done if name not in known]
    if unknown:
        raise StorageError(
            f"this journal was written by a newer version of advisor (it has migration "
            f"{unknown[0]!r}, schema {len(done)} > {len(known)}); upgrade advisor to open it"
        )
    applied = []
    for migration in migrations:
        if migration.__name__ in done:
            continue
        # One transaction per migration: all of it or none of it. The connection is in
        # autocommit mode (isolation_level=None), so DDL is covered by the explicit BEGIN.
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration(conn)
            conn.execute(
                "INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                (migration.__name__, datetime.now(timezone.utc).isoformat()),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(migration.__name__)
    return applied

"""The session store's own schema: an ordered list of small migrations, recorded in `_session_migrations`.

The session tables live in the journal's SQLite file (a session links to its journal entry), but
this list, not the journal's, owns them. Append new migrations at the end; never edit one that
has shipped. Journals written before the store owned its tables got them from the journal's
migration m004 (still recorded in the journal's `_migrations`); the first migration here creates
the same tables only where they are missing, so those files open as they are.
"""

from __future__ import annotations

import sqlite3

from advisor.journal.migrations import Migration, is_current, migrate

TABLE = "_session_migrations"


def m001_sessions_turns(conn: sqlite3.Connection) -> None:
    """Sessions and their turns, saved one by one (the journal's former m004, unchanged)."""
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS sessions (
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
        CREATE TABLE IF NOT EXISTS turns (
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
    conn.execute("CREATE INDEX IF NOT EXISTS turns_by_session ON turns (session_id, id)")


def m002_turn_tool_calls_and_flags(conn: sqlite3.Connection) -> None:
    """Each turn keeps the tools the model called for it and what the reply checks found."""
    conn.execute("ALTER TABLE turns ADD COLUMN tool_calls TEXT NOT NULL DEFAULT '[]'")
    conn.execute("ALTER TABLE turns ADD COLUMN flags TEXT NOT NULL DEFAULT '[]'")


MIGRATIONS: list[Migration] = [
    m001_sessions_turns,
    m002_turn_tool_calls_and_flags,
]


def migrate_sessions(conn: sqlite3.Connection) -> list[str]:
    """Bring the session tables up to date (the journal's tables must exist); names applied."""
    return migrate(conn, MIGRATIONS, table=TABLE, handed_over=())


def sessions_current(conn: sqlite3.Connection) -> bool:
    """Whether the session tables are up to date (read only: nothing is created or migrated)."""
    return is_current(conn, MIGRATIONS, table=TABLE, handed_over=())

"""Schema migrations: an ordered list of small functions, each recorded in `_migrations` once applied.

Append new migrations at the end; never edit or reorder one that has shipped. A journal that has a
migration this code does not know was written by a newer advisor and is refused, not guessed at.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

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


def m005_unfinished_posts_in_progress(conn: sqlite3.Connection) -> None:
    """A post marked complete while some pre beliefs were never re-rated is in progress: it was
    shown "complete" beside "Not re-rated yet" (the journal now completes a post only when every
    pre belief is re-rated or dropped)."""
    conn.execute(
        """
        UPDATE entries SET post_status = 'in_progress', post_completed_at = NULL
        WHERE post_status = 'complete' AND EXISTS (
            SELECT 1 FROM ratings pre WHERE pre.entry_id = entries.id AND pre.phase = 'pre'
            AND NOT EXISTS (SELECT 1 FROM ratings post WHERE post.entry_id = pre.entry_id
                            AND post.belief_id = pre.belief_id AND post.phase = 'post'))
        """
    )


MIGRATIONS: list[Migration] = [
    m001_entries_beliefs_ratings,
    m002_belief_resolution,
    m003_rating_indexes,
    m005_unfinished_posts_in_progress,  # m004 was handed over to the session store
]

#: Migrations that shipped in this list and now belong to another store's own list, which
#: records them in its own table. Journals that applied them here keep the record, so the
#: names stay known (not "from a newer version"): m004 made the session tables, now owned by
#: advisor/session/migrations.py.
HANDED_OVER: tuple[str, ...] = ("m004_sessions_turns",)

#: Where the journal records its migrations; other stores in the same file use `_<store>_migrations`.
TABLE = "_migrations"


def applied_migrations(conn: sqlite3.Connection, table: str = TABLE) -> list[str]:
    """The migrations recorded in `table`, in the order they were applied."""
    conn.execute(f'CREATE TABLE IF NOT EXISTS "{table}" (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)')
    return [row[0] for row in conn.execute(f'SELECT name FROM "{table}" ORDER BY rowid')]


def recorded_migrations(conn: sqlite3.Connection) -> list[str]:
    """Every migration recorded in this file, by the journal and by each store that keeps its own
    list here (a table named `_<store>_migrations`): the file's whole schema, for exports."""
    tables = [row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_%migrations' ESCAPE '\\'"
        " ORDER BY rowid")]
    return [name for table in tables for name in applied_migrations(conn, table)]


def is_current(conn: sqlite3.Connection, migrations: list[Migration] | None = None, *,
               table: str = TABLE, handed_over: tuple[str, ...] = HANDED_OVER) -> bool:
    """Whether every migration is recorded in `table` and none this code does not know: the file
    reads as this code reads it, without migrating. Read only (`migrate` creates the table)."""
    migrations = MIGRATIONS if migrations is None else migrations
    try:
        done = {row[0] for row in conn.execute(f'SELECT name FROM "{table}"')}
    except sqlite3.OperationalError:  # no such table: never migrated
        return False
    names = {m.__name__ for m in migrations}
    return names <= done <= names | set(handed_over)


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None, *,
            table: str = TABLE, handed_over: tuple[str, ...] = HANDED_OVER) -> list[str]:
    """Apply every migration not yet recorded in `table`, each in its own transaction; return the
    names applied. Names in `handed_over` are known but no longer applied here."""
    migrations = MIGRATIONS if migrations is None else migrations
    known = [m.__name__ for m in migrations] + list(handed_over)
    done = applied_migrations(conn, table)
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
            # another connection to the same file may have applied it since we looked
            if conn.execute(f'SELECT 1 FROM "{table}" WHERE name = ?', (migration.__name__,)).fetchone():
                conn.execute("COMMIT")
                continue
            migration(conn)
            conn.execute(
                f'INSERT INTO "{table}" (name, applied_at) VALUES (?, ?)',
                (migration.__name__, datetime.now(UTC).isoformat()),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        applied.append(migration.__name__)
    return applied

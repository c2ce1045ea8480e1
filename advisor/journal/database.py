"""The journal's SQLite file: opened in WAL mode with foreign keys on, migrated, one transaction per write.

Kept apart from the queries (store.py) so that other stores sharing the file (the session store)
use the same connection rules and transactions.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from advisor.errors import StorageError
from advisor.journal.migrations import migrate
from advisor.private import private_file, private_sqlite


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating and migrating) the journal file, or raise one clear StorageError."""
    try:
        private_file(path)  # 0600 before SQLite opens it: its -wal and -shm files copy the mode
        conn = sqlite3.connect(path, isolation_level=None, timeout=10, check_same_thread=False)
    except (OSError, sqlite3.Error) as exc:
        raise StorageError(f"cannot open the journal {path}: {reason(exc)}") from None
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            raise StorageError(f"the journal {path} cannot use WAL mode (got {mode})")
        migrate(conn)
        private_sqlite(path)
    except StorageError:
        conn.close()
        raise
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StorageError(f"the journal {path} cannot be read ({reason(exc)}); it is left untouched") from None
    except OSError as exc:
        conn.close()
        raise StorageError(f"cannot write the journal {path}: {reason(exc)}") from None
    return conn


class Database:
    """One connection to the journal file, with transactions and row helpers."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, path: Path | str) -> Self:
        """Open (creating and migrating) the journal at `path`, or raise one clear StorageError."""
        path = Path(path)
        return cls(connect(path), path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together or not at all (nested calls join the outer one)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        cur = self.conn.execute(sql, params)
        cur.row_factory = sqlite3.Row
        row: sqlite3.Row | None = cur.fetchone()
        return row

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        cur = self.conn.execute(sql, params)
        cur.row_factory = sqlite3.Row
        return cur.fetchall()


def reason(exc: BaseException) -> str:
    """What went wrong, in the few words a user needs."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__

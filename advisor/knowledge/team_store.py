"""What one home keeps about the team knowledge base, in `home/team.sqlite3` (SQLite, WAL):

- this home's identity: a random uuid (the `owner` of everything it uploads), made once;
- which of its notes are shared, and whether each is uploaded yet (the pending-upload queue: a
  note shared while the server is down waits here and goes up on the next connection);
- a mirror of the other members' shared passages (text and metadata), with an FTS5 index over
  them, so that team notes are ranked lexically (BM25) exactly like the home's own passages.

It lives in the home, not in `index/`: `kb reindex --full` rebuilds the index but must not forget
what the user chose to share. The mirror is derived data (it is refilled from the server).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from advisor.errors import StorageError
from advisor.knowledge.catalog import BM25_WEIGHTS, MetaDB, fts_query

TEAM_FILE = "team.sqlite3"

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)",
    # uploaded_at is NULL while the note waits for the server
    "CREATE TABLE IF NOT EXISTS shared(source_id TEXT PRIMARY KEY, shared_at TEXT NOT NULL, uploaded_at TEXT)",
    """CREATE TABLE IF NOT EXISTS mirror(
        rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, owner_name TEXT NOT NULL,
        added_at TEXT, source_id TEXT NOT NULL, title TEXT NOT NULL, location TEXT NOT NULL,
        heading TEXT NOT NULL DEFAULT '', text TEXT NOT NULL, topics TEXT NOT NULL DEFAULT '[]')""",
    """CREATE VIRTUAL TABLE IF NOT EXISTS mirror_fts USING fts5(
        text, title, heading, content='mirror', content_rowid='rowid', tokenize='porter unicode61')""",
    """CREATE TRIGGER IF NOT EXISTS mirror_ai AFTER INSERT ON mirror BEGIN
        INSERT INTO mirror_fts(rowid, text, title, heading) VALUES (new.rowid, new.text, new.title, new.heading);
    END""",
    """CREATE TRIGGER IF NOT EXISTS mirror_ad AFTER DELETE ON mirror BEGIN
        INSERT INTO mirror_fts(mirror_fts, rowid, text, title, heading)
            VALUES('delete', old.rowid, old.text, old.title, old.heading);
    END""",
)


@dataclass(frozen=True)
class TeamPassage:
    """One passage another member shared, as the server (and the mirror) hold it."""

    id: str
    owner: str
    owner_name: str
    added_at: str | None
    source_id: str
    title: str
    location: str
    heading: str
    text: str
    topics: tuple[str, ...] = ()


class TeamStore(MetaDB):
    """The home's team state and the mirror of the team's passages (one SQLite file)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            for stmt in _SCHEMA:
                self.db.execute(stmt)
            with self.transaction():  # one identity, even when two processes open a new home at once
                if self.get_meta("home_id") is None:
                    self.set_meta("home_id", str(uuid.uuid4()))
            self.home_id = self.get_meta("home_id") or ""  # this home's owner id on the server
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"the team state at {path} is unreadable ({exc})") from None

    # ------------------------------------------------------------------ shared notes
    def share(self, source_ids: Iterable[str], when: str) -> None:
        """Mark notes shared and waiting to upload."""
        self.db.executemany(
            "INSERT INTO shared(source_id, shared_at, uploaded_at) VALUES(?, ?, NULL) "
            "ON CONFLICT(source_id) DO UPDATE SET uploaded_at=NULL",
            [(sid, when) for sid in source_ids],
        )

    def unshare(self, source_id: str) -> bool:
        """Make a note private again (its passages leave the server on the next connection)."""
        return self.db.execute("DELETE FROM shared WHERE source_id=?", (source_id,)).rowcount > 0

    def shared(self) -> dict[str, str | None]:
        """{source_id: uploaded_at or None while pending}."""
        return {r[0]: r[1] for r in self.db.execute("SELECT source_id, uploaded_at FROM shared")}

    def mark_uploaded(self, source_ids: Iterable[str], when: str) -> None:
        self.db.executemany("UPDATE shared SET uploaded_at=? WHERE source_id=?", [(when, s) for s in source_ids])

    # ------------------------------------------------------------------ the mirror
    def mirror_ids(self) -> set[str]:
        return {r[0] for r in self.db.execute("SELECT id FROM mirror")}

    def reset_mirror(self, of: str) -> None:
        """Empty the mirror when it is the copy of another server or collection than `of`."""
        if self.get_meta("mirror_of") != of:
            with self.transaction():
                self.db.execute("DELETE FROM mirror")
                self.set_meta("mirror_of", of)

    def mirror_update(self, add: Sequence[TeamPassage], remove: Sequence[str]) -> None:
        with self.transaction():
            self.db.executemany("DELETE FROM mirror WHERE id=?", [(i,) for i in remove])
            self.db.executemany(
                "INSERT OR REPLACE INTO mirror(id, owner, owner_name, added_at, source_id, title, location, "
                "heading, text, topics) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(p.id, p.owner, p.owner_name, p.added_at, p.source_id, p.title, p.location, p.heading, p.text,
                  json.dumps(list(p.topics))) for p in add],
            )

    def mirror_passages(self, ids: Sequence[str]) -> dict[str, TeamPassage]:
        if not ids:
            return {}
        rows = self.db.execute(f"SELECT * FROM mirror WHERE id IN ({', '.join('?' * len(ids))})", list(ids))
        return {r["id"]: _passage(r) for r in rows}

    def lexical_search(self, query: str, n: int, topics: Sequence[str] | None = None) -> list[tuple[str, float]]:
        """BM25 over the mirrored team passages: [(id, -bm25)], best first (like Catalog's)."""
        match = fts_query(query)
        if match is None:
            return []
        sql = (
            f"SELECT m.id, bm25(mirror_fts, {', '.join(map(str, BM25_WEIGHTS))}) AS rank FROM mirror_fts "
            "JOIN mirror m ON m.rowid = mirror_fts.rowid WHERE mirror_fts MATCH ?"
        )
        params: list[str | int] = [match]
        if topics:
            sql += " AND EXISTS (SELECT 1 FROM json_each(m.topics) WHERE value IN " \
                   f"({', '.join('?' * len(topics))}))"
            params += list(topics)
        rows = self.db.execute(sql + " ORDER BY rank LIMIT ?", [*params, n]).fetchall()
        return [(r[0], -float(r[1])) for r in rows]


def _passage(r: sqlite3.Row) -> TeamPassage:
    return TeamPassage(
        id=r["id"], owner=r["owner"], owner_name=r["owner_name"], added_at=r["added_at"],
        source_id=r["source_id"], title=r["title"], location=r["location"], heading=r["heading"],
        text=r["text"], topics=tuple(json.loads(r["topics"] or "[]")),
    )

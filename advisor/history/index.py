"""The history search index: one SQLite FTS5 table (BM25, porter stemming) over every `Doc`.

Derived data, in `index_dir/history.sqlite3`: brought up to date from the stores before each
search (only what changed is rewritten) and rebuilt from scratch when it is missing, damaged or
from another version. One index over everything keeps the BM25 scores of a belief, a session turn
and a note comparable, so one ranking can hold them all.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from advisor.errors import StorageError
from advisor.history.documents import Doc, Kind
from advisor.journal.database import Database

INDEX_FILE = "history.sqlite3"
SCHEMA_VERSION = "1"
MARK_START, MARK_END = "\x02", "\x03"  # around each match in a snippet
SNIPPET_TOKENS = 16
BM25_WEIGHTS = (2.0, 1.0)  # title, body: a belief's statement or a session's topic is what it is about

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT)",
    """CREATE TABLE IF NOT EXISTS docs(
        rowid INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, grp TEXT NOT NULL, kind TEXT NOT NULL,
        target TEXT NOT NULL, label TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL,
        day TEXT, place TEXT NOT NULL, stamp TEXT NOT NULL)""",
    "CREATE INDEX IF NOT EXISTS docs_grp ON docs(grp)",
    "CREATE TABLE IF NOT EXISTS groups(grp TEXT PRIMARY KEY, stamp TEXT NOT NULL)",
    """CREATE VIRTUAL TABLE IF NOT EXISTS docs_fts USING fts5(
        title, body, content='docs', content_rowid='rowid', tokenize='porter unicode61')""",
    """CREATE TRIGGER IF NOT EXISTS docs_ai AFTER INSERT ON docs BEGIN
        INSERT INTO docs_fts(rowid, title, body) VALUES (new.rowid, new.title, new.body); END""",
    """CREATE TRIGGER IF NOT EXISTS docs_ad AFTER DELETE ON docs BEGIN
        INSERT INTO docs_fts(docs_fts, rowid, title, body) VALUES ('delete', old.rowid, old.title, old.body); END""",
)


@dataclass(frozen=True)
class Hit:
    """One matching doc, best first: its BM25 score (higher is better) and marked snippet."""

    key: str
    kind: Kind
    target: str
    label: str
    place: str
    day: date | None
    score: float
    snippet: str


class HistoryIndex(Database):
    """The FTS5 index file (transactions as the journal's); open it with the path, close it when done."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            conn = self._open()
        except sqlite3.DatabaseError:
            self._remove()  # derived data: a damaged or foreign file is rebuilt, never repaired
            try:
                conn = self._open()
            except sqlite3.DatabaseError as exc:
                raise StorageError(f"cannot make the search index {path}: {exc}") from None
        super().__init__(conn, path)

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StorageError(f"cannot make the search index {self.path}: {exc.strerror or exc}") from None
        db = sqlite3.connect(self.path, isolation_level=None, timeout=10, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            version = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() if _has_meta(db) else None
            if version is not None and version[0] != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"search index schema {version[0]}")
            for statement in _SCHEMA:
                db.execute(statement)
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema', ?)", (SCHEMA_VERSION,))
            db.execute("SELECT count(*) FROM docs_fts").fetchone()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(self.path) + suffix).unlink(missing_ok=True)

    # ------------------------------------------------------------------ keeping it up to date
    def sync_docs(self, group: str, docs: Iterable[Doc]) -> int:
        """Make the index hold exactly `docs` for `group`, rewriting only docs that changed;
        returns how many were written or deleted."""
        want = {d.key: d for d in docs}
        stale, fresh = self._changes(group, want)
        if not (stale or fresh):
            return 0
        with self.transaction():
            stale, fresh = self._changes(group, want)  # again: another process may have synced meanwhile
            self._delete_keys(stale)
            self._insert(fresh)
        return len(stale) + len(fresh)

    def _changes(self, group: str, want: dict[str, Doc]) -> tuple[list[str], list[Doc]]:
        have = dict(self.conn.execute("SELECT key, stamp FROM docs WHERE grp = ?", (group,)).fetchall())
        stale = [k for k, stamp in have.items() if k not in want or want[k].stamp != stamp]
        return stale, [d for k, d in want.items() if have.get(k) != d.stamp]

    def sync_groups(self, prefix: str, stamps: dict[str, str], load: Callable[[str], Sequence[Doc]]) -> int:
        """Groups named `prefix`…: each whose stamp changed is replaced by `load(group)`; groups no
        longer in `stamps` are dropped. Returns how many groups were rewritten or dropped."""
        have = dict(self.conn.execute("SELECT grp, stamp FROM groups WHERE grp LIKE ? ESCAPE '\\'",
                                    (_like_prefix(prefix),)).fetchall())
        changed = [g for g, stamp in stamps.items() if have.get(g) != stamp]
        gone = [g for g in have if g not in stamps]
        for group in gone:
            with self.transaction() as db:
                self._delete_group(group)
                db.execute("DELETE FROM groups WHERE grp = ?", (group,))
        for group in changed:
            docs = load(group)  # outside the transaction: it may read other stores
            with self.transaction() as db:
                self._delete_group(group)
                self._delete_keys([d.key for d in docs])
                self._insert(docs)
                db.execute("INSERT OR REPLACE INTO groups(grp, stamp) VALUES (?, ?)", (group, stamps[group]))
        return len(changed) + len(gone)

    def _delete_keys(self, keys: Sequence[str]) -> None:
        self.conn.executemany("DELETE FROM docs WHERE key = ?", [(k,) for k in keys])

    def _delete_group(self, group: str) -> None:
        self.conn.execute("DELETE FROM docs WHERE grp = ?", (group,))

    def _insert(self, docs: Iterable[Doc]) -> None:
        self.conn.executemany(
            "INSERT INTO docs(key, grp, kind, target, label, title, body, day, place, stamp)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.key, d.group, d.kind, d.target, d.label, d.title, d.body,
              d.day.isoformat() if d.day else None, d.place, d.stamp) for d in docs],
        )

    # ------------------------------------------------------------------ queries
    def search(self, match: str, n: int, kinds: Sequence[Kind] | None = None, since: date | None = None) -> list[Hit]:
        """The `n` best docs for an FTS5 query (BM25), each with a snippet around its matches."""
        where, params = ["docs_fts MATCH ?"], [match]
        if kinds:
            where.append(f"d.kind IN ({', '.join('?' * len(kinds))})")
            params += list(kinds)
        if since is not None:
            where.append("d.day >= ?")
            params.append(since.isoformat())
        sql = (
            "SELECT d.key, d.kind, d.target, d.label, d.place, d.day, d.body,"
            f" bm25(docs_fts, {', '.join(map(str, BM25_WEIGHTS))}) AS rank,"
            f" snippet(docs_fts, 1, '{MARK_START}', '{MARK_END}', '…', {SNIPPET_TOKENS}),"
            f" highlight(docs_fts, 0, '{MARK_START}', '{MARK_END}')"
            " FROM docs_fts JOIN docs d ON d.rowid = docs_fts.rowid"
            f" WHERE {' AND '.join(where)} ORDER BY rank LIMIT ?"
        )
        hits = []
        for key, kind, target, label, place, day, body, rank, body_snip, title_marked in self.conn.execute(
                sql, [*params, n]):
            snippet = body_snip if MARK_START in body_snip else (title_marked + (f" — {body[:120]}" if body else ""))
            hits.append(Hit(key=key, kind=kind, target=target, label=label, place=place,
                            day=date.fromisoformat(day) if day else None, score=-float(rank), snippet=snippet))
        return hits

    def docs(self, keys: Sequence[str]) -> dict[str, Hit]:
        """Docs by key (score 0, the start of the text as the snippet): for matches found elsewhere."""
        if not keys:
            return {}
        rows = self.conn.execute(
            "SELECT key, kind, target, label, place, day, title, body FROM docs"
            f" WHERE key IN ({', '.join('?' * len(keys))})", list(keys)).fetchall()
        return {
            key: Hit(key=key, kind=kind, target=target, label=label, place=place,
                     day=date.fromisoformat(day) if day else None, score=0.0, snippet=_opening(body or title))
            for key, kind, target, label, place, day, title, body in rows
        }


def _has_meta(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'").fetchone() is not None


def _like_prefix(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _opening(text: str, words: int = SNIPPET_TOKENS * 2) -> str:
    parts = " ".join(text.split()).split(" ")
    return " ".join(parts[:words]) + ("…" if len(parts) > words else "")

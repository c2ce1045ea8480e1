"""The catalog and lexical index: one SQLite file (sources, chunks, FTS5 BM25 over chunk text,
and each chunk's token states for the second ranking stage).

It is the source of truth for what is indexed (hashes, chunk ids, chunk text); the vector index
only holds vectors and can be rebuilt from it.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from advisor.errors import StorageError
from advisor.private import private_file

SqlValue = str | int | float | bytes | None  # what a column takes

# 2: chunks.heading, indexed by FTS5 as a third column
# 3: chunk_tokens (late interaction), chunks' line ranges, sources.draws_on; every file re-indexed
# 4: chunks cut at line breaks and sentence ends, with exact line ranges, repeated lines once; every file re-indexed
SCHEMA_VERSION = 4

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS sources(
    source_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,            -- curated | note
    path TEXT NOT NULL,            -- the indexed file (for failed adds: what the user gave)
    title TEXT NOT NULL DEFAULT '',
    origin TEXT,                   -- notes: where they were added from
    sha256 TEXT,
    size INTEGER, mtime_ns INTEGER,
    n_chunks INTEGER NOT NULL DEFAULT 0,
    status TEXT NOT NULL,          -- indexed | failed
    error TEXT, warning TEXT,
    card_kind TEXT,
    topics TEXT NOT NULL DEFAULT '[]',
    draws_on TEXT NOT NULL DEFAULT '[]', -- cards: the works they summarise, as JSON [{title, by, where}]
    added_at TEXT, indexed_at TEXT
);
CREATE INDEX IF NOT EXISTS sources_origin ON sources(origin);
CREATE INDEX IF NOT EXISTS sources_sha ON sources(sha256);
CREATE TABLE IF NOT EXISTS source_topics(source_id TEXT NOT NULL, topic TEXT NOT NULL,
    PRIMARY KEY(source_id, topic));
CREATE INDEX IF NOT EXISTS source_topics_topic ON source_topics(topic);
CREATE TABLE IF NOT EXISTS chunks(
    rowid INTEGER PRIMARY KEY,
    chunk_id TEXT NOT NULL UNIQUE,
    source_id TEXT NOT NULL,
    ord INTEGER NOT NULL,
    text TEXT NOT NULL,
    title TEXT NOT NULL,
    location TEXT NOT NULL,
    heading TEXT NOT NULL DEFAULT '',
    line_start INTEGER, line_end INTEGER  -- lines (pages for a PDF) of the source the chunk spans
);
CREATE INDEX IF NOT EXISTS chunks_source ON chunks(source_id);
-- late interaction (late.py): each chunk's packed content-token states, written with the chunk
CREATE TABLE IF NOT EXISTS chunk_tokens(chunk_id TEXT PRIMARY KEY, states BLOB NOT NULL);
CREATE TRIGGER IF NOT EXISTS chunk_tokens_ad AFTER DELETE ON chunks BEGIN
    DELETE FROM chunk_tokens WHERE chunk_id = old.chunk_id;
END;
"""

# The FTS5 index over the chunks (external content): chunk text, document title, section heading.
# Separate statements, so that a migration can run them inside its own transaction.
_FTS_SCHEMA = (
    """CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    text, title, heading, content='chunks', content_rowid='rowid', tokenize='porter unicode61')""",
    """CREATE TRIGGER IF NOT EXISTS chunks_ai AFTER INSERT ON chunks BEGIN
    INSERT INTO chunks_fts(rowid, text, title, heading) VALUES (new.rowid, new.text, new.title, new.heading);
END""",
    """CREATE TRIGGER IF NOT EXISTS chunks_ad AFTER DELETE ON chunks BEGIN
    INSERT INTO chunks_fts(chunks_fts, rowid, text, title, heading)
        VALUES('delete', old.rowid, old.text, old.title, old.heading);
END""",
)

STOPWORDS = frozenset(
    ["a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her", "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your", "yours"]
) | frozenset(
    # question and filler words: common in how people ask, rarely what they are asking about
    ["also", "always", "anyone", "anything", "become", "best", "better", "cannot", "could", "else", "enough", "even", "ever", "every", "get", "gets", "getting", "give", "go", "going", "good", "got", "keep", "kind", "know", "like", "lot", "lots", "make", "makes", "many", "may", "maybe", "might", "much", "must", "need", "needs", "often", "one", "ones", "really", "say", "see", "seem", "seems", "someone", "something", "still", "sure", "take", "tell", "thing", "things", "think", "way", "ways", "well", "whether", "yes", "yet"]
)

# bm25() weights of the FTS columns (text, title, heading): a heading names what its section is
# about; a document title is shared by all its chunks.
BM25_WEIGHTS = (1.0, 1.0, 2.0)


def corrupt(path: Path, exc: BaseException) -> StorageError:
    return StorageError(
        f"the search index at {path} is corrupt or unreadable ({exc}); "
        "run `advisor kb reindex --full` to rebuild it"
    )


def fts_query(text: str) -> str | None:
    """A BM25 OR-query of the query's content words.

    Words are \\w+ runs, lower-cased, stop-words dropped, each one double-quoted: FTS5 syntax in
    user text (quotes, NEAR, AND, *, column filters, parentheses) is inert.
    """
    seen: list[str] = []
    for tok in re.findall(r"\w+", text.lower()):
        if len(tok) < 2 or tok in STOPWORDS or tok in seen:
            continue
        seen.append(tok)
    if not seen:
        return None
    return " OR ".join(f'"{t}"' for t in seen[:32])


class MetaDB:
    """A SQLite connection with a `meta` key-value table and all-or-nothing transactions
    (shared by the catalog and the team store)."""

    db: sqlite3.Connection

    def close(self) -> None:
        self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All writes inside commit together or not at all."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))


class Catalog(MetaDB):
    """The SQLite catalog: sources, chunks and the FTS5 index, in one WAL-mode file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            private_file(path)  # 0600 before SQLite opens it: its -wal and -shm files copy the mode
        except OSError as exc:
            raise StorageError(f"cannot write the search index at {path}: {exc.strerror or exc}") from None
        try:
            self.db = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.executescript(_SCHEMA)
            row = self.db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            if row is not None and int(row[0]) > SCHEMA_VERSION:
                raise StorageError(
                    f"the search index at {path} was made by a newer advisor; "
                    "upgrade, or run `advisor kb reindex --full`"
                )
            if row is not None and int(row[0]) < 2:
                self._migrate_v1()
            if row is not None and int(row[0]) < 3:
                self._migrate_v2()
            if row is not None and int(row[0]) < 4:
                self._forget_hashes()
            for stmt in _FTS_SCHEMA:
                self.db.execute(stmt)
            self.set_meta("schema_version", str(SCHEMA_VERSION))
            self.db.execute("SELECT count(*) FROM chunks_fts").fetchone()
        except sqlite3.DatabaseError as exc:
            raise corrupt(path, exc) from None

    def _migrate_v1(self) -> None:
        """v1 -> v2: add chunks.heading (from the "§ ..." location) and rebuild FTS with it."""
        with self.transaction():
            cols = {r[1] for r in self.db.execute("PRAGMA table_info(chunks)")}
            if "heading" not in cols:
                self.db.execute("ALTER TABLE chunks ADD COLUMN heading TEXT NOT NULL DEFAULT ''")
            self.db.execute(
                "UPDATE chunks SET heading = substr(location, 3) WHERE location LIKE '§ %'"
            )
            self.db.execute("DROP TRIGGER IF EXISTS chunks_ai")
            self.db.execute("DROP TRIGGER IF EXISTS chunks_ad")
            self.db.execute("DROP TABLE IF EXISTS chunks_fts")
            for stmt in _FTS_SCHEMA:
                self.db.execute(stmt)
            self.db.execute("INSERT INTO chunks_fts(chunks_fts) VALUES('rebuild')")

    def _migrate_v2(self) -> None:
        """v2 -> v3: the new columns (`_forget_hashes` then re-indexes every file, storing the
        token states search reranks with)."""
        with self.transaction():
            chunk_cols = {r[1] for r in self.db.execute("PRAGMA table_info(chunks)")}
            for col in ("line_start", "line_end"):
                if col not in chunk_cols:
                    self.db.execute(f"ALTER TABLE chunks ADD COLUMN {col} INTEGER")
            source_cols = {r[1] for r in self.db.execute("PRAGMA table_info(sources)")}
            if "draws_on" not in source_cols:
                self.db.execute("ALTER TABLE sources ADD COLUMN draws_on TEXT NOT NULL DEFAULT '[]'")

    def _forget_hashes(self) -> None:
        """Every indexed file marked for re-indexing (its hash forgotten), so that the next sync
        cuts and embeds it again the way this version does (v3: token states; v4: chunk cuts)."""
        with self.transaction():
            self.db.execute("UPDATE sources SET sha256 = NULL, size = NULL, mtime_ns = NULL WHERE status = 'indexed'")

    # ------------------------------------------------------------ sources
    def sources(self, kind: str | None = None) -> list[sqlite3.Row]:
        if kind:
            return self.db.execute(
                "SELECT * FROM sources WHERE kind=? ORDER BY source_id", (kind,)
            ).fetchall()
        return self.db.execute("SELECT * FROM sources ORDER BY source_id").fetchall()

    def _source_where(self, condition: str, value: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = self.db.execute(f"SELECT * FROM sources WHERE {condition}", (value,)).fetchone()
        return row

    def source(self, source_id: str) -> sqlite3.Row | None:
        return self._source_where("source_id=?", source_id)

    def source_by_origin(self, origin: str) -> sqlite3.Row | None:
        return self._source_where("origin=? AND kind='note' AND status='indexed'", origin)

    def source_by_hash(self, sha: str) -> sqlite3.Row | None:
        return self._source_where("sha256=? AND kind='note' AND status='indexed'", sha)

    def upsert_source(self, source_id: str, *, topics: list[str] | None = None, **fields: SqlValue) -> None:
        """Insert or update a source row; `topics` also fill the source_topics filter table."""
        if topics is not None:
            fields["topics"] = json.dumps(topics)
        cols = ["source_id", *fields]
        vals = [source_id, *fields.values()]
        updates = ", ".join(f"{c}=excluded.{c}" for c in fields)
        self.db.execute(
            f"INSERT INTO sources({', '.join(cols)}) VALUES({', '.join('?' * len(cols))}) "
            f"ON CONFLICT(source_id) DO UPDATE SET {updates}",
            vals,
        )
        if topics is not None:
            self.db.execute("DELETE FROM source_topics WHERE source_id=?", (source_id,))
            self.db.executemany(
                "INSERT OR IGNORE INTO source_topics(source_id, topic) VALUES(?, ?)",
                [(source_id, t) for t in topics],
            )

    def sources_by_id(self, source_ids: Sequence[str]) -> dict[str, sqlite3.Row]:
        """{source_id: its row} of those that exist."""
        if not source_ids:
            return {}
        q = f"SELECT * FROM sources WHERE source_id IN ({', '.join('?' * len(source_ids))})"
        return {r["source_id"]: r for r in self.db.execute(q, list(source_ids))}

    def sources_by_prefix(self, kind: str, prefix: str) -> list[sqlite3.Row]:
        """Sources of a kind whose id starts with `prefix` (a shortened note id)."""
        return self.db.execute(
            "SELECT * FROM sources WHERE kind=? AND source_id LIKE ?", (kind, prefix + "%")
        ).fetchall()

    def touch_source(self, source_id: str, size: int, mtime_ns: int) -> None:
        self.db.execute(
            "UPDATE sources SET size=?, mtime_ns=? WHERE source_id=?", (size, mtime_ns, source_id)
        )

    def set_origin(self, source_id: str, origin: str) -> None:
        self.db.execute("UPDATE sources SET origin=? WHERE source_id=?", (origin, source_id))

    def delete_source(self, source_id: str) -> list[str]:
        """Delete a source and its chunks; returns the deleted chunk ids."""
        ids = self.chunk_ids(source_id)
        self.db.execute("DELETE FROM chunks WHERE source_id=?", (source_id,))
        self.db.execute("DELETE FROM source_topics WHERE source_id=?", (source_id,))
        self.db.execute("DELETE FROM sources WHERE source_id=?", (source_id,))
        return ids

    def forget_source(self, source_id: str) -> None:
        """Delete a source row that has no chunks (a record of a failed add)."""
        self.db.execute("DELETE FROM sources WHERE source_id=?", (source_id,))

    # ------------------------------------------------------------ chunks
    def chunk_ids(self, source_id: str | None = None) -> list[str]:
        if source_id is None:
            return [r[0] for r in self.db.execute("SELECT chunk_id FROM chunks")]
        return [
            r[0] for r in self.db.execute("SELECT chunk_id FROM chunks WHERE source_id=?", (source_id,))
        ]

    def delete_chunks(self, source_id: str) -> list[str]:
        ids = self.chunk_ids(source_id)
        self.db.execute("DELETE FROM chunks WHERE source_id=?", (source_id,))
        return ids

    def add_chunks(self, rows: Iterable[tuple[str, str, int, str, str, str, str, int, int]]) -> None:
        """rows: (chunk_id, source_id, ord, text, title, location, heading, line_start, line_end)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO chunks(chunk_id, source_id, ord, text, title, location, heading, "
            "line_start, line_end) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    def add_token_states(self, ids: Sequence[str], blobs: Sequence[bytes]) -> None:
        """Store chunks' packed token states (late interaction); empty blobs are skipped."""
        self.db.executemany(
            "INSERT OR REPLACE INTO chunk_tokens(chunk_id, states) VALUES(?, ?)",
            [(cid, blob) for cid, blob in zip(ids, blobs, strict=True) if blob],
        )

    def token_states(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The stored token states of these chunks (those that have them)."""
        if not ids:
            return {}
        q = f"SELECT chunk_id, states FROM chunk_tokens WHERE chunk_id IN ({', '.join('?' * len(ids))})"
        return {r[0]: bytes(r[1]) for r in self.db.execute(q, list(ids))}

    def source_chunk_ids(self, source_ids: Sequence[str]) -> dict[str, list[str]]:
        """{source_id: its chunk ids, in order}."""
        out: dict[str, list[str]] = {s: [] for s in source_ids}
        if source_ids:
            q = f"SELECT source_id, chunk_id FROM chunks WHERE source_id IN ({', '.join('?' * len(source_ids))}) ORDER BY ord"
            for r in self.db.execute(q, list(source_ids)):
                out[r[0]].append(r[1])
        return out

    def orphan_chunk_ids(self) -> list[str]:
        """Chunks whose source row is gone (left by an interrupted run)."""
        return [r[0] for r in self.db.execute(
            "SELECT chunk_id FROM chunks WHERE source_id NOT IN (SELECT source_id FROM sources)"
        )]

    def delete_orphan_chunks(self) -> None:
        self.db.execute("DELETE FROM chunks WHERE source_id NOT IN (SELECT source_id FROM sources)")

    def chunk_count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM chunks").fetchone()[0])

    def chunks_by_id(self, ids: Sequence[str]) -> dict[str, sqlite3.Row]:
        if not ids:
            return {}
        q = (
            "SELECT c.chunk_id, c.text, c.title, c.location, c.heading, c.line_start, c.line_end, "
            "c.source_id, s.kind, s.path, s.origin, s.topics, s.card_kind, s.draws_on "
            "FROM chunks c JOIN sources s USING(source_id) "
            f"WHERE c.chunk_id IN ({', '.join('?' * len(ids))})"
        )
        return {r["chunk_id"]: r for r in self.db.execute(q, list(ids))}

    def iter_chunks(self, ids: Sequence[str] | None = None) -> list[sqlite3.Row]:
        q = (
            "SELECT c.chunk_id, c.text, c.title, c.location, c.source_id, s.kind, s.topics, "
            "s.card_kind FROM chunks c JOIN sources s USING(source_id)"
        )
        if ids is None:
            return self.db.execute(q).fetchall()
        out: list[sqlite3.Row] = []
        for i in range(0, len(ids), 500):
            part = list(ids[i : i + 500])
            out += self.db.execute(
                q + f" WHERE c.chunk_id IN ({', '.join('?' * len(part))})", part
            ).fetchall()
        return out

    def lexical_search(
        self, query: str, n: int, kind: str | None = None, topics: list[str] | None = None
    ) -> list[tuple[str, float]]:
        """BM25 (FTS5) ranking: [(chunk_id, score)], best first; score = -bm25 (higher is better)."""
        match = fts_query(query)
        if match is None:
            return []
        where = ["chunks_fts MATCH ?"]
        params: list[str | int] = [match]
        if kind:
            where.append("s.kind = ?")
            params.append(kind)
        if topics:
            where.append(
                "c.source_id IN (SELECT source_id FROM source_topics WHERE topic IN "
                f"({', '.join('?' * len(topics))}))"
            )
            params.extend(topics)
        params.append(n)
        sql = (
            f"SELECT c.chunk_id, bm25(chunks_fts, {', '.join(map(str, BM25_WEIGHTS))}) AS rank FROM chunks_fts "
            "JOIN chunks c ON c.rowid = chunks_fts.rowid JOIN sources s ON s.source_id = c.source_id "
            f"WHERE {' AND '.join(where)} ORDER BY rank LIMIT ?"
        )
        return [(r[0], -float(r[1])) for r in self.db.execute(sql, params)]

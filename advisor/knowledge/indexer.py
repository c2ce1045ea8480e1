"""Batched indexing: chunks of many files are embedded together and written in large batches.

Embedding dominates indexing, so everything else is kept off its path: chunks from consecutive
files are pooled into batches of `INDEX_BATCH`; each batch is embedded in one `Embedder.embed`
call (sorted by length there, so padding stays small), upserted into the vector index in one
call and written to SQLite in one transaction. Nothing is held across batches but the ids of the
files still open, so memory stays flat whatever the size of the vault or of one file. A file's own bookkeeping (its `sources` row, its stale
vectors) is written with the batch that holds its last chunk.

Consistency: a source's old chunks are deleted in the transaction of the batch holding its first
new chunk; until its `sources` row is updated (with its last batch) the row still describes the
old file, so an interrupted run re-indexes it next time, and `Ingest.sync` drops orphaned chunks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.knowledge.chunking import TextChunk, chunk_document
from advisor.knowledge.documents import Document, FileInfo, SourceError
from advisor.knowledge.models import Kind
from advisor.knowledge.vectors import VectorMeta

if TYPE_CHECKING:
    import sqlite3

    from advisor.knowledge.catalog import Catalog
    from advisor.knowledge.embedder import Embedder
    from advisor.knowledge.progress import Ticker
    from advisor.knowledge.vectors import Matrix, Vector, VectorIndex

# Chunks embedded, upserted and committed together. A file counts as done when the batch holding
# its last chunk is committed, so a smaller batch moves the files count more often; at 64 the
# per-batch writes (one Chroma upsert, one SQLite transaction) still cost under 2% of embedding.
INDEX_BATCH = 64


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def embed_text(title: str, location: str, text: str) -> str:
    """What gets embedded for a chunk: its title and heading give short chunks their context."""
    heading = location[2:] if location.startswith("§ ") else ""
    return "\n".join(part for part in (title, heading, text) if part)


def origin_name(origin: str | None) -> str | None:
    """The name of the file a note was added from (its last resort for a title), if it was a file."""
    if not origin or not Path(origin).is_absolute():  # typed notes: "stdin", "editor", "tui"
        return None
    return Path(origin).stem or None


@dataclass
class Job:
    """One file to (re)index as source `sid`."""

    sid: str
    kind: Kind
    info: FileInfo
    origin: str | None = None
    title: str | None = None  # fallback title (e.g. given with --title)
    base: int = 0  # progress: bytes of the earlier jobs


@dataclass
class _Open:
    job: Job
    title: str
    meta: VectorMeta
    doc: Document
    prev: sqlite3.Row | None  # the source's row before this run
    old_ids: set[str]
    new_ids: list[str] = field(default_factory=list)
    started: bool = False  # its old chunks are deleted (in a committed or pending batch)


@dataclass
class Result:
    chunks: int = 0
    error: str | None = None


class BatchIndexer:
    """Index many jobs; `run` returns {sid: Result}. SourceErrors become failed results."""

    def __init__(
        self,
        catalog: Catalog,
        dense: VectorIndex,
        embedder: Embedder,
        chunk_words: int,
        mark_failed: Callable[[Job, str], None],
        ticker: Ticker | None = None,
        batch_size: int | None = None,
        embed_cards: Callable[[list[str]], Matrix] | None = None,
    ) -> None:
        self.cat = catalog
        self.dense = dense
        self.embedder = embedder
        self.chunk_words = chunk_words
        self.mark_failed = mark_failed
        self.ticker = ticker
        self.batch_size = batch_size or INDEX_BATCH
        self.embed_cards = embed_cards  # the team server's card vectors (embedded once per server)
        self._pending: list[tuple[_Open, TextChunk]] = []
        self._finishing: list[_Open] = []
        self.results: dict[str, Result] = {}

    # ------------------------------------------------------------------ driver
    def run(self, jobs: Sequence[Job]) -> dict[str, Result]:
        for job in jobs:
            try:
                src = self._open(job)
            except SourceError as exc:
                self._fail(job, None, str(exc))
                continue
            seen: set[bytes] = set()
            try:
                for chunk in chunk_document(src.doc, self.chunk_words, job.info.reader.markdown):
                    digest = hashlib.blake2b(chunk.text.encode(), digest_size=16).digest()
                    if digest in seen:  # a passage repeated within the file is indexed once
                        continue
                    seen.add(digest)
                    self._pending.append((src, chunk))
                    if len(self._pending) >= self.batch_size:
                        self._flush()
                if not src.new_ids and not any(s is src for s, _ in self._pending):
                    raise SourceError("no text to index")
            except SourceError as exc:
                self._pending = [(s, c) for s, c in self._pending if s is not src]
                self._fail(job, src, str(exc))
                continue
            self._finishing.append(src)
            if not any(s is src for s, _ in self._pending):  # all its chunks are written already
                self._flush()
        self._flush()
        return self.results

    def _open(self, job: Job) -> _Open:
        cat = self.cat
        prev = cat.source(job.sid)
        origin = job.origin if job.origin is not None else (prev["origin"] if prev else None)
        doc = job.info.reader.open(job.info, job.title or origin_name(origin))
        title = job.title if (job.title and not doc.meta.get("title")) else doc.title
        meta = VectorMeta(job.sid, job.kind, tuple(doc.topics))
        return _Open(job, title, meta, doc, prev, set(cat.chunk_ids(job.sid)))

    def _fail(self, job: Job, src: _Open | None, error: str) -> None:
        gone = sorted((src.old_ids | set(src.new_ids)) if src else set())
        if gone:
            self.dense.delete(gone)
        self.mark_failed(job, error)  # drops its remaining chunks and records why
        self.results[job.sid] = Result(error=error)
        if self.ticker is not None:
            self.ticker.file_done(job.info.path.name, job.base + job.info.size)

    # ------------------------------------------------------------------ one batch
    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        finishing, self._finishing = self._finishing, []
        if not batch and not finishing:
            return
        cat = self.cat
        ids = [f"{s.job.sid}#{c.ord}" for s, c in batch]
        token_states: list[bytes] = []
        if batch:
            vecs, token_states = self._embed(batch)
            self.dense.upsert(ids, vecs, [s.meta for s, _ in batch])
        with cat.transaction():
            for s, _ in batch:
                if not s.started:
                    s.started = True
                    cat.delete_chunks(s.job.sid)
            cat.add_chunks(
                (cid, s.job.sid, c.ord, c.text, s.title, c.location, c.heading or "", c.line_start, c.line_end)
                for cid, (s, c) in zip(ids, batch, strict=True)
            )
            cat.add_token_states(ids, token_states)  # late interaction (late.py), in the chunks' transaction
            for cid, (s, _) in zip(ids, batch, strict=True):
                s.new_ids.append(cid)
            stale: list[str] = []
            for s in finishing:
                stale += sorted(s.old_ids - set(s.new_ids))
                self._write_source(s)
        if stale:
            self.dense.delete(stale)
        for s in finishing:
            self.results[s.job.sid] = Result(chunks=len(s.new_ids))
            if self.ticker is not None:
                self.ticker.file_done(s.job.info.path.name, s.job.base + s.job.info.size)

    def _embedded(self, batch: list[tuple[_Open, TextChunk]]) -> Callable[[int], None] | None:
        """Progress while a batch is embedded: `done(k)` after each of its ONNX runs moves the
        bytes (in proportion) and the chunk count, so reports never wait for a whole batch."""
        ticker = self.ticker
        if ticker is None:
            return None
        start = ticker.done
        last, chunk = batch[-1]
        end = last.job.base + chunk.end_offset
        name = last.job.info.path.name
        seen = 0

        def done(k: int) -> None:
            nonlocal seen
            ticker.advance(start + (end - start) * k // len(batch), name, chunks=k - seen)
            seen = k

        return done

    def _embed(self, batch: list[tuple[_Open, TextChunk]]) -> tuple[Matrix, list[bytes]]:
        """The batch's vectors and packed token states (late interaction), from one model run.
        Cards whose vectors come from a team server have no token states: search leaves them at
        their fused place when it re-sorts."""
        texts = [embed_text(s.title, c.location, c.text) for s, c in batch]
        cards = [i for i, (s, _) in enumerate(batch) if s.job.kind == "curated"]
        done = self._embedded(batch)
        if self.embed_cards is None or not cards:
            return self.embedder.embed_with_tokens(texts, done=done)
        import numpy as np

        rest = [i for i in range(len(texts)) if i not in set(cards)]
        rows: dict[int, Vector] = dict(zip(cards, self.embed_cards([texts[i] for i in cards]), strict=True))
        states = [b""] * len(texts)
        if rest:
            vecs, blobs = self.embedder.embed_with_tokens([texts[i] for i in rest])
            rows.update(zip(rest, vecs, strict=True))
            for i, blob in zip(rest, blobs, strict=True):
                states[i] = blob
        if done is not None:
            done(len(texts))
        return np.asarray([rows[i] for i in range(len(texts))], dtype=np.float32), states

    def _write_source(self, s: _Open) -> None:
        job, info, prev = s.job, s.job.info, s.prev
        self.cat.upsert_source(
            job.sid,
            kind=job.kind,
            path=str(info.path),
            title=s.title,
            origin=job.origin if job.origin is not None else (prev["origin"] if prev else None),
            sha256=info.sha256,
            size=info.size,
            mtime_ns=info.mtime_ns,
            n_chunks=len(s.new_ids),
            status="indexed",
            error=None,
            warning=info.warning,
            card_kind=s.doc.card_kind,
            topics=s.doc.topics,
            draws_on=json.dumps(s.doc.draws_on),
            added_at=(prev["added_at"] if prev and prev["added_at"] else now()),
            indexed_at=now(),
        )


def vector_metas(rows: Sequence[sqlite3.Row]) -> list[VectorMeta]:
    """The vector metadata of catalog chunk rows (with their source's kind and topics)."""
    return [VectorMeta(r["source_id"], r["kind"], tuple(json.loads(r["topics"]))) for r in rows]

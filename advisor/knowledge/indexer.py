"""Batched indexing: chunks of many files are embedded together and written in large batches.

Embedding dominates indexing, so everything else is kept off its path: chunks from consecutive
files are pooled into batches of `INDEX_BATCH`; each batch is embedded in one
`Embedder.embed_with_tokens` call (sorted by length there, so padding stays small). Embedded
chunks are written (a vector upsert, then one SQLite transaction) once `WRITE_BATCH` of them wait
or `WRITE_EVERY_S` has passed. Nothing is held across writes but the ids of the files still open,
so memory stays flat whatever the size of the vault or of one file. A file's own bookkeeping (its
`sources` row, its stale vectors) is written with the write that holds its last chunk.

Overlap: the writes run on one writer thread (`_Writer`) while this thread embeds the next
batches (onnxruntime leaves the GIL while it runs, and sleeps its idle threads, so the writes take
the CPU embedding leaves). Writes are done strictly in order, each as one vector upsert then one
SQLite transaction; after a failed write no later one is done, and the error is raised from
`run`. The catalog belongs to the writer while it runs: each job's previous row and chunk ids are
read before it starts, and a failed file's bookkeeping waits until it has drained. Writes span
several batches because embedded Chroma costs ~4 ms of CPU a call besides ~0.2 ms a vector, and
holds the GIL throughout (this thread waits for it between model runs): fewer, larger calls cost
less.

Consistency: a source's old chunks are deleted in the transaction of the write holding its first
new chunk; until its `sources` row is updated (with its last write) the row still describes the
old file, so an interrupted run re-indexes it next time, and `Ingest.sync` drops orphaned chunks.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
import time
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

# Chunks embedded together (in one `embed_with_tokens` call; the raw-embedder baselines of the
# benches group texts the same way). Progress moves after each of its model runs.
INDEX_BATCH = 64
# Writes are handed to the writer thread once this many chunks are embedded, or after this long
# (so files count as done at least every second). Embedded Chroma's CPU a vector, measured in
# calls of 16, 64 and 256 vectors: 0.72, 0.34 and 0.23 ms (embedding a 20-word chunk: ~5.5 ms).
WRITE_BATCH = 256
WRITE_EVERY_S = 1.0
WRITE_QUEUE = 2  # writes handed over but not done yet (bounds memory; the writer rarely lags)


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
    started: bool = False  # its old chunks are deleted (in a done or waiting write)
    queued: int = 0  # chunks of it handed to batches so far


@dataclass
class Result:
    chunks: int = 0
    error: str | None = None


@dataclass
class _Unwritten:
    """Embedded chunks (of one or more batches) and finished sources, waiting to be written."""

    ids: list[str] = field(default_factory=list)
    vecs: list[Matrix] = field(default_factory=list)
    metas: list[VectorMeta] = field(default_factory=list)
    states: list[bytes] = field(default_factory=list)
    starting: list[str] = field(default_factory=list)  # sources whose old chunks go first
    rows: list[tuple[str, str, int, str, str, str, str, int, int]] = field(default_factory=list)
    done: list[tuple[_Open, list[str], int]] = field(default_factory=list)  # (source, stale ids, chunks)


class _Writer:
    """One thread applying write jobs in order; the first error stops it and is re-raised."""

    def __init__(self, depth: int) -> None:
        self._queue: queue.Queue[Callable[[], None] | None] = queue.Queue(maxsize=max(1, depth))
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._loop, name="advisor-kb-writer", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if self._error is None:  # after a failed write, later ones must not be done
                    item()
            except BaseException as exc:  # noqa: BLE001 - handed to the indexing thread
                self._error = exc
            finally:
                self._queue.task_done()

    def check(self) -> None:
        if self._error is not None:
            raise self._error

    def submit(self, write: Callable[[], None]) -> None:
        self.check()
        self._queue.put(write)

    def drain(self) -> None:
        """Wait until every queued write is done; raise the writer's error, if any."""
        self._queue.join()
        self.check()

    def close(self) -> None:
        """Let the queued writes finish (each leaves both stores consistent), then end the thread."""
        self._queue.put(None)
        self._thread.join()


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
        self._writer: _Writer | None = None
        self._unwritten = _Unwritten()
        self.clock = time.monotonic
        self._written_at = 0.0
        self._known: dict[str, tuple[sqlite3.Row | None, list[str]]] = {}
        self._ticking = threading.Lock()  # progress is counted from both threads
        self.results: dict[str, Result] = {}

    # ------------------------------------------------------------------ driver
    def run(self, jobs: Sequence[Job]) -> dict[str, Result]:
        self._known = self._prefetch([j.sid for j in jobs])
        self._writer = _Writer(WRITE_QUEUE)
        self._written_at = self.clock()
        try:
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
                        src.queued += 1
                        if len(self._pending) >= self.batch_size:
                            self._flush()
                    if not src.queued:
                        raise SourceError("no text to index")
                except SourceError as exc:
                    self._pending = [(s, c) for s, c in self._pending if s is not src]
                    self._fail(job, src, str(exc))
                    continue
                self._finishing.append(src)
                if not any(s is src for s, _ in self._pending):  # all its chunks are in batches already
                    self._flush()
            self._flush()
            self._hand_over()
            self._writer.drain()
        finally:
            self._writer.close()
            self._writer = None
        return self.results

    def _prefetch(self, sids: Sequence[str]) -> dict[str, tuple[sqlite3.Row | None, list[str]]]:
        """Each job's current `sources` row and chunk ids, read before the writer starts."""
        known: dict[str, tuple[sqlite3.Row | None, list[str]]] = {}
        for i in range(0, len(sids), 500):
            part = sids[i : i + 500]
            rows = self.cat.sources_by_id(part)
            known.update((sid, (rows.get(sid), ids)) for sid, ids in self.cat.source_chunk_ids(part).items())
        return known

    def _open(self, job: Job) -> _Open:
        prev, old_ids = self._known.get(job.sid) or (self.cat.source(job.sid), self.cat.chunk_ids(job.sid))
        origin = job.origin if job.origin is not None else (prev["origin"] if prev else None)
        doc = job.info.reader.open(job.info, job.title or origin_name(origin))
        title = job.title if (job.title and not doc.meta.get("title")) else doc.title
        meta = VectorMeta(job.sid, job.kind, tuple(doc.topics))
        return _Open(job, title, meta, doc, prev, set(old_ids))

    def _fail(self, job: Job, src: _Open | None, error: str) -> None:
        if self._writer is not None:
            self._hand_over()  # the earlier chunks of this file may be waiting
            self._writer.drain()  # the catalog and the vector index are this thread's again
        gone = sorted((src.old_ids | set(src.new_ids)) if src else set())
        if gone:
            self.dense.delete(gone)
        self.mark_failed(job, error)  # drops its remaining chunks and records why
        self.results[job.sid] = Result(error=error)
        self._file_done(job)

    def _file_done(self, job: Job) -> None:
        if self.ticker is not None:
            with self._ticking:
                self.ticker.file_done(job.info.path.name, job.base + job.info.size)

    # ------------------------------------------------------------------ one batch
    def _flush(self) -> None:
        """Embed the pending chunks here; hand their writes (and finished sources) to the writer
        once enough are waiting (`WRITE_BATCH`, `WRITE_EVERY_S`)."""
        batch, self._pending = self._pending, []
        finishing, self._finishing = self._finishing, []
        if not batch and not finishing:
            return
        out = self._unwritten
        ids = [f"{s.job.sid}#{c.ord}" for s, c in batch]
        if batch:
            vecs, states = self._embed(batch)
            out.vecs.append(vecs)
            out.states += states
        out.ids += ids
        for cid, (s, c) in zip(ids, batch, strict=True):
            if not s.started:
                s.started = True
                out.starting.append(s.job.sid)
            out.rows.append((cid, s.job.sid, c.ord, c.text, s.title, c.location, c.heading or "", c.line_start, c.line_end))
            out.metas.append(s.meta)
            s.new_ids.append(cid)
        out.done += [(s, sorted(s.old_ids - set(s.new_ids)), len(s.new_ids)) for s in finishing]
        if len(out.ids) >= WRITE_BATCH or self.clock() - self._written_at >= WRITE_EVERY_S:
            self._hand_over()

    def _hand_over(self) -> None:
        """Queue the embedded chunks' writes for the writer thread."""
        out, self._unwritten = self._unwritten, _Unwritten()
        self._written_at = self.clock()
        if out.ids or out.done:
            assert self._writer is not None
            self._writer.submit(lambda: self._write(out))

    def _write(self, out: _Unwritten) -> None:
        """Writes (on the writer thread), in this order: vectors, then one SQLite transaction,
        then the vectors of chunks that are gone."""
        cat = self.cat
        if out.vecs:
            import numpy as np

            self.dense.upsert(out.ids, np.concatenate(out.vecs), out.metas)
        with cat.transaction():
            for sid in out.starting:
                cat.delete_chunks(sid)
            cat.add_chunks(out.rows)
            cat.add_token_states(out.ids, out.states)  # late interaction (late.py), in the chunks' transaction
            for s, _, n in out.done:
                self._write_source(s, n)
        stale = [cid for _, gone, _ in out.done for cid in gone]
        if stale:
            self.dense.delete(stale)
        for s, _, n in out.done:
            self.results[s.job.sid] = Result(chunks=n)
            self._file_done(s.job)

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
            with self._ticking:
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

    def _write_source(self, s: _Open, n_chunks: int) -> None:
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
            n_chunks=n_chunks,
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

"""Batched indexing: chunks of many files are embedded together and written in large batches.

Embedding dominates indexing, so everything else is kept off its path: chunks from consecutive
files are pooled into batches of `INDEX_BATCH`; each batch is embedded in one `Embedder.embed`
call (sorted by length there, so padding stays small), upserted into Chroma in one call and
written to SQLite in one transaction. A file's own bookkeeping (its `sources` row, its stale
vectors) is written with the batch that holds its last chunk.

Pipelining: the writes of a batch (Chroma upsert, SQLite transaction, stale vectors) run on one
writer thread, fed through a bounded queue (`WRITE_QUEUE`), while this thread chunks and embeds
the next batch (onnxruntime releases the GIL). Batches are written strictly in order, each as
before; after a failed write no later batch is written, and the error is raised from `run`.
The catalog is only touched from this thread before the writer starts (each job's previous row
and chunk ids are read up front) and while the writer is drained (a failed file's bookkeeping).

Consistency: a source's old chunks are deleted in the transaction of the batch holding its first
new chunk; until its `sources` row is updated (with its last batch) the row still describes the
old file, so an interrupted run re-indexes it next time, and `_sync` drops orphaned chunks.
"""

from __future__ import annotations

import hashlib
import json
import queue
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from advisor.knowledge.sources import (
    Chunk,
    Document,
    FileInfo,
    SourceError,
    chunk_document,
    open_document,
    open_subfield_map,
)

if TYPE_CHECKING:
    from advisor.knowledge.dense import DenseIndex
    from advisor.knowledge.embedder import Embedder
    from advisor.knowledge.store import Catalog

INDEX_BATCH = 256  # chunks embedded, upserted and committed together
WRITE_QUEUE = 2  # batches embedded but not yet written (bounds memory; the writer rarely lags)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def embed_text(title: str, location: str, text: str) -> str:
    """What gets embedded for a chunk: its title and heading give short chunks their context."""
    heading = location[2:] if location.startswith("§ ") else ""
    return "\n".join(part for part in (title, heading, text) if part)


@dataclass
class Job:
    """One file to (re)index as source `sid`."""

    sid: str
    kind: str
    info: FileInfo
    origin: str | None = None
    title: str | None = None  # fallback title (e.g. given with --title)
    base: int = 0  # progress: bytes of the earlier jobs


@dataclass
class _Open:
    job: Job
    title: str
    meta: dict[str, Any]
    doc: Document
    prev: Any
    old_ids: set[str]
    new_ids: list[str] = field(default_factory=list)
    started: bool = False  # its old chunks are deleted (in a written or queued batch)
    queued: int = 0  # chunks of it handed to batches so far


@dataclass
class Result:
    chunks: int = 0
    error: str | None = None


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
                if self._error is None:  # after a failed batch, later ones must not be written
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
        self._queue.put(None)
        self._thread.join()


class BatchIndexer:
    """Index many jobs; `run` returns {sid: Result}. SourceErrors become failed results."""

    def __init__(
        self,
        catalog: "Catalog",
        dense: "DenseIndex",
        embedder: "Embedder",
        chunk_words: int,
        mark_failed: Callable[[Job, str], None],
        tick: Callable[[int, str], None] | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.cat = catalog
        self.dense = dense
        self.embedder = embedder
        self.chunk_words = chunk_words
        self.mark_failed = mark_failed
        self.tick = tick
        self.batch_size = batch_size or INDEX_BATCH
        self._pending: list[tuple[_Open, Chunk]] = []
        self._finishing: list[_Open] = []
        self._writer: _Writer | None = None
        self._known: dict[str, tuple[Any, set[str]]] = {}
        self.results: dict[str, Result] = {}

    # ------------------------------------------------------------------ driver
    def run(self, jobs: Sequence[Job]) -> dict[str, Result]:
        from advisor.knowledge.dense import chunk_metadata

        self._known = self._prefetch([j.sid for j in jobs])
        self._writer = _Writer(WRITE_QUEUE)
        try:
            for job in jobs:
                try:
                    src = self._open(job)
                except SourceError as exc:
                    self._fail(job, None, str(exc))
                    continue
                src.meta = chunk_metadata(job.sid, job.kind, src.doc.topics)
                seen: set[bytes] = set()
                try:
                    markdown = job.info.fmt == "markdown" or job.info.path.suffix.lower() in (".yaml", ".yml")
                    for chunk in chunk_document(src.doc, self.chunk_words, markdown):
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
                if not self._pending or self._pending[-1][0] is not src:  # its chunks are all in batches
                    self._flush()
            self._flush()
            self._writer.drain()
        finally:
            self._writer.close()
            self._writer = None
        return self.results

    def _prefetch(self, sids: Sequence[str]) -> dict[str, tuple[Any, set[str]]]:
        """Each job's current `sources` row and chunk ids, read before the writer starts."""
        known: dict[str, tuple[Any, set[str]]] = {sid: (None, set()) for sid in sids}
        db = self.cat.db
        for i in range(0, len(sids), 500):
            part = list(sids[i : i + 500])
            marks = ", ".join("?" * len(part))
            for row in db.execute(f"SELECT * FROM sources WHERE source_id IN ({marks})", part):
                known[row["source_id"]] = (row, known[row["source_id"]][1])
            for sid, cid in db.execute(
                f"SELECT source_id, chunk_id FROM chunks WHERE source_id IN ({marks})", part
            ):
                known[sid][1].add(cid)
        return known

    def _open(self, job: Job) -> _Open:
        if job.kind == "curated" and job.info.path.suffix.lower() in (".yaml", ".yml"):
            doc = open_subfield_map(job.info)
        else:
            doc = open_document(job.info, fallback_title=job.title)
        title = job.title if (job.title and not doc.meta.get("title")) else doc.title
        prev, old_ids = self._known.get(job.sid) or (self.cat.source(job.sid), set(self.cat.chunk_ids(job.sid)))
        return _Open(job, title, {}, doc, prev, set(old_ids))

    def _fail(self, job: Job, src: _Open | None, error: str) -> None:
        if self._writer is not None:
            self._writer.drain()  # the catalog is this thread's again
        gone = sorted((src.old_ids | set(src.new_ids)) if src else set())
        if gone:
            self.dense.delete(gone)
        self.mark_failed(job, error)  # drops its remaining chunks and records why
        self.results[job.sid] = Result(error=error)

    # ------------------------------------------------------------------ one batch
    def _flush(self) -> None:
        """Embed the pending chunks here; queue their writes (and finished sources) for the writer."""
        batch, self._pending = self._pending, []
        finishing, self._finishing = self._finishing, []
        if not batch and not finishing:
            return
        ids = [f"{s.job.sid}#{c.ord}" for s, c in batch]
        vecs = None
        if batch:
            vecs = self.embedder.embed([embed_text(s.title, c.location, c.text) for s, c in batch])
        starting: list[str] = []
        for s, _ in batch:
            if not s.started:
                s.started = True
                starting.append(s.job.sid)
        rows = [
            (cid, s.job.sid, c.ord, c.text, s.title, c.location, c.heading or "")
            for cid, (s, c) in zip(ids, batch)
        ]
        metas = [s.meta for s, _ in batch]
        for cid, (s, _) in zip(ids, batch):
            s.new_ids.append(cid)
        done = [(s, sorted(s.old_ids - set(s.new_ids)), len(s.new_ids)) for s in finishing]

        def write() -> None:
            self._write(ids, vecs, metas, starting, rows, done)

        if self._writer is None:
            write()
        else:
            self._writer.submit(write)
        if self.tick is not None and batch:
            s, c = batch[-1]
            self.tick(s.job.base + c.end_offset, s.job.info.path.name)

    def _write(
        self,
        ids: list[str],
        vecs: Any,
        metas: list[dict[str, Any]],
        starting: list[str],
        rows: list[tuple[str, str, int, str, str, str, str]],
        done: list[tuple[_Open, list[str], int]],
    ) -> None:
        """One batch's writes (on the writer thread): vectors, then one SQLite transaction."""
        cat = self.cat
        if ids:
            self.dense.upsert(ids, vecs, metas)
        cat.begin()
        try:
            for sid in starting:
                cat.delete_chunks(sid)
            if rows:
                cat.add_chunks(rows)
            for s, _, n in done:
                self._write_source(s, n)
            cat.commit()
        except BaseException:
            cat.rollback()
            raise
        stale = [cid for _, gone, _ in done for cid in gone]
        if stale:
            self.dense.delete(stale)
        for s, _, n in done:
            self.results[s.job.sid] = Result(chunks=n)

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
            added_at=(prev["added_at"] if prev and prev["added_at"] else now()),
            indexed_at=now(),
        )


def metadata_for_rows(rows: Sequence[Any]) -> list[dict[str, Any]]:
    from advisor.knowledge.dense import chunk_metadata

    return [chunk_metadata(r["source_id"], r["kind"], json.loads(r["topics"])) for r in rows]

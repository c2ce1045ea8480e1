"""Keeping the index in step with the files: sync (by size and mtime, then by hash), reindex,
status, and the indexing of jobs in pooled batches (`indexer.py`).

The files are the truth: the curated cards (`curated_dir`: *.md and the subfield map) and the
notes (`notes_dir`, every supported suffix). A file that cannot be indexed is recorded as failed,
with its one-line reason, and the others are still indexed.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.knowledge.documents import FileInfo, SourceError
from advisor.knowledge.indexer import BatchIndexer, Job, Result, now
from advisor.knowledge.models import Kind, ProgressCallback, ReindexReport, SourceStatus, State
from advisor.knowledge.progress import Ticker
from advisor.knowledge.readers import supported_suffixes
from advisor.knowledge.readers.subfields import SUBFIELD_MAP
from advisor.knowledge.stores import Stores

if TYPE_CHECKING:
    import sqlite3

NOTE_NAME = re.compile(r"^([0-9a-f]{8})-")  # a note's file name starts with its id
FAILED_ADD = "add:"  # source ids of files that could not be added (no copy in the notes folder)
FailureHandler = Callable[[Job, str], None]


def note_id_of(path: Path) -> str:
    m = NOTE_NAME.match(path.name)
    if m:
        return m.group(1)
    return hashlib.sha256(path.name.encode()).hexdigest()[:8]


def failed_status(sid: str, kind: Kind, path: Path, error: str) -> SourceStatus:
    return SourceStatus(source_id=sid, kind=kind, title=path.name, path=str(path), state="failed", detail=error)


class Ingest:
    """Sync, reindex and status over the stores; tracks whether the files were checked yet."""

    def __init__(self, stores: Stores, progress: ProgressCallback | None = None) -> None:
        self.stores = stores
        self.progress = progress  # for the syncs nobody asked for by name (a first search)
        self._synced = False
        self._n_chunks: int | None = None

    def ready(self, progress: ProgressCallback | None = None) -> ReindexReport | None:
        """Open the stores and bring the index up to date with the files (cheap when unchanged);
        the report of the sync, or None when this knowledge base had checked the files already."""
        if self._synced:
            return None
        report = self.sync(use_stat=True, progress=progress or self.progress)
        self._synced = True
        return report

    def chunk_count(self) -> int:
        """How many chunks are indexed (cached between indexing runs)."""
        if self._n_chunks is None:
            self._n_chunks = self.stores.catalog.chunk_count()
        return self._n_chunks

    def forget(self) -> None:
        """The stores were closed: check the files again on next use."""
        self._synced = False
        self._n_chunks = None

    # ------------------------------------------------------------------ sources on disk
    def disk_sources(self) -> dict[str, tuple[Kind, Path]]:
        found: dict[str, tuple[Kind, Path]] = {}
        cdir = self.stores.curated_dir
        if cdir is not None and cdir.is_dir():
            for path in sorted(cdir.rglob("*.md")):
                rel = path.relative_to(cdir)
                if any(p.startswith((".", "_")) for p in rel.parts):
                    continue
                if path.name.lower() in ("readme.md", "contributing.md"):
                    continue
                found["curated:" + rel.as_posix()] = ("curated", path)
            smap = cdir / SUBFIELD_MAP
            if smap.is_file():
                found["curated:" + SUBFIELD_MAP] = ("curated", smap)
        notes_dir = self.stores.notes_dir
        if notes_dir.is_dir():
            suffixes = supported_suffixes()
            for path in sorted(notes_dir.iterdir()):
                if path.name.startswith(".") or not path.is_file():
                    continue
                if path.suffix.lower() not in suffixes:
                    continue
                found["note:" + note_id_of(path)] = ("note", path)
        return found

    # ------------------------------------------------------------------ sync
    def sync(self, *, use_stat: bool, progress: ProgressCallback | None = None) -> ReindexReport:
        started = time.perf_counter()
        cat = self.stores.catalog
        report = ReindexReport()
        ticker = Ticker(progress)
        disk = self.disk_sources()
        ticker.phase("checking", files_total=len(disk))
        rows = {r["source_id"]: r for r in cat.sources() if not r["source_id"].startswith(FAILED_ADD)}
        todo: list[tuple[str, Kind, FileInfo]] = []
        for sid, (kind, path) in disk.items():
            ticker.file_done(path.name)
            row = rows.get(sid)
            try:
                st = path.stat()
            except OSError:
                continue
            if row is not None and use_stat and (st.st_size, st.st_mtime_ns) == (row["size"], row["mtime_ns"]):
                report.unchanged += 1
                continue
            try:
                info = self.stores.inspect(path, curated=kind == "curated")
            except SourceError as exc:
                if row is None or row["status"] != "failed" or row["error"] != str(exc):
                    self.mark_failed(sid, kind, path, str(exc), st.st_size, st.st_mtime_ns, None)
                report.failed.append(failed_status(sid, kind, path, str(exc)))
                continue
            if row is not None and row["sha256"] == info.sha256:
                cat.touch_source(sid, info.size, info.mtime_ns)
                if row["status"] == "failed":
                    report.failed.append(failed_status(sid, kind, path, row["error"] or ""))
                else:
                    report.unchanged += 1
                continue
            todo.append((sid, kind, info))
        for sid in rows:
            if sid not in disk:
                self.delete_source(sid)
                report.removed += 1
        jobs = [Job(sid, kind, info) for sid, kind, info in todo]
        if jobs:
            results = self.index_jobs(jobs, ticker)
            for job in jobs:
                res = results[job.sid]
                if res.error is None:
                    report.indexed += 1
                    report.chunks += res.chunks
                else:
                    report.failed.append(failed_status(job.sid, job.kind, job.info.path, res.error))
            self._drop_orphans()
        if todo:
            self.stores.repair_vectors()
            self.stores.team.sync()  # shared notes changed on disk go to the team server
        self._n_chunks = None
        report.seconds = time.perf_counter() - started
        return report

    def mark_failed(
        self, sid: str, kind: Kind, path: Path, error: str, size: int | None, mtime: int | None, sha: str | None
    ) -> None:
        cat = self.stores.catalog
        self.drop_vectors(sid)
        with cat.transaction():
            cat.delete_chunks(sid)
            cat.upsert_source(
                sid, kind=kind, path=str(path), title=path.name, status="failed", error=error,
                size=size, mtime_ns=mtime, sha256=sha, n_chunks=0, indexed_at=now(), topics=[],
            )

    def delete_source(self, sid: str) -> int:
        cat = self.stores.catalog
        ids = self.drop_vectors(sid)
        with cat.transaction():
            cat.delete_source(sid)
        self._n_chunks = None
        return len(ids)

    def drop_vectors(self, sid: str) -> list[str]:
        """Remove a source's vectors; its catalog rows go after, in the caller's transaction
        (opening the vector index repairs one left between the two)."""
        ids = self.stores.catalog.chunk_ids(sid)
        if ids:
            self.stores.dense.delete(ids)
        return ids

    def index_jobs(
        self, jobs: Sequence[Job], ticker: Ticker | None = None, on_failure: FailureHandler | None = None
    ) -> dict[str, Result]:
        """Index files in pooled batches; a file that cannot be indexed is marked failed
        (or handed to `on_failure(job, error)`), the others are still indexed. With a ticker, the
        run reports loading the stores, then each file and embedding batch, then its end."""

        def failed(job: Job, error: str) -> None:
            if on_failure is not None:
                on_failure(job, error)
            else:
                i = job.info
                self.mark_failed(job.sid, job.kind, i.path, error, i.size, i.mtime_ns, i.sha256)

        if not jobs:  # nothing to embed: no index lock, no model, no Chroma (a re-add stays quick)
            return {}
        stores = self.stores
        team = stores.team
        waiting = (lambda: ticker.phase("waiting")) if ticker is not None else None
        with stores.writing(waiting):
            done = {j.sid: r for j in jobs if (r := self._indexed_meanwhile(j)) is not None}
            jobs = [j for j in jobs if j.sid not in done]
            if not jobs:
                return done
            base = 0
            for job in jobs:  # progress: the bytes of the files before each one
                job.base, base = base, base + job.info.size
            if ticker is not None:
                ticker.phase("loading", current=jobs[0].info.path.name)
            embedder, dense = stores.embedder, stores.dense  # loaded before the clock of indexing starts
            if ticker is not None:
                ticker.phase("indexing", files_total=len(jobs), total_bytes=base)
            indexer = BatchIndexer(
                stores.catalog, dense, embedder, stores.settings.knowledge.chunk_words,
                mark_failed=failed, ticker=ticker,
                embed_cards=(lambda texts: team.embed_cards(texts, embedder)) if team.url else None,
            )
            try:
                results = indexer.run(jobs)
            finally:
                self._n_chunks = None
        if ticker is not None:
            ticker.finish()
        return done | results

    def _indexed_meanwhile(self, job: Job) -> Result | None:
        """A file that another run (another process) indexed, as it is now, while this one
        waited for the index: its result, so that it is not embedded twice."""
        row = self.stores.catalog.source(job.sid)
        if row is not None and row["status"] == "indexed" and row["sha256"] == job.info.sha256:
            return Result(chunks=row["n_chunks"])
        return None

    def _drop_orphans(self) -> None:
        """Chunks whose source row is gone (an interrupted run): out of both stores."""
        cat = self.stores.catalog
        ids = cat.orphan_chunk_ids()
        if not ids:
            return
        self.stores.dense.delete(ids)
        with cat.transaction():
            cat.delete_orphan_chunks()

    # ------------------------------------------------------------------ status / reindex
    def status(self) -> list[SourceStatus]:
        """Every source and its state, without changing anything."""
        cat = self.stores.catalog
        disk = self.disk_sources()
        out: list[SourceStatus] = []
        rows = {r["source_id"]: r for r in cat.sources()}
        for sid, (kind, path) in disk.items():
            row = rows.get(sid)
            state, detail, chunks = self._state(kind, path, row)
            out.append(SourceStatus(source_id=sid, kind=kind, title=row["title"] if row else path.name,
                                    path=str(path), state=state, detail=detail, chunks=chunks))
        for sid, row in rows.items():
            if sid in disk:
                continue
            if sid.startswith(FAILED_ADD):
                out.append(SourceStatus(source_id=sid, kind="note", title=row["title"], path=row["path"],
                                        state="failed", detail=f"not added: {row['error']}; fix it and add it "
                                                                 "again, or `advisor kb reindex` clears this"))
            else:
                out.append(SourceStatus(source_id=sid, kind=row["kind"], title=row["title"], path=row["path"],
                                        state="missing", chunks=row["n_chunks"],
                                        detail="file is gone; `advisor kb reindex` drops its chunks"))
        return out

    def _state(self, kind: Kind, path: Path, row: sqlite3.Row | None) -> tuple[State, str | None, int]:
        """(state, detail, chunks) of a file on disk, given its catalog row."""
        curated = kind == "curated"
        if row is None:
            try:
                self.stores.inspect(path, curated=curated)
            except SourceError as exc:
                return "failed", str(exc), 0
            return "changed", "new, not indexed yet", 0
        st = path.stat()
        same = (st.st_size, st.st_mtime_ns) == (row["size"], row["mtime_ns"])
        if not same:
            try:
                same = self.stores.inspect(path, curated=curated).sha256 == row["sha256"]
            except SourceError as exc:
                return "failed", str(exc), 0
        if row["status"] == "failed" and same:
            return "failed", row["error"], row["n_chunks"]
        if not same:
            return "changed", "changed since indexed", row["n_chunks"]
        return "indexed", row["warning"], row["n_chunks"]

    def reindex(self, full: bool = False, progress: ProgressCallback | None = None) -> ReindexReport:
        """Bring the index up to date (by hash); `full` rebuilds both stores from scratch."""
        if full:
            self.stores.wipe()
            self.forget()
        cat = self.stores.catalog
        for row in cat.sources():  # a refused add was reported when it was made; a reindex clears it
            if row["source_id"].startswith(FAILED_ADD):
                cat.forget_source(row["source_id"])
        report = self.sync(use_stat=False, progress=progress)
        if not full:
            self.stores.dense  # noqa: B018 - opening repairs a vector index that drifted from the catalog
        self._synced = True
        return report

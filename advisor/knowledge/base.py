"""KnowledgeBase: the curated cards plus the user's notes, indexed for hybrid retrieval.

- Notes are copied into `settings.notes_dir` (files the user can read); the index is derived
  from them and from the curated cards, and can always be rebuilt (`reindex(full=True)`).
- The SQLite catalog (`index_dir/lexical.sqlite3`) holds sources, hashes, chunk texts and the
  FTS5 BM25 index; Chroma (`index_dir/chroma`, or a server) holds the vectors.
- Search fuses dense and lexical rankings by reciprocal rank fusion (`rrf`); the query embedding
  and the BM25 search run concurrently (onnxruntime and sqlite release the GIL).
- Indexing pools the chunks of many files into large batches (see `indexer.py`).
- The KnowledgeBase owns its Embedder (the ONNX session), or is given one to share.

Stores are opened on first use; heavy libraries (onnxruntime, chromadb) are imported then.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from advisor.errors import StorageError, UsageError
from advisor.knowledge.models import (
    AddOutcome,
    AddReport,
    NoteInfo,
    Passage,
    Progress,
    ProgressCallback,
    ReindexReport,
    SourceStatus,
)
from advisor.knowledge.indexer import INDEX_BATCH, BatchIndexer, Job, Result, embed_text, metadata_for_rows
from advisor.knowledge.indexer import now as _now
from advisor.knowledge.sources import (
    SUBFIELD_MAP,
    SUPPORTED_SUFFIXES,
    FileInfo,
    SourceError,
    inspect_file,
    slugify,
)

if TYPE_CHECKING:
    from advisor.knowledge.dense import DenseIndex
    from advisor.knowledge.embedder import Embedder
    from advisor.knowledge.store import Catalog
    from advisor.settings import Settings

Mode = Literal["hybrid", "dense", "lexical"]
KINDS = ("curated", "note")
# Reciprocal rank fusion: score = Σ w / (k + rank), ties broken by the runs' normalised scores.
# A small k lets the top of each ranking count (the classic k=60 was tuned for fusing many long
# runs; here there are two of at most ~40). On bench/questions.json, k in 2..10 and a lexical
# weight in 0.5..1 are all within about ±0.03 recall@5 of each other; equal weights keep it plain
# RRF, and make the classic (1, 2)-vs-(2, 1) tie go to the passage nearer the top of both runs.
RRF_K = 5
RRF_WEIGHTS = {"dense": 1.0, "lexical": 1.0}
__all__ = ["INDEX_BATCH", "KnowledgeBase", "embed_text", "rrf"]
CATALOG_FILE = "lexical.sqlite3"
_NOTE_NAME = re.compile(r"^([0-9a-f]{8})-")
_FAILED_ADD = "add:"


def rrf(
    runs: Sequence[Sequence[tuple[str, float]]],
    k: float = RRF_K,
    weights: Sequence[float] | None = None,
) -> list[tuple[str, float]]:
    """Weighted reciprocal rank fusion of scored rankings [(id, score)], best first.

    score = Σ w_i / (k + rank_i). Ties (e.g. ranks (1, 2) against (2, 1)) are broken by the sum of
    the normalised scores (each run's scores divided by its best, so 1.0 is the top of a run),
    then by id, so the order never depends on which ranking came first.
    """
    weights = list(weights) if weights is not None else [1.0] * len(runs)
    fused: dict[str, float] = {}
    norm: dict[str, float] = {}
    for run, w in zip(runs, weights):
        if not run:
            continue
        top = max(run[0][1], 1e-12)
        for rank, (cid, score) in enumerate(run, start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (k + rank)
            norm[cid] = norm.get(cid, 0.0) + max(score, 0.0) / top
    return sorted(fused.items(), key=lambda kv: (-round(kv[1], 12), -norm[kv[0]], kv[0]))


class _Ticker:
    def __init__(self, total: int, callback: ProgressCallback | None) -> None:
        self.total, self.done, self.callback = total, 0, callback
        self._last = 0.0

    def tick(self, done: int, current: str, force: bool = False) -> None:
        self.done = done
        if self.callback is None:
            return
        now = time.monotonic()
        if force or now - self._last >= 0.05:
            self._last = now
            self.callback(Progress(done=min(done, self.total), total=self.total, current=current))


class KnowledgeBase:
    """The knowledge base for one ADVISOR_HOME. Construct cheaply; stores open on first use."""

    def __init__(self, settings: "Settings", *, embedder: "Embedder | None" = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._catalog: Catalog | None = None
        self._dense: DenseIndex | None = None
        self._synced = False
        self._n_chunks: int | None = None
        self._pool: Any = None  # a one-thread executor for the BM25 half of a hybrid search

    # ------------------------------------------------------------------ places
    @property
    def notes_dir(self) -> Path:
        return self.settings.notes_dir

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def curated_dir(self) -> Path | None:
        configured = self.settings.knowledge.curated_dir
        if configured is not None:
            return Path(configured).expanduser()
        from advisor import resources

        try:
            return resources.knowledge_dir()
        except FileNotFoundError:
            return None

    # ------------------------------------------------------------------ stores
    @property
    def catalog(self) -> "Catalog":
        if self._catalog is None:
            from advisor.knowledge.store import Catalog

            self._catalog = Catalog(self.index_dir / CATALOG_FILE)
        return self._catalog

    @property
    def embedder(self) -> "Embedder":
        """This knowledge base's embedder (its ONNX session is created once, on first use)."""
        if self._embedder is None:
            from advisor.knowledge.embedder import Embedder

            self._embedder = Embedder()
        return self._embedder

    @property
    def dense(self) -> "DenseIndex":
        if self._dense is None:
            from advisor.knowledge.dense import DenseIndex
            from advisor.knowledge.embedder import chroma_embedding_function

            self._dense = DenseIndex(
                self.index_dir,
                self.settings.knowledge.chroma_url,
                chroma_embedding_function(lambda: self.embedder),
            )
            self._repair_dense()
        return self._dense

    def close(self) -> None:
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None
        if self._dense is not None:
            try:
                self._dense.client.close()
            except Exception:  # noqa: BLE001
                pass
            self._dense = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        self._synced = False

    def __enter__(self) -> "KnowledgeBase":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _repair_dense(self) -> int:
        """Make the vector store match the catalog (e.g. a fresh Chroma server, an interrupted run)."""
        assert self._dense is not None
        cat = self.catalog
        if self._dense.count() == cat.chunk_count():
            return 0
        have = set(self._dense.all_ids())
        want = set(cat.chunk_ids())
        extra = sorted(have - want)
        if extra:
            self._dense.delete(extra)
        missing = sorted(want - have)
        for i in range(0, len(missing), INDEX_BATCH):
            rows = cat.iter_chunks(missing[i : i + INDEX_BATCH])
            self._upsert_vectors(rows)
        return len(extra) + len(missing)

    def _upsert_vectors(self, rows: Sequence[Any]) -> None:
        if not rows:
            return
        vecs = self.embedder.embed([embed_text(r["title"], r["location"], r["text"]) for r in rows])
        assert self._dense is not None
        self._dense.upsert([r["chunk_id"] for r in rows], vecs, metadata_for_rows(rows))

    # ------------------------------------------------------------------ sources on disk
    def _disk_sources(self) -> dict[str, tuple[str, Path]]:
        found: dict[str, tuple[str, Path]] = {}
        cdir = self.curated_dir
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
        if self.notes_dir.is_dir():
            for path in sorted(self.notes_dir.iterdir()):
                if path.name.startswith(".") or not path.is_file():
                    continue
                if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                found["note:" + _note_id(path)] = ("note", path)
        return found

    # ------------------------------------------------------------------ indexing
    def _ready(self) -> None:
        """Open the stores and bring the index up to date with the files (cheap when unchanged)."""
        if not self._synced:
            self._sync(use_stat=True)
            self._synced = True

    def _sync(self, *, use_stat: bool, progress: ProgressCallback | None = None) -> ReindexReport:
        started = time.perf_counter()
        cat = self.catalog
        report = ReindexReport()
        disk = self._disk_sources()
        rows = {r["source_id"]: r for r in cat.sources() if not r["source_id"].startswith(_FAILED_ADD)}
        todo: list[tuple[str, str, FileInfo]] = []
        for sid, (kind, path) in disk.items():
            row = rows.get(sid)
            try:
                st = path.stat()
            except OSError:
                continue
            if row is not None and use_stat and (st.st_size, st.st_mtime_ns) == (row["size"], row["mtime_ns"]):
                report.unchanged += 1
                continue
            try:
                info = inspect_file(path)
            except SourceError as exc:
                if row is None or row["status"] != "failed" or row["error"] != str(exc):
                    self._mark_failed(sid, kind, path, str(exc), st.st_size, st.st_mtime_ns, None)
                report.failed.append(self._failed_status(sid, kind, path, str(exc)))
                continue
            if row is not None and row["sha256"] == info.sha256:
                cat.touch_source(sid, info.size, info.mtime_ns)
                if row["status"] == "failed":
                    report.failed.append(self._failed_status(sid, kind, path, row["error"] or ""))
                else:
                    report.unchanged += 1
                continue
            todo.append((sid, kind, info))
        for sid, row in rows.items():
            if sid not in disk:
                self._delete_source(sid)
                report.removed += 1
        ticker = _Ticker(sum(i.size for _, _, i in todo), progress)
        jobs = []
        base = 0
        for sid, kind, info in todo:
            jobs.append(Job(sid, kind, info, base=base))
            base += info.size
        if jobs:
            results = self._index_jobs(jobs, ticker)
            for job in jobs:
                res = results[job.sid]
                if res.error is None:
                    report.indexed += 1
                    report.chunks += res.chunks
                else:
                    report.failed.append(self._failed_status(job.sid, job.kind, job.info.path, res.error))
            ticker.tick(base, jobs[-1].info.path.name, force=True)
            self._drop_orphans()
        if todo and self._dense is not None:
            self._repair_dense()
        self._n_chunks = None
        report.seconds = time.perf_counter() - started
        return report

    def _failed_status(self, sid: str, kind: str, path: Path, error: str) -> SourceStatus:
        return SourceStatus(
            source_id=sid, kind=kind, title=path.name, path=str(path), state="failed", detail=error  # type: ignore[arg-type]
        )

    def _mark_failed(
        self, sid: str, kind: str, path: Path, error: str, size: int | None, mtime: int | None, sha: str | None
    ) -> None:
        cat = self.catalog
        self._drop_vectors(sid)
        with cat.transaction():
            cat.delete_chunks(sid)
            cat.upsert_source(
                sid, kind=kind, path=str(path), title=path.name, status="failed", error=error,
                size=size, mtime_ns=mtime, sha256=sha, n_chunks=0, indexed_at=_now(), topics=[],
            )

    def _delete_source(self, sid: str) -> int:
        cat = self.catalog
        ids = self._drop_vectors(sid)
        with cat.transaction():
            cat.delete_source(sid)
        self._n_chunks = None
        return len(ids)

    def _drop_vectors(self, sid: str) -> list[str]:
        """Remove a source's vectors from Chroma; its catalog rows go after, in the caller's
        transaction (`_repair_dense` mends a store left between the two)."""
        ids = self.catalog.chunk_ids(sid)
        if ids:
            self.dense.delete(ids)
        return ids

    def _index_jobs(
        self,
        jobs: Sequence[Job],
        ticker: _Ticker | None = None,
        on_failure: Any = None,
    ) -> dict[str, Result]:
        """Index files in pooled batches; a file that cannot be indexed is marked failed
        (or handed to `on_failure(job, error)`), the others are still indexed."""

        def failed(job: Job, error: str) -> None:
            if on_failure is not None:
                on_failure(job, error)
            else:
                i = job.info
                self._mark_failed(job.sid, job.kind, i.path, error, i.size, i.mtime_ns, i.sha256)

        indexer = BatchIndexer(
            self.catalog, self.dense, self.embedder, self.settings.knowledge.chunk_words,
            mark_failed=failed, tick=(ticker.tick if ticker is not None else None),
        )
        try:
            return indexer.run(jobs)
        finally:
            self._n_chunks = None

    def _drop_orphans(self) -> None:
        """Chunks whose source row is gone (an interrupted run): out of both stores."""
        cat = self.catalog
        ids = [r[0] for r in cat.db.execute(
            "SELECT chunk_id FROM chunks WHERE source_id NOT IN (SELECT source_id FROM sources)"
        )]
        if not ids:
            return
        self.dense.delete(ids)
        with cat.transaction():
            cat.db.execute("DELETE FROM chunks WHERE source_id NOT IN (SELECT source_id FROM sources)")

    # ------------------------------------------------------------------ notes
    def add_paths(
        self, paths: Iterable[str | os.PathLike[str]], progress: ProgressCallback | None = None
    ) -> AddReport:
        """Copy files (folders recursively: .md, .txt, .pdf) into the notes folder and index them.

        Each bad input becomes a failed item with a one-line reason; the rest are still added.
        """
        report = AddReport()
        files: list[tuple[str, Path]] = []
        for given in paths:
            p = Path(given).expanduser()
            if not p.exists():
                report.items.append(AddOutcome(path=str(given), outcome="failed", message="no such file or folder"))
                continue
            if p.is_dir():
                found = [
                    f for f in sorted(p.rglob("*"))
                    if f.is_file()
                    and f.suffix.lower() in SUPPORTED_SUFFIXES
                    and not any(part.startswith(".") for part in f.relative_to(p).parts)
                ]
                if not found:
                    report.items.append(AddOutcome(
                        path=str(given), outcome="failed", message="folder has no .md, .txt or .pdf files"
                    ))
                files += [(str(f), f) for f in found]
            else:
                files.append((str(given), p))
        self.notes_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        checked: list[tuple[str, Path, FileInfo]] = []
        for shown, p in files:
            try:
                checked.append((shown, p, inspect_file(p)))
            except SourceError as exc:
                report.items.append(AddOutcome(path=shown, outcome="failed", message=str(exc)))
                self._record_failed_add(p, str(exc))
        self._ready()
        # 1. decide and copy, file by file; 2. index all the copies in pooled batches
        outcomes: list[AddOutcome | _PendingAdd] = []
        pending_by_sha: dict[str, _PendingAdd] = {}
        taken = {m.group(1) for f in os.listdir(self.notes_dir) if (m := _NOTE_NAME.match(f))}
        for shown, p, info in checked:
            dup = pending_by_sha.get(info.sha256)
            if dup is not None:  # the same content twice in one call
                self._clear_failed_add(str(p.resolve()))
                outcomes.append(AddOutcome(
                    path=shown, outcome="unchanged", note_id=dup.nid,
                    message=f"same content as note {dup.nid}, skipped",
                ))
                continue
            item = self._prepare_add(shown, p, info, taken)
            if isinstance(item, _PendingAdd):
                pending_by_sha[info.sha256] = item
            outcomes.append(item)
        pending = [o for o in outcomes if isinstance(o, _PendingAdd)]
        ticker = _Ticker(sum(o.job.info.size for o in pending), progress)
        base = 0
        for o in pending:
            o.job.base = base
            base += o.job.info.size
        results = self._index_jobs([o.job for o in pending], ticker, on_failure=self._failed_add) if pending else {}
        if pending:
            ticker.tick(base, pending[-1].job.info.path.name, force=True)
        titles: dict[str, str | None] = {}
        for o in outcomes:
            if isinstance(o, _PendingAdd):
                report.items.append(self._finish_add(o, results[o.job.sid]))
                titles[o.nid] = report.items[-1].title
            else:
                if o.outcome == "unchanged" and o.title is None and o.note_id in titles:
                    o.title = titles[o.note_id]
                report.items.append(o)
        return report

    def _failed_add(self, job: Job, error: str) -> None:
        self._delete_source(job.sid)
        job.info.path.unlink(missing_ok=True)

    def _record_failed_add(self, path: Path, error: str) -> None:
        origin = str(path.resolve())
        cat = self.catalog
        cat.upsert_source(
            _FAILED_ADD + origin, kind="note", path=origin, title=path.name, origin=origin,
            status="failed", error=error, n_chunks=0, indexed_at=_now(), topics=[],
        )

    def _clear_failed_add(self, origin: str) -> None:
        self.catalog.db.execute("DELETE FROM sources WHERE source_id=?", (_FAILED_ADD + origin,))

    def _new_note_id(self, seed: str, taken: set[str] | None = None) -> str:
        """A fresh 8-hex note id. `taken`: the ids of the files in the notes folder, listed once by
        the caller (and kept up to date) instead of a glob of the folder per note."""
        cat = self.catalog
        for salt in range(1000):
            nid = hashlib.sha256(f"{seed}\0{salt}".encode()).hexdigest()[:8]
            if cat.source("note:" + nid) is not None:
                continue
            if taken is None:
                if list(self.notes_dir.glob(nid + "-*")):
                    continue
            elif nid in taken:
                continue
            else:
                taken.add(nid)
            return nid
        raise StorageError("cannot allocate a note id")  # pragma: no cover

    def _prepare_add(
        self, shown: str, src: Path, info: FileInfo, taken: set[str] | None = None
    ) -> "AddOutcome | _PendingAdd":
        """Skip an unchanged file, or copy it into the notes folder as a job to index."""
        origin = str(src.resolve())
        cat = self.catalog
        existing = cat.source_by_origin(origin)
        if existing is not None and existing["sha256"] == info.sha256 and Path(existing["path"]).exists():
            self._clear_failed_add(origin)
            return AddOutcome(
                path=shown, outcome="unchanged", note_id=existing["source_id"][5:], title=existing["title"],
                chunks=existing["n_chunks"], message="unchanged, skipped",
            )
        same = cat.source_by_hash(info.sha256)
        if same is not None and Path(same["path"]).exists():
            self._clear_failed_add(origin)
            return AddOutcome(
                path=shown, outcome="unchanged", note_id=same["source_id"][5:], title=same["title"],
                chunks=same["n_chunks"], message=f"same content as note {same['source_id'][5:]}, skipped",
            )
        nid = existing["source_id"][5:] if existing is not None else self._new_note_id(origin, taken)
        dest = self.notes_dir / f"{nid}-{slugify(src.stem)}{src.suffix.lower() or '.txt'}"
        if existing is not None and Path(existing["path"]) != dest:
            Path(existing["path"]).unlink(missing_ok=True)
        try:
            if src.resolve() != dest.resolve():
                tmp = dest.with_name("." + dest.name + ".part")
                shutil.copyfile(src, tmp)
                os.chmod(tmp, 0o600)
                os.replace(tmp, dest)
        except OSError as exc:
            raise StorageError(f"cannot copy {src} into {self.notes_dir}: {exc.strerror or exc}") from None
        st = dest.stat()
        copy = FileInfo(dest, st.st_size, st.st_mtime_ns, info.sha256, info.fmt, info.encoding, info.warning)
        job = Job("note:" + nid, "note", copy, origin=origin)
        return _PendingAdd(shown=shown, src=src, nid=nid, job=job, updated=existing is not None)

    def _finish_add(self, item: "_PendingAdd", result: Result) -> AddOutcome:
        if result.error is not None:
            self._record_failed_add(item.src, result.error)
            return AddOutcome(path=item.shown, outcome="failed", message=result.error)
        self._clear_failed_add(item.job.origin or "")
        row = self.catalog.source(item.job.sid)
        return AddOutcome(
            path=item.shown, outcome="updated" if item.updated else "added", note_id=item.nid,
            title=row["title"] if row else None, chunks=result.chunks, warning=item.job.info.warning,
        )

    def add_text(self, text: str, title: str | None = None, origin: str = "stdin") -> AddOutcome:
        """Save text as a Markdown note (title in its front matter) and index it."""
        import yaml

        body = text.strip()
        if not body:
            raise UsageError("empty note: nothing to add")
        title = (title or "").strip() or body.splitlines()[0].lstrip("#").strip()[:80] or "Untitled note"
        content = "---\n" + yaml.safe_dump({"title": title}, allow_unicode=True, sort_keys=False) + "---\n\n" + body + "\n"
        data = content.encode("utf-8")
        self.notes_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._ready()
        sha = hashlib.sha256(data).hexdigest()
        same = self.catalog.source_by_hash(sha)
        if same is not None and Path(same["path"]).exists():
            return AddOutcome(
                path="-", outcome="unchanged", note_id=same["source_id"][5:], title=same["title"],
                chunks=same["n_chunks"], message=f"same content as note {same['source_id'][5:]}, skipped",
            )
        nid = self._new_note_id(sha)
        dest = self.notes_dir / f"{nid}-{slugify(title)}.md"
        dest.write_bytes(data)
        os.chmod(dest, 0o600)
        info = inspect_file(dest)
        job = Job("note:" + nid, "note", info, origin=origin)
        result = self._index_jobs([job], on_failure=self._failed_add)[job.sid]
        if result.error is not None:
            raise UsageError(f"cannot add note: {result.error}")
        return AddOutcome(path="-", outcome="added", note_id=nid, title=title, chunks=result.chunks)

    def list_notes(self) -> list[NoteInfo]:
        self._ready()
        out = []
        for r in self.catalog.sources("note"):
            if r["source_id"].startswith(_FAILED_ADD):
                continue
            out.append(NoteInfo(
                id=r["source_id"][5:], title=r["title"], path=r["path"], origin=r["origin"],
                chunks=r["n_chunks"], size=r["size"] or 0, added_at=r["added_at"], status=r["status"],
                warning=r["error"] or r["warning"],
            ))
        return sorted(out, key=lambda n: (n.added_at or "", n.id))

    def _find_note(self, note_id: str) -> Any:
        note_id = note_id.strip().removeprefix("note:")
        if not note_id:
            raise UsageError("give a note id (see `advisor notes list`)")
        cat = self.catalog
        row = cat.source("note:" + note_id)
        if row is None:
            rows = cat.db.execute(
                "SELECT * FROM sources WHERE kind='note' AND source_id LIKE ?", ("note:" + note_id + "%",)
            ).fetchall()
            if len(rows) > 1:
                raise UsageError(f"note id {note_id!r} is ambiguous; give more characters")
            row = rows[0] if rows else None
        if row is None:
            raise UsageError(f"no note with id {note_id!r} (see `advisor notes list`)")
        return row

    def remove_note(self, note_id: str) -> NoteInfo:
        """Delete a note's file and its chunks."""
        self._ready()
        row = self._find_note(note_id)
        info = NoteInfo(id=row["source_id"][5:], title=row["title"], path=row["path"], origin=row["origin"],
                        chunks=row["n_chunks"])
        path = Path(row["path"])
        if path.parent.resolve() == self.notes_dir.resolve():
            path.unlink(missing_ok=True)
        self._delete_source(row["source_id"])
        return info

    # ------------------------------------------------------------------ status / reindex
    def status(self) -> list[SourceStatus]:
        """Every source and its state, without changing anything."""
        cat = self.catalog
        disk = self._disk_sources()
        out: list[SourceStatus] = []
        rows = {r["source_id"]: r for r in cat.sources()}
        for sid, (kind, path) in disk.items():
            row = rows.get(sid)
            title = row["title"] if row else path.name
            if row is None:
                try:
                    inspect_file(path)
                    out.append(SourceStatus(source_id=sid, kind=kind, title=title, path=str(path),  # type: ignore[arg-type]
                                            state="changed", detail="new, not indexed yet"))
                except SourceError as exc:
                    out.append(SourceStatus(source_id=sid, kind=kind, title=title, path=str(path),  # type: ignore[arg-type]
                                            state="failed", detail=str(exc)))
                continue
            st = path.stat()
            same = (st.st_size, st.st_mtime_ns) == (row["size"], row["mtime_ns"])
            if not same:
                try:
                    same = inspect_file(path).sha256 == row["sha256"]
                except SourceError as exc:
                    out.append(SourceStatus(source_id=sid, kind=kind, title=title, path=str(path),  # type: ignore[arg-type]
                                            state="failed", detail=str(exc)))
                    continue
            if row["status"] == "failed" and same:
                state, detail = "failed", row["error"]
            elif not same:
                state, detail = "changed", "changed since indexed"
            else:
                state, detail = "indexed", row["warning"]
            out.append(SourceStatus(source_id=sid, kind=kind, title=title, path=str(path), state=state,  # type: ignore[arg-type]
                                    detail=detail, chunks=row["n_chunks"]))
        for sid, row in rows.items():
            if sid in disk:
                continue
            if sid.startswith(_FAILED_ADD):
                out.append(SourceStatus(source_id=sid, kind="note", title=row["title"], path=row["path"],
                                        state="failed", detail=f"not added: {row['error']}"))
            else:
                out.append(SourceStatus(source_id=sid, kind=row["kind"], title=row["title"], path=row["path"],
                                        state="missing", chunks=row["n_chunks"],
                                        detail="file is gone; `advisor kb reindex` drops its chunks"))
        return out

    def reindex(self, full: bool = False, progress: ProgressCallback | None = None) -> ReindexReport:
        """Bring the index up to date (by hash); `full` rebuilds both stores from scratch."""
        if full:
            self._wipe()
        report = self._sync(use_stat=False, progress=progress)
        if not full:
            self.dense  # opening repairs a vector store that drifted from the catalog
        self._synced = True
        return report

    def _wipe(self) -> None:
        chroma_url = self.settings.knowledge.chroma_url
        self.close()
        for name in (CATALOG_FILE, CATALOG_FILE + "-wal", CATALOG_FILE + "-shm"):
            (self.index_dir / name).unlink(missing_ok=True)
        if chroma_url:
            self.dense.reset()
        else:
            chroma_dir = self.index_dir / "chroma"
            try:
                from chromadb.api.shared_system_client import SharedSystemClient

                system = SharedSystemClient._identifier_to_system.pop(str(chroma_dir), None)
                SharedSystemClient._identifier_to_refcount.pop(str(chroma_dir), None)
                if system is not None:
                    system.stop()
            except Exception:  # noqa: BLE001
                pass
            shutil.rmtree(chroma_dir, ignore_errors=True)

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str,
        k: int | None = None,
        kind: str | None = None,
        topics: list[str] | None = None,
        *,
        mode: Mode = "hybrid",
    ) -> list[Passage]:
        """The k best passages for a question: dense + BM25 fused by reciprocal rank fusion."""
        query = (query or "").strip()
        if not query:
            raise UsageError("empty search query")
        if kind is not None and kind not in KINDS:
            raise UsageError(f"unknown kind {kind!r}; use curated or note")
        if mode not in ("hybrid", "dense", "lexical"):
            raise UsageError(f"unknown search mode {mode!r}")
        k = k or self.settings.knowledge.top_k
        if k < 1:
            raise UsageError("k must be at least 1")
        topics = [t.strip().lower() for t in topics or [] if t.strip()] or None
        self._ready()
        cat = self.catalog
        if self._n_chunks is None:
            self._n_chunks = cat.chunk_count()
        if self._n_chunks == 0:
            return []
        depth = min(self._n_chunks, max(4 * k, 40))
        dense_hits: list[tuple[str, float]] = []
        lex_hits: list[tuple[str, float]] = []
        lex_future = None
        if mode == "hybrid":
            # BM25 on a worker thread while this one embeds the query and asks Chroma
            lex_future = self._executor().submit(self._lexical, query, depth, kind, topics)
        elif mode == "lexical":
            lex_hits = self._lexical(query, depth, kind, topics)
        try:
            if mode in ("hybrid", "dense"):
                from advisor.knowledge.dense import where_clause

                vec = self.embedder.embed_one(query)
                dense_hits = self.dense.query(vec, depth, where_clause(kind, topics))
        finally:
            if lex_future is not None:
                lex_hits = lex_future.result()
        if mode == "dense":
            ranked = dense_hits
        elif mode == "lexical":
            ranked = lex_hits
        else:
            ranked = rrf([dense_hits, lex_hits], weights=[RRF_WEIGHTS["dense"], RRF_WEIGHTS["lexical"]])
        top = ranked[:k]
        rows = cat.chunks_by_id([c for c, _ in top])
        return [self._passage(rows[c], s) for c, s in top if c in rows]

    def _lexical(self, query: str, n: int, kind: str | None, topics: list[str] | None) -> list[tuple[str, float]]:
        cat = self.catalog
        try:
            return cat.lexical_search(query, n, kind, topics)
        except Exception as exc:  # noqa: BLE001 - sqlite errors on a damaged FTS index
            from advisor.knowledge.store import corrupt

            raise corrupt(cat.path, exc) from None

    def _executor(self) -> Any:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="advisor-kb-bm25")
        return self._pool

    def get_passage(self, chunk_id: str) -> Passage | None:
        """One passage by its chunk id (as cited), or None when the index no longer has it."""
        row = self.catalog.chunks_by_id([chunk_id]).get(chunk_id)
        return None if row is None else self._passage(row, 0.0)

    def _passage(self, row: Any, score: float) -> Passage:
        import json

        sid = row["source_id"]
        return Passage(
            text=row["text"], score=round(score, 6), title=row["title"], source=row["path"],
            kind=row["kind"], chunk_id=row["chunk_id"], location=row["location"],
            topics=json.loads(row["topics"] or "[]"), card_kind=row["card_kind"],
            note_id=sid[5:] if sid.startswith("note:") else None,
        )

    def as_retriever(self, k: int | None = None, **kwargs: Any) -> Any:
        """A LangChain BaseRetriever over this knowledge base."""
        from advisor.knowledge.retriever import KnowledgeRetriever

        return KnowledgeRetriever(kb=self, k=k or self.settings.knowledge.top_k, **kwargs)


@dataclass
class _PendingAdd:
    """A file copied into the notes folder, waiting to be indexed with the others."""

    shown: str
    src: Path
    nid: str
    job: Job
    updated: bool


def _note_id(path: Path) -> str:
    m = _NOTE_NAME.match(path.name)
    if m:
        return m.group(1)
    return hashlib.sha256(path.name.encode()).hexdigest()[:8]

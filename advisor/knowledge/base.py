"""KnowledgeBase: the curated cards plus the user's notes, indexed for hybrid retrieval.

A small facade over three parts that share the stores (`stores.py`):
- `ingest.py`: sync with the files, reindex, status (indexing in pooled batches: `indexer.py`);
- `notes.py`: add files, folders or typed text as notes; list and remove them;
- `search.py`: dense + BM25 retrieval fused by reciprocal rank fusion, re-ranked by late
  interaction (`late.py`), with snippets (`snippets.py`) and card sources (`provenance.py`).
- `team.py`: notes shared with a team's Chroma server (`knowledge.chroma_url`), private unless
  shared; search finds the other members' shared notes too.

Notes are copied into `settings.notes_dir` (files the user can read); the index is derived from
them and from the curated cards, and can always be rebuilt (`reindex(full=True)`). The SQLite
catalog (`index_dir/lexical.sqlite3`) holds sources, hashes, chunk texts and the FTS5 index; a
vector index (`vectors.py`; Chroma by default) holds the vectors. Construct it cheaply: stores
open, and heavy libraries load, on first use. It owns its Embedder, or is given one to share.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.errors import UsageError
from advisor.knowledge.ingest import Ingest
from advisor.knowledge.models import (
    AddOutcome,
    AddReport,
    IndexedSource,
    NoteInfo,
    NoteRecord,
    Passage,
    ProgressCallback,
    ReindexReport,
    SourceStatus,
)
from advisor.knowledge.notes import Notes
from advisor.knowledge.search import Mode, Search, passage
from advisor.knowledge.stores import Stores

if TYPE_CHECKING:
    import sqlite3

    from advisor.knowledge.catalog import Catalog
    from advisor.knowledge.embedder import Embedder
    from advisor.knowledge.retriever import KnowledgeRetriever
    from advisor.knowledge.team import TeamStatus
    from advisor.knowledge.vectors import VectorIndex
    from advisor.settings import Settings

__all__ = ["KnowledgeBase"]


class KnowledgeBase:
    """The knowledge base for one ADVISOR_HOME. Construct cheaply; stores open on first use."""

    def __init__(
        self, settings: Settings, *, embedder: Embedder | None = None, progress: ProgressCallback | None = None
    ) -> None:
        """`progress` hears of the indexing that a first use does by itself (a first search
        indexes the curated cards, and any note file not indexed yet)."""
        self.settings = settings
        self._stores = Stores(settings, embedder)
        self._ingest = Ingest(self._stores, progress)
        self._notes = Notes(self._stores, self._ingest)
        self._search = Search(self._stores, self._ingest)

    # ------------------------------------------------------------------ places and stores
    @property
    def notes_dir(self) -> Path:
        return self._stores.notes_dir

    @property
    def index_dir(self) -> Path:
        return self._stores.index_dir

    @property
    def curated_dir(self) -> Path | None:
        return self._stores.curated_dir

    @property
    def catalog(self) -> Catalog:
        return self._stores.catalog

    @property
    def embedder(self) -> Embedder:
        return self._stores.embedder

    @property
    def dense(self) -> VectorIndex:
        """The vector index (opening it repairs any drift from the catalog)."""
        return self._stores.dense

    def close(self) -> None:
        self._search.close()
        self._stores.close()
        self._ingest.forget()

    def __enter__(self) -> KnowledgeBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ notes
    def add_paths(
        self, paths: Iterable[str | os.PathLike[str]], progress: ProgressCallback | None = None,
        *, share: bool | None = None,
    ) -> AddReport:
        """Copy files (folders recursively, in the supported formats) into the notes folder and
        index them. Each bad input becomes a failed item with a one-line reason; the rest are added.
        `share`: with the team (None: `knowledge.share_by_default`)."""
        share = self.sharing(share)
        report = self._notes.add_paths(paths, progress)
        if share:
            self._share([i.note_id for i in report.items if i.note_id and i.outcome != "failed"])
        return report

    def add_text(
        self, text: str, title: str | None = None, origin: str = "stdin", *, share: bool | None = None
    ) -> AddOutcome:
        """Save text as a Markdown note (title in its front matter) and index it."""
        share = self.sharing(share)
        outcome = self._notes.add_text(text, title, origin)
        if share and outcome.note_id:
            self._share([outcome.note_id])
        return outcome

    def list_notes(self) -> list[NoteInfo]:
        """Every note; with a team server, whether each is shared (connecting first uploads what waits)."""
        notes = self._notes.list_notes()
        if self._stores.team.url:
            self._stores.team.online()
            shared = self._stores.team.store.shared()
            for n in notes:
                if "note:" + n.id in shared:
                    n.shared = "uploaded" if shared["note:" + n.id] else "pending"
        return notes

    def remove_note(self, note_id: str) -> NoteInfo:
        """Delete a note's file and its chunks (`note_id` may be shortened while unambiguous);
        a shared note leaves the team server too (now, or on the next connection)."""
        info = self._notes.remove_note(note_id)
        if self._stores.team.url and self._stores.team.store.unshare("note:" + info.id):
            self._stores.team.sync()
        return info

    def set_shared(self, note_id: str, share: bool) -> NoteInfo:
        """Share a note with the team, or make it private again (its passages leave the server)."""
        self.sharing(True)
        info = self._notes.find_note(note_id)
        team = self._stores.team
        if share:
            team.share(["note:" + info.id])
        else:
            team.unshare("note:" + info.id)
        return next(n for n in self.list_notes() if n.id == info.id)

    def team_status(self) -> TeamStatus:
        """The team server: where, whether it answers, what this home shares and mirrors."""
        return self._stores.team.status()

    @property
    def team_notice(self) -> str | None:
        """Why the team server is not in use right now (one line), or None."""
        return self._stores.team.notice

    def sharing(self, share: bool | None) -> bool:
        """Whether notes added now are shared (None: the default); asking without a server is a UsageError."""
        if share is None:
            return self.settings.knowledge.share_by_default and bool(self.settings.knowledge.chroma_url)
        if share and not self.settings.knowledge.chroma_url:
            raise UsageError("no team server: set knowledge.chroma_url (or ADVISOR_CHROMA_URL) to share notes")
        return share

    def _share(self, note_ids: list[str]) -> None:
        if note_ids:
            self._stores.team.share(["note:" + n for n in note_ids])

    def note_text(self, note_id: str) -> tuple[NoteInfo, str]:
        """A note's metadata and its text (`note_id` may be shortened while unambiguous)."""
        return self._notes.note_text(note_id)

    def export_notes(self) -> list[NoteRecord]:
        """Every note, byte for byte, with its title, origin and date: what a backup holds."""
        return self._notes.export_notes()

    def restore_notes(self, records: Iterable[NoteRecord]) -> list[AddOutcome]:
        """Notes from a backup, written and indexed; those already here (same content) are skipped."""
        return self._notes.restore_notes(records)

    # ------------------------------------------------------------------ index
    def indexed_sources(self) -> list[IndexedSource]:
        """Every indexed card and note (after bringing the index up to date with the files), each
        with a stamp that changes whenever its passages may have: for stores derived from the index."""
        self._ingest.ready()
        return [
            IndexedSource(source_id=r["source_id"], kind=r["kind"], title=r["title"], path=r["path"],
                          added_at=r["added_at"], stamp=f"{r['sha256']}|{r['indexed_at']}|{r['n_chunks']}")
            for r in self.catalog.sources() if r["status"] == "indexed"
        ]

    def source_passages(self, source_id: str) -> list[Passage]:
        """Every passage of one source, in reading order."""
        rows = self.catalog.chunks_by_id(self.catalog.chunk_ids(source_id))
        ordered = sorted(rows.values(), key=lambda r: int(r["chunk_id"].rpartition("#")[2] or 0))
        return [passage(r, 0.0) for r in ordered]

    def status(self) -> list[SourceStatus]:
        """Every source and its state, without changing anything."""
        return self._ingest.status()

    def reindex(self, full: bool = False, progress: ProgressCallback | None = None) -> ReindexReport:
        """Bring the index up to date (by hash); `full` rebuilds both stores from the files. The
        team server then gets this home's changed shared notes (its own ids only)."""
        report = self._ingest.reindex(full, progress)
        self._stores.team.sync()
        return report

    def prepare(self, progress: ProgressCallback | None = None) -> ReindexReport | None:
        """Do now, with progress, the indexing a first search would do by itself (files that
        changed by size or date); None when this knowledge base was prepared already."""
        return self._ingest.ready(progress)

    def check_index(self) -> str | None:
        """Why the index cannot be read (one line saying how to rebuild it), or None."""
        return self._stores.check()

    # ------------------------------------------------------------------ search
    def search(
        self,
        query: str,
        k: int | None = None,
        kind: str | None = None,
        topics: list[str] | None = None,
        *,
        mode: Mode = "hybrid",
        rerank: bool = True,
    ) -> list[Passage]:
        """The k best passages for a question: dense + BM25 fused by reciprocal rank fusion, the
        top re-sorted by late interaction (`rerank=False` leaves the fused order)."""
        return self._search.search(query, k, kind, topics, mode=mode, rerank=rerank)

    def get_passage(self, chunk_id: str) -> Passage | None:
        """One passage by its chunk id (as cited), or None when the index no longer has it."""
        return self._search.get_passage(chunk_id)

    def as_retriever(self, k: int | None = None, **kwargs: Any) -> KnowledgeRetriever:
        """A LangChain BaseRetriever over this knowledge base (kwargs: its fields, e.g. kind, topics)."""
        from advisor.knowledge.retriever import KnowledgeRetriever

        return KnowledgeRetriever(kb=self, k=k or self.settings.knowledge.top_k, **kwargs)

    # ------------------------------------------------------------------ for bench/bench_retrieval.py
    def _ready(self) -> None:
        self._ingest.ready()

    def _lexical(self, query: str, n: int, kind: str | None, topics: list[str] | None) -> list[tuple[str, float]]:
        return self._search.lexical(query, n, kind, topics)

    def _passage(self, row: sqlite3.Row, score: float) -> Passage:
        return passage(row, score)

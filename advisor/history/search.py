"""`advisor search`: one ranked search over everything written or read here.

Words: BM25 over the history index (every session turn, journal entry, belief, note and card
passage in one FTS5 table), snippets with each match marked. Meaning: the knowledge base's vector
index, where it has the passage (notes and cards). Only notes and cards have vectors, so meaning
adds what no word matched rather than reordering the word matches (which would lift a card above
your own journal for having one more signal): both rankings are scored by reciprocal rank, the
meaning-only ones at half weight. Results are the things that open (a session, an entry, a
belief, a note, a card), each once, with its best snippet.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from advisor.errors import AdvisorError, UsageError
from advisor.history.documents import (
    JOURNAL_GROUP,
    KB_GROUP,
    KINDS,
    SESSIONS_GROUP,
    Kind,
    journal_docs,
    knowledge_docs,
    open_command,
    session_docs,
)
from advisor.history.index import INDEX_FILE, MARK_END, MARK_START, HistoryIndex, Hit

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore
    from advisor.knowledge.base import KnowledgeBase
    from advisor.settings import Settings

#: How deep each ranking is read before results are grouped by what they open.
DEPTH = 200
#: Passages found by meaning: how many are asked for, and the least cosine similarity kept
#: (all-MiniLM-L6-v2: unrelated text scores about 0-0.25, a paraphrase 0.5 and up).
SEMANTIC_K, SEMANTIC_MIN = 12, 0.42
#: Reciprocal rank scores, w / (RANK_K + rank), as in advisor.knowledge.search's fusion: a match
#: by meaning alone at half the weight of a match by words.
RANK_K, WORDS_WEIGHT, MEANING_WEIGHT = 5, 1.0, 0.5
KB_KINDS: dict[Kind, str] = {"note": "note", "card": "curated"}
#: The curated cards' BM25 scores count for less than what you wrote yourself: a search of your
#: history is first for your own sessions, entries, beliefs and notes (cards still show below).
CARD_WEIGHT = 0.5


class SearchResult(BaseModel):
    """One thing that matched, and how to open it."""

    kind: Kind
    target: str = Field(description='What it opens: "entry:3", "belief:5", "session:2", "note:<id>", "card:<path>".')
    label: str
    snippet: str = Field(description="Text around the best match, plain.")
    marks: list[tuple[int, int]] = Field(default_factory=list, description="[start, end) of each match in snippet.")
    place: str = Field("", description="Where in it: a turn's speaker and stage, a passage's section.")
    day: date | None = None
    score: float = Field(description="Fused rank score (higher is better); only the order means anything.")
    matches: int = Field(1, description="How many of its parts matched (turns of a session, passages of a note).")
    semantic: bool = Field(False, description="Found by meaning in the vector index (alone, or as well as by words).")
    open: str = Field(description="The command that shows it.")


class SearchReport(BaseModel):
    query: str
    results: list[SearchResult]
    warnings: list[str] = Field(default_factory=list)


def parse_kinds(kind: str | None) -> list[Kind] | None:
    if kind is None:
        return None
    for k in KINDS:
        if k == kind:
            return [k]
    raise UsageError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")


def split_marks(marked: str) -> tuple[str, list[tuple[int, int]]]:
    """A snippet with MARK_START/MARK_END around matches as (plain text, [(start, end)])."""
    plain: list[str] = []
    marks: list[tuple[int, int]] = []
    length, start = 0, None
    for ch in marked:
        if ch == MARK_START:
            start = length
        elif ch == MARK_END:
            if start is not None:
                marks.append((start, length))
            start = None
        else:
            plain.append(ch)
            length += 1
    return "".join(plain), marks


class HistorySearch:
    """Search over a journal (with its sessions) and, when given, a knowledge base."""

    def __init__(self, journal: JournalStore, index_path: Path, kb: KnowledgeBase | None = None) -> None:
        self.journal = journal
        self.kb = kb
        self.index = HistoryIndex(index_path)

    @classmethod
    def for_settings(cls, settings: Settings, journal: JournalStore, kb: KnowledgeBase | None = None) -> HistorySearch:
        return cls(journal, settings.index_dir / INDEX_FILE, kb)

    def close(self) -> None:
        self.index.close()

    # ------------------------------------------------------------------ keeping the index up to date
    def refresh(self) -> list[str]:
        """Bring the index up to date with the journal, the sessions and the knowledge base; the
        warnings say what could not be read (the rest is still searched)."""
        from advisor.session.store import SessionStore

        self.index.sync_docs(JOURNAL_GROUP, journal_docs(self.journal))
        self.index.sync_docs(SESSIONS_GROUP, session_docs(SessionStore(self.journal)))
        if self.kb is None:
            return []
        kb = self.kb
        try:
            sources = {KB_GROUP + s.source_id: s for s in kb.indexed_sources()}
            self.index.sync_groups(KB_GROUP, {g: s.stamp for g, s in sources.items()},
                                   lambda group: knowledge_docs(kb, sources[group]))
        except AdvisorError as exc:
            return [f"notes and cards were not searched: {exc.message}"]
        return []

    # ------------------------------------------------------------------ searching
    def search(self, query: str, kind: str | None = None, since: date | None = None, limit: int = 20,
               *, semantic: bool = True) -> SearchReport:
        from advisor.knowledge.catalog import fts_query

        query = " ".join((query or "").split())
        if not query:
            raise UsageError('say what to search for: advisor search "words"')
        if limit < 1:
            raise UsageError("the number of results must be at least 1")
        kinds = parse_kinds(kind)
        warnings = self.refresh()
        match = fts_query(query)
        words = self.index.search(match, DEPTH, kinds, since) if match else []
        meaning: list[Hit] = []
        if semantic and self.kb is not None and not warnings:
            try:
                meaning = self._by_meaning(query, kinds, since)
            except AdvisorError as exc:
                warnings.append(f"no matches by meaning: {exc.message}")
        return SearchReport(query=query, results=_rank(words, meaning)[:limit], warnings=warnings)

    def _by_meaning(self, query: str, kinds: Sequence[Kind] | None, since: date | None) -> list[Hit]:
        """Passages of notes and cards near the query in the vector index, as index docs."""
        assert self.kb is not None
        wanted = [k for k in (kinds or KINDS) if k in KB_KINDS]
        if not wanted:
            return []
        kb_kind = KB_KINDS[wanted[0]] if len(wanted) == 1 else None
        passages = [p for p in self.kb.search(query, SEMANTIC_K, kb_kind, mode="dense") if p.score >= SEMANTIC_MIN]
        docs = self.index.docs(["chunk:" + p.chunk_id for p in passages])
        hits = []
        for p in passages:
            hit = docs.get("chunk:" + p.chunk_id)
            if hit is None or (since is not None and (hit.day is None or hit.day < since)):
                continue
            hits.append(Hit(key=hit.key, kind=hit.kind, target=hit.target, label=hit.label, place=hit.place,
                            day=hit.day, score=p.score, snippet=hit.snippet))
        return hits


def _rank(words: Sequence[Hit], meaning: Sequence[Hit]) -> list[SearchResult]:
    """Group each ranking by what its hits open (best hit first), then merge them by reciprocal rank."""
    best: dict[str, Hit] = {}
    counts: dict[str, int] = {}
    for hit in sorted(words, key=lambda h: -h.score * (CARD_WEIGHT if h.kind == "card" else 1.0)):
        best.setdefault(hit.target, hit)
        counts[hit.target] = counts.get(hit.target, 0) + 1
    by_meaning: dict[str, Hit] = {}
    for hit in meaning:
        by_meaning.setdefault(hit.target, hit)
    scored = {t: WORDS_WEIGHT / (RANK_K + rank) for rank, t in enumerate(best, start=1)}
    only_meaning = [t for t in by_meaning if t not in best]
    scored |= {t: MEANING_WEIGHT / (RANK_K + rank) for rank, t in enumerate(only_meaning, start=1)}
    results = []
    for target in sorted(scored, key=lambda t: (-scored[t], t not in best)):
        hit = best.get(target) or by_meaning[target]
        snippet, marks = split_marks(hit.snippet)
        results.append(SearchResult(
            kind=hit.kind, target=target, label=hit.label, snippet=snippet, marks=marks, place=hit.place,
            day=hit.day, score=round(scored[target], 6), matches=counts.get(target, 0) or 1,
            semantic=target in by_meaning, open=open_command(target),
        ))
    return results

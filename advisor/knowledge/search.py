"""Search: the k best passages for a question. Two stages: dense and BM25 rankings fused by
reciprocal rank fusion (`rrf`), then the top of the fused ranking re-sorted by late interaction
(`late.py`) over the token states stored with each chunk. The query is embedded once (its vector
and its token states come from the same model run) while the BM25 search runs on a worker thread
(onnxruntime and sqlite release the GIL). Passages carry what a citation needs, the sentences that
match the question, and, for a card drawn from one of your notes, that note's passage
(`provenance.py`).

With a team server (`team.py`), notes other members shared join both rankings: their vectors
are searched on the server (merged with the home's by cosine similarity), their texts in the
local mirror's FTS5 index (merged by BM25 score); each passage says whose it is. They have no
token states here, so the second stage leaves them at their fused place.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from advisor.errors import UsageError
from advisor.knowledge import late
from advisor.knowledge.ingest import Ingest
from advisor.knowledge.models import Passage
from advisor.knowledge.stores import Stores

if TYPE_CHECKING:
    import sqlite3
    from concurrent.futures import Future, ThreadPoolExecutor

    from advisor.knowledge.embedder import QueryEncoding
    from advisor.knowledge.team_store import TeamPassage

Mode = Literal["hybrid", "dense", "lexical"]
MODES = ("hybrid", "dense", "lexical")
KINDS = ("curated", "note")
Ranking = list[tuple[str, float]]  # [(chunk_id, score)], best first
# Reciprocal rank fusion: score = Σ w / (k + rank), ties broken by the runs' normalised scores.
# A small k lets the top of each ranking count (the classic k=60 was tuned for fusing many long
# runs; here there are two of at most ~40). On bench/questions.json, k in 2..10 and a lexical
# weight in 0.5..1 are all within about ±0.03 recall@5 of each other; equal weights keep it plain
# RRF, and make the classic (1, 2)-vs-(2, 1) tie go to the passage nearer the top of both runs.
# With the second stage on top, k in 2..60 and lexical weights 0.5..1.5 moved dev MRR by less
# than ±0.02 (noise on 67 questions): the fused list only has to hold the answer in its top 20.
RRF_K = 5
RRF_WEIGHTS = {"dense": 1.0, "lexical": 1.0}


def rrf(
    runs: Sequence[Sequence[tuple[str, float]]],
    k: float = RRF_K,
    weights: Sequence[float] | None = None,
) -> Ranking:
    """Weighted reciprocal rank fusion of scored rankings [(id, score)], best first.

    score = Σ w_i / (k + rank_i). Ties (e.g. ranks (1, 2) against (2, 1)) are broken by the sum of
    the normalised scores (each run's scores divided by its best, so 1.0 is the top of a run),
    then by id, so the order never depends on which ranking came first.
    """
    weights = list(weights) if weights is not None else [1.0] * len(runs)
    fused: dict[str, float] = {}
    norm: dict[str, float] = {}
    for run, w in zip(runs, weights, strict=True):
        if not run:
            continue
        top = max(run[0][1], 1e-12)
        for rank, (cid, score) in enumerate(run, start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (k + rank)
            norm[cid] = norm.get(cid, 0.0) + max(score, 0.0) / top
    return sorted(fused.items(), key=lambda kv: (-round(kv[1], 12), -norm[kv[0]], kv[0]))


def passage(row: sqlite3.Row, score: float) -> Passage:
    """A catalog chunk row (joined with its source) as a cited passage."""
    sid = row["source_id"]
    is_note = sid.startswith("note:")
    origin = row["origin"] or ""
    if is_note:  # the file the user added, when it was a file (typed notes have only their copy)
        source = origin if origin and Path(origin).is_absolute() else row["path"]
    else:  # a card by its place among the cards, never the folder it is installed in
        source = sid.split(":", 1)[1]
    start, end = row["line_start"], row["line_end"]
    return Passage(
        text=row["text"], score=round(score, 6), title=row["title"], source=source,
        kind=row["kind"], chunk_id=row["chunk_id"], location=row["location"],
        topics=json.loads(row["topics"] or "[]"), card_kind=row["card_kind"],
        note_id=sid[5:] if is_note else None, owner="mine" if is_note else None,
        lines=(start, end) if start else None,
        draws_on=[work_label(w) for w in json.loads(row["draws_on"] or "[]") if isinstance(w, dict)],
    )


def work_label(work: dict[str, str]) -> str:
    """A work a card draws on, for people: “Title”, Author — where. An author the card gives as
    "unknown (seed 004)" is left out: the where ("shared seed 004 …") already says it."""
    label = f"“{work.get('title', '')}”"
    by = work.get("by", "")
    if by and not by.lower().startswith("unknown"):
        label += f", {by}"
    if work.get("where"):
        label += f" — {work['where']}"
    return label


def team_passage(p: TeamPassage, score: float) -> Passage:
    """A passage another member shared, cited as theirs."""
    return Passage(
        text=p.text, score=round(score, 6), title=p.title, source=f"shared by {p.owner_name}", kind="note",
        chunk_id=p.id, location=p.location, topics=list(p.topics), owner="team", added_by=p.owner_name,
    )


def _merged(a: Ranking, b: Ranking, n: int) -> Ranking:
    """Two rankings of comparable scores as one, best first."""
    return a if not b else sorted(a + b, key=lambda kv: (-kv[1], kv[0]))[:n]


class Search:
    """Queries over the stores; the files are checked (`Ingest.ready`) before the first one."""

    def __init__(self, stores: Stores, ingest: Ingest) -> None:
        self.stores = stores
        self.ingest = ingest
        self._pool: ThreadPoolExecutor | None = None  # one thread: the BM25 half of a hybrid search

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
        """The k best passages. In hybrid mode the fused ranking is re-sorted by late interaction
        unless `rerank` is False (the benchmark's "hybrid" row)."""
        query = (query or "").strip()
        if not query:
            raise UsageError("empty search query")
        if kind is not None and kind not in KINDS:
            raise UsageError(f"unknown kind {kind!r}; use curated or note")
        if mode not in MODES:
            raise UsageError(f"unknown search mode {mode!r}")
        k = k or self.stores.settings.knowledge.top_k
        if k < 1:
            raise UsageError("k must be at least 1")
        topics = [t.strip().lower() for t in topics or [] if t.strip()] or None
        self.ingest.ready()
        team = self.stores.team
        use_team = kind != "curated" and (team.online() or team.state == "offline")
        n_chunks = self.ingest.chunk_count()
        if n_chunks == 0 and not use_team:
            return []
        depth = max(4 * k, 40)
        ranked, encoding = self._rank(query, depth, kind, topics, mode, n_chunks=n_chunks, use_team=use_team)
        cat = self.stores.catalog
        if encoding is not None and rerank:
            blobs = cat.token_states([c for c, _ in ranked[: late.RERANK_DEPTH]])
            ranked = late.rerank(ranked, encoding.tokens, blobs, self.stores.embedder.dimensions)
        top = ranked[:k]
        rows = cat.chunks_by_id([c for c, _ in top])
        shared = team.passages([c for c, _ in top if c not in rows]) if use_team else {}
        passages = [passage(rows[c], s) if c in rows else team_passage(shared[c], s)
                    for c, s in top if c in rows or c in shared]
        if encoding is not None and rerank:
            self._link_sources(passages, encoding, query)
        for p in passages:
            self._add_snippet(p, query)
        return passages

    def _rank(
        self, query: str, depth: int, kind: str | None, topics: list[str] | None, mode: Mode,
        *, n_chunks: int | None = None, use_team: bool = False,
    ) -> tuple[Ranking, QueryEncoding | None]:
        """The first stage: (the ranking of `mode`, the query's encoding when it was embedded)."""
        if n_chunks is None:
            n_chunks = self.ingest.chunk_count()
        team = self.stores.team
        dense_hits: Ranking = []
        lex_hits: Ranking = []
        encoding: QueryEncoding | None = None
        lex_future: Future[Ranking] | None = None
        if mode == "hybrid":
            # BM25 on a worker thread while this one embeds the query and asks the vector index
            lex_future = self._executor().submit(self.lexical, query, depth, kind, topics, use_team)
        elif mode == "lexical":
            lex_hits = self.lexical(query, depth, kind, topics, use_team)
        try:
            if mode in ("hybrid", "dense"):
                encoding = self.stores.embedder.encode_query(query)
                if n_chunks:
                    dense_hits = self.stores.dense.query(encoding.vector, min(n_chunks, depth), kind, topics)
                if use_team:
                    dense_hits = _merged(dense_hits, team.dense(encoding.vector, depth, topics), depth)
        finally:
            if lex_future is not None:
                lex_hits = lex_future.result()
        if mode == "dense":
            return dense_hits, None
        if mode == "lexical":
            return lex_hits, None
        fused = rrf([dense_hits, lex_hits], weights=[RRF_WEIGHTS["dense"], RRF_WEIGHTS["lexical"]])
        return fused, encoding

    def _link_sources(self, passages: list[Passage], encoding: QueryEncoding, query: str) -> None:
        """Provenance: a card drawn from one of your notes gets that note's best passage."""
        from advisor.knowledge.provenance import link_sources

        cat = self.stores.catalog

        def make(chunk_id: str, score: float) -> Passage | None:
            row = cat.chunks_by_id([chunk_id]).get(chunk_id)
            return None if row is None else passage(row, score)

        link_sources(cat, passages, encoding.tokens, query, self.stores.embedder.dimensions, make)

    @staticmethod
    def _add_snippet(p: Passage, query: str) -> None:
        from advisor.knowledge.snippets import snippet

        p.snippet, p.marks = snippet(p.text, query)
        if p.source_passage is not None:
            Search._add_snippet(p.source_passage, query)

    def lexical(
        self, query: str, n: int, kind: str | None, topics: list[str] | None, team: bool = False
    ) -> Ranking:
        """The BM25 ranking (with the team's mirrored notes when `team`); a damaged FTS index is
        one line saying to rebuild it."""
        import sqlite3

        cat = self.stores.catalog
        try:
            hits = cat.lexical_search(query, n, kind, topics)
            return _merged(hits, self.stores.team.lexical(query, n, topics), n) if team else hits
        except sqlite3.DatabaseError as exc:
            from advisor.knowledge.catalog import corrupt

            raise corrupt(cat.path, exc) from None

    def get_passage(self, chunk_id: str) -> Passage | None:
        row = self.stores.catalog.chunks_by_id([chunk_id]).get(chunk_id)
        if row is not None:
            return passage(row, 0.0)
        shared = self.stores.team.passages([chunk_id]).get(chunk_id)
        return None if shared is None else team_passage(shared, 0.0)

    def _executor(self) -> ThreadPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="advisor-kb-bm25")
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

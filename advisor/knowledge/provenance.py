"""Provenance: a curated card that summarises one of your notes is shown with that note's own
words beside it, so a paraphrase never hides its source.

A card names the works it draws on in its front matter (`sources:`, each with a title). A note is
such a work when that title (or, for "Label: title", the part after the colon) of at least three
words appears as a phrase in the note's text or title: the essay's own title line, or the heading
of a post inside a collection. Beside the card goes the note's passage that best matches the
question (late interaction over that note's chunks), unless it is already among the results.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from advisor.knowledge import late

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from advisor.knowledge.catalog import Catalog
    from advisor.knowledge.models import Passage

PassageMaker = Callable[[str, float], "Passage | None"]  # (chunk id, score) -> the passage
MIN_TITLE_WORDS = 3  # a shorter title ("Debate") would link any note that mentions it
MAX_SCAN = 200  # chunks of the linked notes scored by MaxSim at most (a few ms)


def title_phrases(title: str) -> list[str]:
    """FTS5 phrase queries for a work's title: the whole title and, for "Label: rest", the rest."""
    candidates = [title]
    if ":" in title:
        candidates.append(title.split(":", 1)[1])
    out = []
    for text in candidates:
        words = re.findall(r"\w+", text.lower())
        if len(words) >= MIN_TITLE_WORDS:
            out.append('"' + " ".join(words) + '"')
    return list(dict.fromkeys(out))


def notes_citing(catalog: Catalog, titles: Sequence[str]) -> list[str]:
    """The source ids of the notes in which one of these titles appears."""
    found: list[str] = []
    for title in titles:
        for phrase in title_phrases(title):
            rows = catalog.db.execute(
                "SELECT DISTINCT c.source_id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid "
                "JOIN sources s ON s.source_id = c.source_id WHERE chunks_fts MATCH ? AND s.kind = 'note'",
                (phrase,),
            ).fetchall()
            found += [r[0] for r in rows if r[0] not in found]
    return found


def best_chunk(
    catalog: Catalog, source_ids: Sequence[str], query: NDArray[np.float32], dims: int, question: str
) -> tuple[str, float] | None:
    """The chunk of these sources that best matches the query's tokens, and its MaxSim. A long
    note (more than MAX_SCAN chunks) is narrowed first to its best BM25 matches."""
    ids = [cid for group in catalog.source_chunk_ids(source_ids).values() for cid in group]
    if len(ids) > MAX_SCAN:
        ids = _lexical_within(catalog, source_ids, question)
    blobs = catalog.token_states(ids)
    ids = [cid for cid in ids if blobs.get(cid)]
    if not ids:
        return None
    sims = late.maxsim(query, [blobs[cid] for cid in ids], dims)
    best = max(range(len(ids)), key=lambda i: sims[i])
    return ids[best], sims[best]


def _lexical_within(catalog: Catalog, source_ids: Sequence[str], question: str) -> list[str]:
    from advisor.knowledge.catalog import fts_query

    match = fts_query(question)
    if match is None:
        return []
    rows = catalog.db.execute(
        "SELECT c.chunk_id FROM chunks_fts JOIN chunks c ON c.rowid = chunks_fts.rowid WHERE chunks_fts MATCH ? "
        f"AND c.source_id IN ({', '.join('?' * len(source_ids))}) ORDER BY bm25(chunks_fts) LIMIT ?",
        [match, *source_ids, MAX_SCAN],
    ).fetchall()
    return [r[0] for r in rows]


def link_sources(
    catalog: Catalog,
    passages: Sequence[Passage],
    query: NDArray[np.float32],
    question: str,
    dims: int,
    make_passage: PassageMaker,
) -> None:
    """Give each card that draws on one of your notes that note's best passage for the query
    (`source_passage`), unless that passage is already among `passages` or beside a card above."""
    shown = {p.chunk_id for p in passages}
    for p in passages:
        if p.kind != "curated" or not p.draws_on:
            continue
        row = catalog.source(f"curated:{p.source}")
        titles = _titles(row["draws_on"]) if row is not None else []
        notes = notes_citing(catalog, titles)
        hit = best_chunk(catalog, notes, query, dims, question) if notes else None
        if hit is None or hit[0] in shown:
            continue
        shown.add(hit[0])  # beside the first card that draws on it only
        p.source_passage = make_passage(hit[0], hit[1])


def _titles(draws_on_json: str) -> list[str]:
    import json

    return [str(w["title"]) for w in json.loads(draws_on_json or "[]") if isinstance(w, dict) and w.get("title")]


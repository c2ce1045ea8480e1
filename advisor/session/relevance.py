"""How well a sentence answers a question: word overlap, or the knowledge base's own embedding
model when the session has one (the same all-MiniLM vectors the search uses), blended with overlap.

Guide mode picks the sentences it quotes with this, and the engine uses it to find the user's
journaled beliefs that bear on a message.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any, Protocol

from advisor.session.reading import content_words

#: Sentences shorter or longer than this (characters) are not quoted as answers.
MIN_SENTENCE, MAX_SENTENCE = 30, 420
#: A sentence ends at a stop before a capital, a quote or a bullet ("...them? - How do you ...?"),
#: or at a line break; not at an abbreviation ("(e.g. \"look at ...\")" is one sentence).
_SPLIT = re.compile(r"(?<![eE]\.g\.)(?<![iI]\.e\.)(?<!\bvs\.)(?<!\bcf\.)(?<=[.!?])[\"”’)]?\s+(?=[\"“‘(A-Z0-9]|[-•*]\s)|\n+")


class Scorer(Protocol):
    #: Scores at or above this count as relevant (the scale differs between scorers).
    threshold: float

    def scores(self, query: str, texts: Sequence[str]) -> list[float]: ...


#: Markdown emphasis (**bold**, __bold__, `code`): quoted as its plain words, not "Scale**: take ...".
_EMPHASIS = re.compile(r"(\*\*|__|`)(\S(?:.*?\S)?)\1")


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage (bullets and lines count as sentences), within the quotable length."""
    out = []
    for piece in _SPLIT.split(_EMPHASIS.sub(r"\2", text or "")):
        s = " ".join(piece.split()).lstrip("-•*0123456789. ").strip() if piece else ""
        if MIN_SENTENCE <= len(s) <= MAX_SENTENCE:
            out.append(s)
    return out


def overlap(query: str, text: str) -> float:
    """Shared content words over the geometric mean of both sizes (0-1)."""
    q, t = content_words(query), content_words(text)
    if not q or not t:
        return 0.0
    return len(q & t) / math.sqrt(len(q) * len(t))


class LexicalScorer:
    threshold = 0.22

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        return [overlap(query, t) for t in texts]


class EmbeddingScorer:
    """Cosine similarity of all-MiniLM vectors, blended with word overlap (which keeps names and
    rare terms from being averaged away)."""

    threshold = 0.42

    def __init__(self, embedder: Any) -> None:
        self.embedder = embedder

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        vectors = self.embedder.embed([query, *texts])
        cosines = vectors[1:] @ vectors[0]
        return [0.75 * float(c) + 0.25 * overlap(query, t) for c, t in zip(cosines, texts, strict=True)]


def best(scorer: Scorer, query: str, texts: Sequence[str]) -> list[tuple[int, float]]:
    """(index, score) of `texts`, best first."""
    scored = list(enumerate(scorer.scores(query, texts)))
    return sorted(scored, key=lambda pair: -pair[1])

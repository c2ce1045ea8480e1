"""Passages for the session's questions, from whatever retriever it was given (or the knowledge base).

Retrieval helps a turn but must never end a session: a knowledge base that cannot be opened or
searched is reported once (as `failure`) and the session goes on without passages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from advisor.errors import UsageError, error_text
from advisor.session.passages import PassageLike
from advisor.session.relevance import EmbeddingScorer, LexicalScorer, Scorer

if TYPE_CHECKING:
    from pathlib import Path

    from advisor.settings import Settings


class Retriever(Protocol):
    """What the session calls: KnowledgeBase.search, or a test's fake."""

    def search(self, query: str, k: int | None = None) -> Sequence[PassageLike]: ...


class Knowledge:
    """The session's view of the knowledge base: `search` never raises, `failure` says why it is off."""

    def __init__(self, settings: Settings, retriever: Retriever | None = None) -> None:
        self.settings = settings
        self._retriever = retriever
        self.failure: str | None = None
        self._scorer: Scorer | None = None

    def _open(self) -> Retriever | None:
        if self._retriever is None and self.failure is None:
            try:
                from advisor.knowledge import KnowledgeBase

                self._retriever = KnowledgeBase(self.settings)
            except Exception as exc:  # noqa: BLE001 - fault boundary: a broken index or install must not end a session
                self.failure = f"the knowledge base is not available ({exc})"
        return self._retriever

    def scorer(self) -> Scorer:
        """Sentence relevance with the base's own embedding model when it has one, else word overlap."""
        if self._scorer is None:
            embedder = None
            retriever = self._open()
            try:
                embedder = getattr(retriever, "embedder", None)
            except Exception:  # noqa: BLE001 - an embedder that cannot load: word overlap will do
                embedder = None
            self._scorer = EmbeddingScorer(embedder) if embedder is not None else LexicalScorer()
        return self._scorer

    @property
    def curated_dir(self) -> Path | None:
        return self.settings.knowledge.curated_dir

    def search(self, query: str, k: int | None = None) -> list[PassageLike]:
        """The top `k` passages for `query` (the setting's number when not given)."""
        retriever = self._open()
        if retriever is None:
            return []
        k = k or self.settings.knowledge.top_k
        try:
            return list(retriever.search(query, k=k))
        except UsageError:
            return []
        except Exception as exc:  # noqa: BLE001 - fault boundary: retrieval must not end a session
            msg = error_text(exc)
            self.failure = f"the knowledge base could not be searched ({msg})"
            self._retriever = None
            return []

"""A LangChain retriever over the KnowledgeBase (imports langchain_core; load it lazily)."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from advisor.knowledge.base import KnowledgeBase


class KnowledgeRetriever(BaseRetriever):
    """Hybrid retrieval over curated cards and notes; `invoke(query, k=..)` overrides k."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    kb: KnowledgeBase
    k: int = 5
    kind: str | None = None
    topics: list[str] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, **kwargs: Any
    ) -> list[Document]:
        k = int(kwargs.get("k") or self.k)
        passages = self.kb.search(
            query, k=k, kind=kwargs.get("kind", self.kind), topics=kwargs.get("topics", self.topics)
        )
        return [
            Document(
                page_content=p.text,
                id=p.chunk_id,
                metadata=p.model_dump(exclude={"text"}),
            )
            for p in passages
        ]

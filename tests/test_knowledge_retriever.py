"""The LangChain retriever passes the standard langchain-tests retriever suite."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.retrievers import BaseRetriever
from langchain_tests.integration_tests import RetrieversIntegrationTests
from support import KB_FIELD_LOCATION

from advisor.knowledge.retriever import KnowledgeRetriever


@pytest.mark.filterwarnings("ignore:.*marked with '@pytest.mark.asyncio'")
@pytest.mark.asyncio  # the suite's ainvoke test is a coroutine (pytest-asyncio runs in strict mode)
class TestKnowledgeRetriever(RetrieversIntegrationTests):
    @pytest.fixture(autouse=True)
    def _kb(self, kb_index: Any) -> None:
        type(self)._KB = kb_index

    @property
    def retriever_constructor(self) -> type[BaseRetriever]:
        return KnowledgeRetriever

    @property
    def retriever_constructor_params(self) -> dict[str, Any]:
        return {"kb": type(self)._KB, "k": 5}

    @property
    def retriever_query_example(self) -> str:
        return "what do members of a research field share?"


def test_as_retriever_documents_carry_citations(kb_index: Any):
    docs = kb_index.as_retriever(k=2).invoke("what do members of a research field share?")
    assert len(docs) == 2
    assert docs[0].metadata["location"] == KB_FIELD_LOCATION
    assert {"title", "source", "kind", "chunk_id", "score"} <= set(docs[0].metadata)

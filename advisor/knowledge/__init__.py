"""The knowledge base: curated cards + the user's notes, hybrid retrieval (dense + BM25).

Importing this package is light: onnxruntime, chromadb and langchain load on first use.
"""

from advisor.knowledge.base import KnowledgeBase
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

__all__ = [
    "AddOutcome",
    "AddReport",
    "KnowledgeBase",
    "NoteInfo",
    "Passage",
    "Progress",
    "ProgressCallback",
    "ReindexReport",
    "SourceStatus",
]

"""The knowledge base: curated cards + the user's notes, hybrid retrieval (dense + BM25).

Importing this package is light: its names load on first use (PEP 562), so the CLI can read
the file-reader registry (`advisor.knowledge.readers`) without loading the knowledge base, and
onnxruntime, chromadb and langchain load only when a store opens.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

_MODELS = "advisor.knowledge.models"
_EXPORTS = {
    "AddOutcome": _MODELS,
    "AddReport": _MODELS,
    "KnowledgeBase": "advisor.knowledge.base",
    "NoteInfo": _MODELS,
    "Passage": _MODELS,
    "Progress": _MODELS,
    "ProgressCallback": _MODELS,
    "ReindexReport": _MODELS,
    "SourceStatus": _MODELS,
}
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


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)

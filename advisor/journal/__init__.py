"""The belief journal: entries before/after conversations, beliefs with credence histories.

Pure domain code over one SQLite file; knows nothing of the CLI or the TUI. The names below are
imported lazily: `advisor.journal.rows` (plain SQLite reads, what Home's first frame shows) must not
pay for pydantic, which the models and the store import.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "Belief": "advisor.journal.models",
    "BeliefHistory": "advisor.journal.models",
    "BeliefSummary": "advisor.journal.models",
    "BeliefView": "advisor.journal.models",
    "Entry": "advisor.journal.models",
    "EntryDiff": "advisor.journal.models",
    "Rating": "advisor.journal.models",
    "validate_credence": "advisor.journal.models",
    "JournalStore": "advisor.journal.store",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'advisor.journal' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

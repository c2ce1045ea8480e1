"""The belief journal: entries before/after conversations, beliefs with credence histories.

Pure domain code over one SQLite file; knows nothing of the CLI or the TUI.
"""

from advisor.journal.models import (
    Belief,
    BeliefHistory,
    BeliefSummary,
    BeliefView,
    Entry,
    EntryDiff,
    Rating,
    validate_credence,
)
from advisor.journal.store import JournalStore

__all__ = [
    "Belief",
    "BeliefHistory",
    "BeliefSummary",
    "BeliefView",
    "Entry",
    "EntryDiff",
    "JournalStore",
    "Rating",
    "validate_credence",
]

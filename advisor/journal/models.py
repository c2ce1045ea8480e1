"""Pydantic models of the journal's domain: entries, beliefs, ratings, and the views built from them."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from advisor.errors import UsageError
from advisor.journal.render import fmt_credence as fmt_credence  # where the screens and the CLI import it
from advisor.journal.render import fmt_number

EntryKind = Literal["person", "advisor"]
Phase = Literal["pre", "post"]
PostStatus = Literal["none", "in_progress", "complete"]
Resolution = Literal["yes", "no", "ambiguous"]


class JournalModel(BaseModel):
    """Base of the journal's models: each schema is built when first used, so a command that needs
    one model (say `advisor journal list`) does not pay for building all of them at import."""

    model_config = ConfigDict(defer_build=True)


def validate_credence(value: object, *, where: str = "credence") -> float:
    """A credence is a number from 0 to 100 (a trailing % is fine); anything else is the user's mistake."""
    if isinstance(value, bool):
        raise UsageError(f"{where} must be a number from 0 to 100, not {value!r}")
    if isinstance(value, str):
        text = value.strip().removesuffix("%").strip()
        try:
            number = float(text)
        except ValueError:
            raise UsageError(f"{where} must be a number from 0 to 100, not {value!r}") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise UsageError(f"{where} must be a number from 0 to 100, not {value!r}")
    if math.isnan(number) or not 0 <= number <= 100:
        raise UsageError(f"{where} must be between 0 and 100 (got {fmt_number(number)}%)")
    return number


class Entry(JournalModel):
    """One conversation, journaled before (pre) and after (post)."""

    id: int
    kind: EntryKind = "person"
    about: str
    with_whom: str | None = None
    medium: str | None = None
    occurred_on: date | None = None
    created_at: datetime
    post_status: PostStatus = "none"
    post_completed_at: datetime | None = None

    @property
    def on(self) -> date:
        """The day the conversation happened (`--on`), else the day it was journaled: the date
        shown wherever the entry is."""
        return self.occurred_on or self.created_at.date()


class Belief(JournalModel):
    """A statement the user holds with some credence; persists across entries."""

    id: int
    statement: str
    created_at: datetime
    resolve_by: date | None = None
    resolution: Resolution | None = None
    resolved_at: datetime | None = None


class Rating(JournalModel):
    """One credence given to one belief in one phase of one entry (or a drop in post)."""

    id: int
    entry_id: int
    belief_id: int
    phase: Phase
    credence: float | None = Field(None, description="None when the belief was dropped.")
    reason: str = ""
    dropped: bool = False
    created_at: datetime


class BeliefView(JournalModel):
    """A belief as it stood in one entry's pre phase."""

    belief_id: int
    statement: str
    credence: float
    reason: str = ""


class DiffRow(JournalModel):
    belief_id: int
    statement: str
    before: float | None = None
    after: float | None = None
    before_reason: str = ""
    reason: str = ""

    @property
    def change(self) -> float:
        if self.before is None or self.after is None:
            return 0.0
        return self.after - self.before


class EntryDiff(JournalModel):
    """What moved between an entry's pre and post, sorted by the size of the move."""

    entry: Entry
    moved: list[DiffRow] = Field(default_factory=list, description="Re-rated, by |change| desc.")
    new: list[DiffRow] = Field(default_factory=list, description="Beliefs first rated in post.")
    dropped: list[DiffRow] = Field(default_factory=list, description="Beliefs given up in post.")
    unrated: list[DiffRow] = Field(default_factory=list, description="Pre beliefs not re-rated yet.")


class HistoryPoint(JournalModel):
    entry_id: int
    entry_about: str
    phase: Phase
    credence: float | None
    reason: str = ""
    dropped: bool = False
    at: datetime
    on: date = Field(description="The day of the entry's conversation (its `--on` date, else the day journaled).")


class BeliefHistory(JournalModel):
    belief: Belief
    points: list[HistoryPoint]


class BeliefSummary(JournalModel):
    """One row of `advisor beliefs`."""

    belief: Belief
    latest: float | None
    times_rated: int
    last_change: float | None = Field(None, description="Latest credence minus the one before it.")
    last_rated_at: datetime | None = None
    dropped: bool = False
    history: list[float] = Field(default_factory=list)

"""The session summary: what moved and why, cruxes, open questions, 1-3 cheap next actions.

Built by the model as structured output when one is available; the journal diff (the facts of
what moved) is always computed here, and a deterministic summary stands in when the model cannot.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, field_validator

from advisor.session import prompts
from advisor.session.actions import next_actions
from advisor.session.questions import still_open
from advisor.session.relevance import LexicalScorer, Scorer, overlap

#: Most cruxes listed; how much of the session's own words a model's next action must share.
MAX_CRUXES, ACTION_OVERLAP = 5, 0.15

if TYPE_CHECKING:
    from advisor.journal.models import EntryDiff
    from advisor.session.store import SessionState


class BeliefProposal(BaseModel):
    statement: str = Field(description="One claim that could turn out true or false.")
    credence: float | None = Field(None, description="0-100, or null if the user gave none.")
    reason: str = ""

    @field_validator("credence")
    @classmethod
    def _range(cls, v: float | None) -> float | None:
        if v is not None and not 0 <= v <= 100:
            return None
        return v


class BeliefProposals(BaseModel):
    """Beliefs found in the user's free text."""

    beliefs: list[BeliefProposal] = Field(default_factory=list)


class SessionSummary(BaseModel):
    """What a session found; stored with the session and exportable."""

    what_moved: list[str] = Field(default_factory=list)
    cruxes: list[str] = Field(default_factory=list)
    open_questions: list[str] = Field(default_factory=list)
    next_actions: list[str] = Field(default_factory=list, description="One to three cheap actions.")
    note: str = ""
    source: Literal["model", "deterministic"] = "deterministic"

    @field_validator("next_actions")
    @classmethod
    def _at_most_three(cls, v: list[str]) -> list[str]:
        return [a for a in v if a and a.strip()][:3]


def _fmt(c: float | None) -> str:
    return "—" if c is None else f"{c:g}%"


def moved_lines(diff: EntryDiff | None) -> list[str]:
    """The journal diff as plain sentences (the facts a summary must not contradict)."""
    if diff is None:
        return []
    out = []
    for row in diff.moved:
        why = f" because {row.reason}" if row.reason else " (no reason given)"
        if row.before == row.after:
            out.append(f"“{row.statement}” stayed at {_fmt(row.after)}{why}.")
        else:
            out.append(f"“{row.statement}” went from {_fmt(row.before)} to {_fmt(row.after)}{why}.")
    for row in diff.new:
        why = f" because {row.reason}" if row.reason else ""
        out.append(f"New: “{row.statement}” at {_fmt(row.after)}{why}.")
    for row in diff.dropped:
        why = f" ({row.reason})" if row.reason else ""
        out.append(f"Dropped: “{row.statement}” (was {_fmt(row.before)}){why}.")
    for row in diff.unrated:
        out.append(f"Not re-rated: “{row.statement}”.")
    return out


def cruxes_from(diff: EntryDiff | None, state: SessionState) -> list[str]:
    """Cruxes in the user's own terms: their answers to "what would change your mind?", the cruxes
    they named, and the reasons they gave for each move."""
    out = [f"What would change your mind, in your words: “{a}”" for a in state.get("crux_answers", [])]
    out += [f"You named a crux: “{c}”" for c in state.get("cruxes", []) if f"“{c}”" not in " ".join(out)]
    rows = sorted((r for r in (diff.moved if diff is not None else []) if r.before is not None
                   and r.after is not None and r.before != r.after), key=lambda r: -abs(r.change))
    for r in rows:
        if r.reason:
            out.append(f"Your reason, “because {r.reason}”, moved “{r.statement}” from {_fmt(r.before)} to "
                       f"{_fmt(r.after)}: if that turned out false, would you move back?")
        else:
            out.append(f"“{r.statement}” moved from {_fmt(r.before)} to {_fmt(r.after)} with no reason given: "
                       f"what moved it?")
    return list(dict.fromkeys(out))[:MAX_CRUXES]


def open_questions_from(diff: EntryDiff | None, state: SessionState) -> list[str]:
    """Every question the user posed and left unanswered, verbatim; then beliefs left unrated."""
    out = still_open(state)
    if diff is not None:
        out += [f"You did not re-rate “{r.statement}”." for r in diff.unrated]
    return out


def deterministic_summary(diff: EntryDiff | None, state: SessionState, scorer: Scorer | None = None,
                          curated: Path | None = None, root: Path | None = None) -> SessionSummary:
    """A summary from the journal diff and what the session noticed, with no model."""
    bank = prompts.guide_bank("summary", root)
    moved = moved_lines(diff) or list(bank.get("no_beliefs", []))
    rows = list(diff.moved) + list(diff.new) if diff is not None else []
    rated = [(r.statement, r.after) for r in rows if r.after is not None]
    uncertain = sorted(rated, key=lambda pair: abs(pair[1] - 50))
    actions = next_actions(still_open(state), uncertain, scorer or LexicalScorer(), curated)
    if not actions:
        actions = list(bank.get("no_uncertainty", []))[:1]
    return SessionSummary(
        what_moved=moved, cruxes=cruxes_from(diff, state), open_questions=open_questions_from(diff, state),
        next_actions=actions, note="Built from your journal and what you wrote (no model).",
        source="deterministic",
    )


def merge(model_summary: SessionSummary, fallback: SessionSummary, state: SessionState) -> SessionSummary:
    """A model's summary checked against the deterministic one: what moved is the journal's record,
    word for word; the user's open questions and crux answers are kept verbatim; a next action that
    names no uncertainty of the session is replaced by one that does."""
    tracked = still_open(state)
    named = " ".join([*tracked, *fallback.what_moved, *state.get("crux_answers", [])])
    actions = [a for a in model_summary.next_actions if overlap(a, named) >= ACTION_OVERLAP]
    dropped = len(model_summary.next_actions) - len(actions)
    actions += [a for a in fallback.next_actions if a not in actions][: max(0, 3 - len(actions))]
    own = [c for c in fallback.cruxes if c.startswith("What would change your mind")]
    cruxes = list(dict.fromkeys(own + (model_summary.cruxes or fallback.cruxes)))[:MAX_CRUXES]
    questions = list(dict.fromkeys(fallback.open_questions + model_summary.open_questions))[:8]
    checked = "Checked against your journal: what moved is its record"
    checked += f"; {dropped} next action{'s' if dropped != 1 else ''} naming no uncertainty replaced." if dropped else "."
    return model_summary.model_copy(update={
        "what_moved": fallback.what_moved, "cruxes": cruxes, "open_questions": questions,
        "next_actions": actions[:3], "note": " ".join(p for p in (model_summary.note.strip(), checked) if p),
        "source": "model",
    })


def render_summary(summary: SessionSummary, facts: list[str] | None = None) -> str:
    lines: list[str] = []

    def section(title: str, items: list[str], numbered: bool = False) -> None:
        if not items:
            return
        lines.append(title)
        for i, item in enumerate(items, 1):
            lines.append(f"  {i}. {item}" if numbered else f"  - {item}")

    section("What moved:", summary.what_moved)
    if facts and summary.source == "model" and facts != summary.what_moved:  # a summary stored before the check
        section("Journal record:", facts)
    section("Cruxes:", summary.cruxes)
    section("Open questions:", summary.open_questions)
    section("Next actions (cheap tests of a key uncertainty):", summary.next_actions, numbered=True)
    if summary.note:
        lines.append(summary.note)
    return "\n".join(lines)

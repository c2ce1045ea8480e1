"""The session summary: what moved and why, cruxes, open questions, 1-3 cheap next actions.

Built by the model as structured output when one is available; the journal diff (the facts of
what moved) is always computed here, and a deterministic summary stands in when the model cannot.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field, field_validator

from advisor.session import prompts

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


def deterministic_summary(diff: EntryDiff | None, state: SessionState,
                          root: Path | None = None) -> SessionSummary:
    """A useful summary from the journal diff and what the session noticed, with no model."""
    bank = prompts.guide_bank("summary", root)
    moved = moved_lines(diff)
    if not moved:
        moved = list(bank.get("no_beliefs", []))
    rows = list(diff.moved) + list(diff.new) if diff is not None else []
    cruxes = list(dict.fromkeys(state.get("cruxes", [])))[:4]
    big = sorted((r for r in rows if r.before is not None and r.after is not None),
                 key=lambda r: -abs(r.change))
    for r in big[:2]:
        if abs(r.change) >= 10:
            cruxes.append(f"“{r.statement}” moved {abs(r.change):g} points; what moved it is likely a crux.")
    questions = list(dict.fromkeys(state.get("questions", [])))
    rated = [(r, r.after) for r in rows if r.after is not None]
    uncertain = [r for r, _ in sorted(rated, key=lambda pair: abs(pair[1] - 50))]
    open_q = questions[:4]
    if diff is not None:
        open_q += [f"You did not re-rate “{r.statement}”." for r in diff.unrated][:2]
    actions: list[str] = []
    templates = bank.get("actions", [])
    q_templates = [t for t in templates if "{question}" in t]
    b_templates = [t for t in templates if "{belief}" in t]
    for i, q in enumerate(questions[:2]):
        if q_templates:
            actions.append(prompts.render(q_templates[i % len(q_templates)], question=q))
    for i, r in enumerate(uncertain):
        if len(actions) >= 3 or not b_templates:
            break
        actions.append(prompts.render(b_templates[i % len(b_templates)], belief=r.statement,
                                      credence=_fmt(r.after)))
    if not actions and q_templates:
        actions.append(prompts.render(q_templates[0], question="the decision this session was about"))
    return SessionSummary(
        what_moved=moved, cruxes=cruxes, open_questions=open_q, next_actions=actions[:3],
        note="Built from your journal and what you wrote (no model).", source="deterministic",
    )


def merge(model_summary: SessionSummary, diff: EntryDiff | None, state: SessionState) -> SessionSummary:
    """A model's summary, with the journal's facts kept and the user's open questions added."""
    facts = moved_lines(diff)
    extra = [q for q in state.get("questions", []) if q not in model_summary.open_questions]
    return model_summary.model_copy(update={
        "what_moved": model_summary.what_moved or facts,
        "open_questions": (model_summary.open_questions + extra)[:6],
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
    if facts and summary.source == "model":
        section("Journal record:", facts)
    section("Cruxes:", summary.cruxes)
    section("Open questions:", summary.open_questions)
    section("Next actions (cheap tests of a key uncertainty):", summary.next_actions, numbered=True)
    if summary.note:
        lines.append(summary.note)
    return "\n".join(lines)

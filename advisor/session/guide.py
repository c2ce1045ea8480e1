"""Guide mode: the protocol without a language model.

A turn answers first, then asks: a factual question gets the sentences of the base that answer
it, quoted with their citation; a list question is answered from the subfield map or the career
cards; a request to agree with a one-sided claim gets the strongest case for the other side. Then
at most one question, chosen from what the user wrote (a dangling question, a one-sided claim, a
belief without a reason, a hedge) or else the stage's question that fits it best. The questions
live in prompts/guide/*.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from advisor.session import answers, lists, prompts
from advisor.session.passages import PassageLike, citation_line
from advisor.session.reading import (
    CRUX,
    DEADLINE,
    GOAL,
    OTHER_OPTION,
    Reading,
    in_context,
    read,
    sentences,
    short_quote,
)
from advisor.session.relevance import LexicalScorer, Scorer, best
from advisor.session.stages import Stage
from advisor.session.store import Citation

__all__ = ["Guide", "GuideReply", "Reading", "read", "sentences", "short_quote"]

#: A stage question (known by words in it) the user has already answered, and the sentence that
#: answers it: a goal stated, a deadline named, a crux named, another option named. Such a question
#: is not asked again.
ANSWERED_BY: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("outcome", GOAL), ("deadline", DEADLINE), ("change your mind", CRUX), ("third option", OTHER_OPTION),
)


def answered_questions(questions: Sequence[str], said: Sequence[str]) -> list[str]:
    """The questions among `questions` that a sentence of what the user `said` already answers."""
    said_sentences = [s for text in said for s in sentences(text)]
    return [q for q in questions for words, pattern in ANSWERED_BY
            if words in q.lower() and any(pattern.search(s) for s in said_sentences)]


@dataclass
class GuideReply:
    """A whole guide-mode reply, its citations, and the user's questions it answered from the base."""

    text: str
    citations: tuple[Citation, ...] = ()
    answered: list[str] = field(default_factory=list)


@dataclass
class Sources:
    """What guide mode may consult beyond the turn's passages."""

    scorer: Scorer = field(default_factory=LexicalScorer)
    search: answers.Search = lambda query: []
    curated: Path | None = None
    memory: Sequence[str] = ()  # lines about the user's journaled beliefs that bear on the message
    said: Sequence[str] = ()  # what the user wrote earlier in this stage


class Guide:
    """Chooses guide-mode answers and questions; `counter` rotates through variants and banks."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root
        self.followups = prompts.guide_bank("followups", root)

    def bank(self, stage: Stage) -> dict[str, list[str]]:
        return prompts.guide_bank(stage.value, self.root)

    def intro(self, stage: Stage) -> str:
        return "\n".join(self.bank(stage).get("intro", []))

    def stage_question(self, stage: Stage, index: int) -> str | None:
        qs = self.bank(stage).get("questions", [])
        if not qs:
            return None
        return qs[index % len(qs)]

    def _pick(self, key: str, counter: int, quote: str = "", **values: str) -> str:
        options = self.followups.get(key) or []
        if not options:
            return ""
        return prompts.render(options[counter % len(options)], quote=short_quote(quote).rstrip("."), **values)

    def followups_for(self, reading: Reading, stage: Stage, counter: int) -> list[str]:
        """The follow-ups what the user wrote calls for, the most useful first."""
        out: list[str] = []
        if reading.dangling:
            out.append(self._pick("dangling", counter, reading.dangling[0]))
        if reading.one_sided or reading.seeks_agreement:
            claim = (reading.one_sided or reading.seeks_agreement)[0]
            out.append(self._pick("one_sided", counter, claim))
        if reading.no_reason:
            out.append(self._pick("no_reason", counter, reading.no_reason[0]))
        if reading.cruxes and not out:
            out.append(self._pick("crux", counter, reading.cruxes[0]))
        if reading.hedges and not out:
            out.append(self._pick("hedge", counter, reading.hedges[0]))
        if reading.asks_advisor and reading.kind == "advice" and not out:
            out.append(self._pick("asks_advisor", counter))
        return [o for o in out if o]

    def fitted_question(self, text: str, stage: Stage, counter: int, scorer: Scorer,
                        skip: Sequence[str] = ()) -> str | None:
        """The stage's question that bears most on what the user wrote (rotating when none does)."""
        qs = [q for q in self.bank(stage).get("questions", []) if q not in skip]
        if not qs:
            return None
        ranked = best(scorer, text, qs)
        if ranked and ranked[0][1] >= scorer.threshold * 0.5:
            return qs[ranked[0][0]]
        return qs[counter % len(qs)]

    def reply(self, text: str, stage: Stage, passages: Sequence[PassageLike], counter: int,
              show_passages: bool = True, sources: Sources | None = None) -> GuideReply:
        """Answer first (quoted from the base, or from its data), then at most one question."""
        src = sources or Sources()
        reading = read(text, stage)
        parts: list[str] = []
        answer: answers.Answer | None = None
        answered: list[str] = []
        if show_passages:
            answer = self._answer(text, reading, passages, src)
            if answer.lines:
                parts.append(answer.text)
                if answer.grounded and reading.kind in ("factual", "list"):
                    answered = list(reading.asked)
            elif reading.asks_advisor:
                parts.append(self._pick("uncovered", counter))
        if src.memory:
            parts.append("\n".join(src.memory))
        if answer is not None and answer.citations:
            parts.append("Sources:\n" + "\n".join("  " + citation_line(c) for c in answer.citations))
        question = self.question_for(text, reading, stage, counter, src.scorer, answered=bool(answered),
                                     said=src.said)
        if question:
            parts.append("→ " + question)
        return GuideReply("\n\n".join(p for p in parts if p), tuple(answer.citations) if answer else (), answered)

    def question_for(self, text: str, reading: Reading, stage: Stage, counter: int, scorer: Scorer, *,
                     answered: bool = False, said: Sequence[str] = ()) -> str | None:
        """One question, fitted to what the user wrote and then to the stage; never a stage question
        they have already answered in this stage."""
        followups = self.followups_for(reading, stage, counter)
        if followups:
            return followups[0]
        skip = answered_questions(self.bank(stage).get("questions", []), [*said, text])
        if answered and stage is Stage.EXPLORE:
            return self._pick("after_answer", counter) or self.fitted_question(text, stage, counter, scorer, skip)
        return self.fitted_question(text, stage, counter, scorer, skip)

    def _answer(self, text: str, reading: Reading, passages: Sequence[PassageLike], src: Sources) -> answers.Answer:
        claim = (reading.seeks_agreement and (reading.one_sided or sentences(text))) or reading.one_sided
        if claim:
            found, option = answers.steelman(" ".join(claim), src.search, src.scorer)
            said = short_quote(" ".join(s for s in claim if not s.endswith("?")) or claim[0], 200).rstrip(".")
            lead = self._pick("agreement" if reading.seeks_agreement else "steelman", 0, said, option=option)
            if found.lines:
                found.lines.insert(0, lead)
            else:
                found.lines.append(lead + " " + self._pick("no_steelman", 0, option=option))
            return found
        if reading.asked and reading.kind == "list":
            listed = lists.list_answer(reading.asked[0], src.curated, src.search, src.scorer)
            if listed is not None:
                return listed
        if reading.asked:
            asked = " ".join(in_context(q, text) for q in reading.asked)
            return answers.factual(asked, passages, src.scorer, src.search)
        return answers.related(text, passages, src.scorer)


def render_passages(passages: Sequence[PassageLike], excerpt_chars: int = 320) -> str:
    """Passages as numbered excerpts, each cut at a sentence end where one falls in the limit."""
    lines = ["From the knowledge base:"]
    for i, p in enumerate(passages, 1):
        where = f"{p.title}, {p.location}" if p.location else p.title
        text = " ".join(p.text.split())
        if len(text) > excerpt_chars:
            cut = max(text.rfind(". ", 0, excerpt_chars), text.rfind("? ", 0, excerpt_chars))
            text = text[: cut + 1] if cut > excerpt_chars // 3 else text[: excerpt_chars - 1].rstrip() + "…"
        note = " (your note)" if p.kind == "note" else ""
        lines.append(f"[{i}] {where}{note}\n    “{text}”")
    return "\n".join(lines)


# ------------------------------------------------------------------------- belief lines
_LEAD = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*[:\-–—,]?\s+(.+)$", re.S)
_TRAIL = re.compile(r"^(.+?)[\s:,\-–—(]+(\d{1,3}(?:\.\d+)?)\s*%\)?\s*[.!]?$", re.S)
_TRAIL_BARE = re.compile(r"^(.+?)\s*[:\-–—(]\s*(\d{1,3}(?:\.\d+)?)\s*%?\)?\s*$", re.S)
_BARE = re.compile(r"^\s*(\d{1,3}(?:\.\d+)?)\s*%?\s*(?:(?:because|since|as)\b\s*(.*))?$", re.S | re.I)
_BECAUSE = re.compile(r"\s+(?:because|since|—\s*reason:|reason:)\s+", re.I)


@dataclass
class BeliefLine:
    statement: str
    credence: float | None
    reason: str = ""


def split_reason(text: str) -> tuple[str, str]:
    parts = _BECAUSE.split(text, maxsplit=1)
    if len(parts) == 2:
        return parts[0].strip().rstrip(",;"), parts[1].strip()
    return text.strip(), ""


def parse_bare_credence(text: str) -> tuple[float, str] | None:
    """`60`, `60%`, `60 because ...`: a credence (and reason) with no statement."""
    m = _BARE.match(text or "")
    if not m:
        return None
    value = float(m.group(1))
    if value > 100:
        return None
    return value, (m.group(2) or "").strip()


def parse_belief_line(text: str) -> BeliefLine:
    """`70 statement because reason`, `statement (70%)`, `statement: 70%` or a bare statement."""
    text = " ".join((text or "").split())
    m = _LEAD.match(text)
    if m and float(m.group(1)) <= 100:
        statement, reason = split_reason(m.group(2))
        return BeliefLine(statement, float(m.group(1)), reason)
    body, reason = split_reason(text)
    for pattern in (_TRAIL, _TRAIL_BARE):
        m = pattern.match(body)
        if m and float(m.group(2)) <= 100:
            return BeliefLine(m.group(1).strip().rstrip(",;:"), float(m.group(2)), reason)
    return BeliefLine(body, None, reason)

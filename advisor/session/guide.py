"""Guide mode: the protocol without a language model.

Each turn shows the most relevant passages with citations and asks a question chosen from what
the user wrote (a dangling question, a one-sided claim, a belief without a reason, a hedge), else
the stage's next question. The questions live in prompts/guide/*.md.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from advisor.session import prompts
from advisor.session.passages import PassageLike
from advisor.session.stages import Stage

# ------------------------------------------------------------------------- reading the user
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
ONE_SIDED = re.compile(
    r"\b(obviously|clearly|definitely|certainly|always|never|no way|the only|everyone|everybody|"
    r"nobody|no one|pointless|useless|waste of time|guaranteed|impossible|of course|100%|"
    r"without a doubt|totally|completely)\b",
    re.I,
)
OPINION = re.compile(
    r"\b(i think|i believe|i feel|i guess|i'm sure|i am sure|i suspect|seems|is better|is worse|"
    r"should|would be|will be|is the right|is more|is less|matters)\b",
    re.I,
)
REASON = re.compile(
    r"\b(because|since|given|due to|based on|evidence|data|told me|i saw|i have seen|in my experience)\b", re.I
)
HEDGE = re.compile(r"\b(not sure|unsure|maybe|don't know|do not know|idk|no idea|torn|confused|can't tell)\b", re.I)
CRUX = re.compile(
    r"(would change my mind|change my mind if|crux|depends on|hinges on|if .{3,80} then|"
    r"the key question|what matters most|deciding factor)",
    re.I,
)
ADVICE_ASK = re.compile(r"^\s*(should i|what should|which (one|option)|do you think|what do you|is it better)\b", re.I)
#: A question put to the advisor (a request for information), not one left hanging in an argument.
ADDRESSED = re.compile(r"\b(the knowledge base|the (curated )?cards|the sources|the advisor|advisor)\b", re.I)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


@dataclass
class Reading:
    """What guide mode noticed in one message."""

    dangling: list[str] = field(default_factory=list)  # questions posed and moved on from
    one_sided: list[str] = field(default_factory=list)
    no_reason: list[str] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    cruxes: list[str] = field(default_factory=list)
    asks_advisor: bool = False


def read(text: str) -> Reading:
    r = Reading()
    parts = sentences(text)
    has_reason = bool(REASON.search(text or ""))
    for i, s in enumerate(parts):
        if s.endswith("?"):
            if ADVICE_ASK.search(s) or ADDRESSED.search(s):
                r.asks_advisor = True  # asked of the advisor: answer it, don't call it dangling
                continue
            moved_on = i < len(parts) - 1  # more was said after the question
            if moved_on or len(parts) > 1:
                r.dangling.append(s)
            continue
        if CRUX.search(s):
            r.cruxes.append(s)
        if ONE_SIDED.search(s):
            r.one_sided.append(s)
        elif OPINION.search(s) and not REASON.search(s) and not has_reason:
            r.no_reason.append(s)
        if HEDGE.search(s):
            r.hedges.append(s)
    if (len(parts) == 1 and parts[0].endswith("?") and ADVICE_ASK.search(parts[0])) or (len(parts) == 1 and parts[0].endswith("?")):
        r.asks_advisor = True
    return r


def short_quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# ------------------------------------------------------------------------- composing replies
class Guide:
    """Chooses guide-mode questions; `counter` rotates through variants and the stage banks."""

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

    def _pick(self, key: str, counter: int, quote: str = "") -> str:
        options = self.followups.get(key) or []
        if not options:
            return ""
        return prompts.render(options[counter % len(options)], quote=short_quote(quote))

    def followups_for(self, reading: Reading, stage: Stage, counter: int) -> list[str]:
        """Up to two follow-ups, the most useful first."""
        out: list[str] = []
        if reading.dangling:
            out.append(self._pick("dangling", counter, reading.dangling[0]))
        if reading.one_sided and len(out) < 2:
            out.append(self._pick("one_sided", counter, reading.one_sided[0]))
        if reading.no_reason and len(out) < 2:
            out.append(self._pick("no_reason", counter, reading.no_reason[0]))
        if reading.hedges and not out:
            out.append(self._pick("hedge", counter, reading.hedges[0]))
        if reading.asks_advisor and not out:
            out.append(self._pick("asks_advisor", counter))
        return [o for o in out if o]

    def reply(self, text: str, stage: Stage, passages: Sequence[PassageLike], counter: int,
              show_passages: bool = True) -> str:
        """A whole guide-mode reply: passages with citations, then the chosen questions."""
        parts: list[str] = []
        if show_passages:
            parts.append(render_passages(passages) if passages else self._pick("uncovered", counter))
        questions = self.followups_for(read(text), stage, counter)
        if not questions or len(questions) < 2:
            q = self.stage_question(stage, counter)
            if q and q not in questions:
                questions.append(q)
        parts.append("\n".join(f"→ {q}" for q in questions))
        return "\n\n".join(p for p in parts if p)


def render_passages(passages: Sequence[PassageLike], excerpt_chars: int = 320) -> str:
    lines = ["From the knowledge base:"]
    for i, p in enumerate(passages, 1):
        where = f"{p.title}, {p.location}" if p.location else p.title
        text = " ".join(p.text.split())
        if len(text) > excerpt_chars:
            text = text[: excerpt_chars - 1].rstrip() + "…"
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

"""Reading what the user wrote: dangling questions, requests for agreement, one-sided claims,
beliefs without reasons, hedges, cruxes, and what kind of question was asked of the advisor.

Every voice (guide, local model, endpoint) reads the user the same way, so the session can track
the user's questions across turns and the summary can list the ones left open, verbatim.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from advisor.session.stages import Stage

_SENTENCE = re.compile(r"[^.!?\n]+[.!?]*")
ONE_SIDED = re.compile(
    r"\b(obviously|clearly|definitely|certainly|always|never|no way|the only|everyone|everybody|"
    r"nobody|no one|pointless|useless|waste of time|guaranteed|impossible|of course|100%|"
    r"without a doubt|totally|completely|the best path|dead end|overrated)\b",
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
    r"the key question|what matters most|deciding factor|"
    r"\bif\b.{3,120}\b(i would|i'd|i will|i'll)\b)",  # "If two of them told me X, I would join a lab."
    re.I,
)
ADVICE_ASK = re.compile(r"^\s*(should i|what should|which (one|option)|do you think|what do you|is it better)\b", re.I)
#: A question put to the advisor (a request for information), not one left hanging in an argument.
ADDRESSED = re.compile(r"\b(the knowledge base|the (curated )?cards|the sources|the advisor|advisor)\b", re.I)
#: A request for a way or a pointer ("how do I check?", "where can I find ..."): asked of the reader even
#: after other sentences. A doubt ("How could I compete?") or a jab ("What even is impact?") is not one.
REQUEST = re.compile(
    r"^\s*(and |so |but )?(how (do|can|should|would) i|what (can|should|do) i do|where (do|can|should) i|"
    r"who (do|can|should) i|is there (a|any) (way|place|test|resource)|are there (any )?(ways|resources|tests)|"
    r"(can|could|would|will) you|what would you|any (tips|advice|pointers|suggestions))\b",
    re.I,
)
#: A rhetorical tag or a request for agreement: not a question to answer, a claim to test.
AGREEMENT = re.compile(
    r"(\b(right|correct|yeah|agreed|true|no|yes)\s*\?\s*$|\byou agree\b|\bagree\s*\?\s*$|"
    r"\b(don't|do not|wouldn't|would not|won't) you (think|agree|say)\b|"
    r"\b(isn't|aren't|doesn't|don't|won't|wouldn't) (it|they|that|this|he|she|we|you)\s*\?\s*$|"
    r"\bam i (right|wrong)\b|\bcan we agree\b|\bsurely\b)",
    re.I,
)
#: A statement of the goal (Frame's "what would a good outcome be"), not a belief to interrogate.
GOAL = re.compile(
    r"^\s*(a )?(good|great|ideal|best) outcome\b|^\s*(my |the )?(goal|aim|hope)\b|^\s*success (is|would|means)\b|"
    r"^\s*(i want|i'd like|i would like|i hope|i'm hoping|i am hoping|ideally|what i want)\b",
    re.I,
)
#: A deadline stated ("by March", "within six weeks", "the deadline is ..."): Frame's "when" answered.
DEADLINE = re.compile(
    r"\b(deadline|due date|by (the end of |early |mid-?|late )?(january|february|march|april|may|june|july|august|"
    r"september|october|november|december|spring|summer|autumn|fall|winter|next (week|month|year)|\d{1,4}\b)|"
    r"(within|in) (a|one|two|three|four|six|\d+) (days?|weeks?|months?))",
    re.I,
)
#: Another option named ("a third option: …", "or a hybrid"): Frame's "is there a third option?" answered.
OTHER_OPTION = re.compile(
    r"\b(third|fourth|another|other|middle) (option|path|choice|route|way)\b|\b(a|or) hybrid\b|"
    r"\btime-?boxed\b",
    re.I,
)
_LISTED = (r"(subfields?|sub-fields?|research areas|areas of (ai )?safety|branches|agendas|career paths?|paths|"
           r"career options|options|kinds of (roles|work|jobs)|roles)")
LIST_ASK = re.compile(
    rf"\b(which|what)\b[^?]*\b{_LISTED}\b[^?]*\b(are there|exist|is there|are out there|can i choose)\b|"
    rf"^\s*(list|name)\b[^?]*\b{_LISTED}\b|"
    rf"\bwhat (are|kinds of) (the )?(main |different )?{_LISTED}\b|\bwhich {_LISTED}\b",
    re.I,
)
FACTUAL_ASK = re.compile(
    r"^\s*(what|how|why|who|where|when|which|is|are|does|do|can|could|define|explain)\b", re.I
)
STOP = frozenset(
    ["a", "an", "the", "and", "or", "but", "if", "of", "to", "in", "on", "at", "for", "with", "by", "from", "as", "is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "i", "you", "he", "she", "it", "we", "they", "me", "my", "your", "our", "their", "this", "that", "these", "those", "what", "which", "who", "whom", "how", "why", "when", "where", "there", "here", "can", "could", "would", "should", "will", "shall", "may", "might", "must", "not", "no", "yes", "so", "than", "then", "too", "very", "just", "about", "into", "over", "under", "more", "most", "less", "much", "many", "some", "any", "all", "each", "other", "such", "only", "own", "same", "get", "got", "gets", "even", "really", "one", "yet", "also", "up", "out", "its", "it's", "i'm", "i've", "i'd", "you're"]
)

QuestionKind = Literal["factual", "list", "advice", "none"]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def content_words(text: str) -> set[str]:
    """Lower-case words that carry meaning (no stop words), crudely stemmed."""
    words = re.findall(r"[a-z][a-z'\-]+", (text or "").lower())
    return {_stem(w) for w in words if w not in STOP and len(w) > 2}


def _stem(word: str) -> str:
    for suffix in ("ing", "ers", "er", "es", "s", "ed", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def short_quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Reading:
    """What the session noticed in one message."""

    dangling: list[str] = field(default_factory=list)  # questions posed and moved on from
    asked: list[str] = field(default_factory=list)  # questions put to the advisor
    seeks_agreement: list[str] = field(default_factory=list)  # "right?", "you agree?"
    one_sided: list[str] = field(default_factory=list)
    no_reason: list[str] = field(default_factory=list)
    hedges: list[str] = field(default_factory=list)
    cruxes: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    asks_advisor: bool = False
    kind: QuestionKind = "none"  # what the questions put to the advisor ask for

    @property
    def questions(self) -> list[str]:
        """Every real question the user posed (rhetorical tags excluded), in order."""
        return [*self.asked, *self.dangling]


#: Verbs that say how a question is put ("how do I *check*?"), not what it is about.
ASKING_VERBS = content_words("check test tell know find sure decide choose handle deal avoid start begin")
#: Words of a question that point back to what was said before it ("how do I check *that*?").
_THIN = ASKING_VERBS | content_words("this that it them those these one there do does")


def in_context(question: str, text: str) -> str:
    """`question` with the sentence before it in `text` when it says too little on its own: in
    "I'm worried labs will flatter me into joining. How do I check?", what to check is in the first
    sentence."""
    if len(content_words(question) - _THIN) >= 2:
        return question
    before = [s for s in sentences(text[: text.find(question)] if question in text else "") if not s.endswith("?")]
    return f"{question.rstrip(' ?')} ({before[-1].rstrip('.')})?" if before else question


def question_kind(question: str) -> QuestionKind:
    if ADVICE_ASK.search(question):
        return "advice"
    if LIST_ASK.search(question):
        return "list"
    if FACTUAL_ASK.search(question):
        return "factual"
    return "advice"


def read(text: str, stage: Stage | None = None) -> Reading:
    """Read one message; in Frame, statements describe the decision and its goal, so none is
    flagged as a belief held without a reason."""
    r = Reading()
    parts = sentences(text)
    has_reason = bool(REASON.search(text or ""))
    lone_question = len(parts) == 1 and parts[0].endswith("?")
    for s in parts:
        if s.endswith("?"):
            if AGREEMENT.search(s):
                r.seeks_agreement.append(s)
                if ONE_SIDED.search(s):
                    r.one_sided.append(s)
                continue
            if lone_question or ADVICE_ASK.search(s) or ADDRESSED.search(s) or REQUEST.search(s):
                r.asks_advisor = True  # asked of the advisor: answer it, don't call it dangling
                r.asked.append(s)
                continue
            r.dangling.append(s)  # posed among other sentences, in the user's own reasoning
            continue
        if GOAL.search(s):
            r.goals.append(s)
            continue
        if CRUX.search(s):
            r.cruxes.append(s)
        if ONE_SIDED.search(s):
            r.one_sided.append(s)
        elif stage is not Stage.FRAME and OPINION.search(s) and not REASON.search(s) and not has_reason:
            r.no_reason.append(s)
        if HEDGE.search(s):
            r.hedges.append(s)
    if r.asked:
        r.kind = question_kind(r.asked[0])
    if r.seeks_agreement and not r.asked:
        r.asks_advisor = False
    return r

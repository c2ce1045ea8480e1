"""Guide mode's answers: the sentences of the base that answer a question, quoted with their
citation; list questions answered from the data the project holds (the subfield map, the career
cards); and, for a request to agree with a one-sided claim, the strongest case for the other side.

No model writes anything here: every sentence shown is quoted from a passage or read from data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from advisor.session.candour import PRAISE
from advisor.session.focus import QUESTIONS_TO_ASK, carrying, focus_phrase, is_question, named_focus
from advisor.session.passages import PassageLike
from advisor.session.reading import content_words
from advisor.session.relevance import Scorer, split_sentences
from advisor.session.store import Citation

Search = Callable[[str], Sequence[PassageLike]]

#: A question joined to another ("what is X, and how do I tell Y?") is answered part by part.
_PARTS = re.compile(r",?\s+(?:and|or|but)\s+(?=(?:how|what|why|who|which|when|where|whether|is|are|do|does|can)\b)"
                    r"|;\s*", re.I)
_SUBJECT = re.compile(r"^\s*(?:what|who)\s+(?:is|are)\s+(?P<s>.+)$", re.I)
_ANAPHOR = re.compile(r"\b((?:is|are|be|becomes?|as)\s+)(?:one|it)\b", re.I)
_TELL = re.compile(r"^\s*how\s+(?:do|can|would|could|should|will)\s+(?:i|you|we|one|people)\s+(?:tell|know|judge|"
                   r"check|decide|find out|work out|see)\s+(?:whether|if)\s+(?P<x>.+?)\s+(?:is|are)\s+(?P<y>.+)$", re.I)
_GENERAL = re.compile(r"(a|an|my|our|your|this|that|the|some|something|someone|any)\b", re.I)
_YET = re.compile(r"\s+(yet|already|now|at all|today)$", re.I)
#: A sentence that says how to find something out: a thing to do, a sign to look for.
PROCEDURE = re.compile(r"\b(ask|look (at|for)|check|watch|notice|read|compare|test|try|talk|if (they|you|it)|"
                       r"sign|tells? you|a good test|one way)\b", re.I)
DEFINING = re.compile(r"\b(is|are|means|refers to|asks|tries to|aims to|borrows|separates)\b", re.I)
PRO_CUES = re.compile(r"\b(updated towards|helps?|valuable|benefits?|advantage|matters?|fewer people|"
                      r"coworkers|freedom|learn\w*|strongest case|worth)\b", re.I)
#: A sentence that makes the case against an option: a risk, a cost, a reason for doubt.
CON_CUES = re.compile(r"\b(risks?|downsides?|costs?|hard(er)?|difficult|lonely|alone|isolat\w*|without|lack\w*|"
                      r"suspicion|doubt\w*|worth checking|rather than assuming|changed several views|few(er)? people)\b",
                      re.I)
NEGATIVE = re.compile(r"\b(waste of time|pointless|useless|overrated|dead end|not worth|a mistake|"
                      r"worse|bad idea|never)\b", re.I)
#: Options a career question is usually between: a pattern, and how to name the option.
OPTIONS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\blabs?\b", re.I), "working at a big lab"),
    (re.compile(r"\bindependent\b|\bon my own\b|\bsolo\b", re.I), "independent research"),
    (re.compile(r"\b(phd|academia|academic|university|faculty)\b", re.I), "academia"),
    (re.compile(r"\b(policy|governance)\b", re.I), "governance and policy"),
    (re.compile(r"\b(evals?|evaluations?|red[- ]team\w*)\b", re.I), "evals and red-teaming"),
    (re.compile(r"\bfield[- ]building\b", re.I), "field-building"),
)


@dataclass
class Answer:
    """Lines to show and the citations their [n] refer to (numbered in order of first use).

    `numbered` are citations already on screen (a model reply's Sources): a passage among them
    keeps its number, and new ones are numbered after them, so one [n] never means two sources."""

    lines: list[str] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    grounded: bool = False  # at least one quoted sentence passed the relevance threshold
    numbered: Sequence[Citation] = ()

    def cite(self, p: PassageLike) -> int:
        for c in (*self.citations, *self.numbered):
            if (c.chunk_id and c.chunk_id == p.chunk_id) or (c.title, c.location, c.source) == (
                    p.title, p.location, p.source):
                if c not in self.citations:
                    self.citations.append(c)
                return c.n
        n = max((c.n for c in (*self.citations, *self.numbered)), default=0) + 1
        self.citations.append(Citation(n=n, title=p.title, location=p.location, source=p.source,
                                       kind=p.kind, chunk_id=p.chunk_id))
        return n

    def quote(self, sentence: str, p: PassageLike) -> None:
        self.lines.append(f"“{sentence}” [{self.cite(p)}]")

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _candidates(passages: Sequence[PassageLike]) -> list[tuple[str, PassageLike, int]]:
    """(sentence, passage, position in passage) for every quotable sentence; a sentence a chunk
    boundary cut (the passage's first, starting in lower case; its last, with no closing stop) is
    not quotable: it says only part of what its writer said."""
    out = []
    for p in passages:
        found = split_sentences(p.text)
        body = " ".join((p.text or "").split())
        for i, s in enumerate(found):
            cut_before = i == 0 and body.startswith(s) and s[:1].islower()
            cut_after = i == len(found) - 1 and body.endswith(s) and not re.search(r"[.!?:;\"”’)\]]$", s)
            if not (cut_before or cut_after):
                out.append((s, p, i))
    return out


def question_parts(question: str) -> list[str]:
    """The parts of a joined question, a later part's "one"/"it" standing for the first part's
    subject ("What is a research field, and how do I tell whether X is one?" asks whether X is a
    research field)."""
    parts = [p.strip(" ,?") for p in _PARTS.split(question) if p and p.strip(" ,?")]
    parts = [p for p in parts if len(content_words(p)) >= 1] or [question]
    subject = _SUBJECT.match(parts[0])
    if subject:
        noun = subject.group("s").strip(" ,?")
        parts = parts[:1] + [_ANAPHOR.sub(lambda m: m.group(1) + noun, p) for p in parts[1:]]
    return parts


def part_queries(part: str) -> tuple[list[str], re.Pattern[str]]:
    """What to look for to answer one part, and the kind of sentence that answers it: a definition
    for "what is X", a way to find out for "how do I tell whether X is Y" (asked also of Y in
    general: the base is likelier to say how to tell a field than whether one given thing is one)."""
    tell = _TELL.match(part)
    if tell:
        generic = f"how to tell whether something is {_YET.sub('', tell.group('y')).strip()}"
        # a named instance ("mech interp") would pull in every sentence that names it
        return ([part, generic] if _GENERAL.match(tell.group("x")) else [generic]), PROCEDURE
    if re.match(r"\s*how\b", part, re.I):
        return [part], PROCEDURE
    return [part], DEFINING


#: How much of a sentence's score comes from the passage around it: a sentence that answers the
#: question in context ("ask them to name the field's central problems", under "Using the
#: definition") may share few words with it on its own.
CONTEXT = 0.3
#: A later part's sentences are ranked by how much better they answer it than the earlier parts:
#: the definition asked for first must not also be the answer to "how do I tell?".
DISTINCT = 0.5
#: A sentence that leans on the one before it ("If they can't, ...", "This means ...").
LEANS_BACK = re.compile(r"^(if (they|it|so|not)|they|them|this|that|these|those|it|he|she|such|so|then|but)\b", re.I)
#: A sentence that carries the one before it on ("First, ...", "This definition ...").
RUNS_ON = re.compile(r"^(first|second|third|then|also|this|that|these|so)\b", re.I)

#: A quoted sentence this short is a lead-in ("The model-organisms approach borrows from biology."):
#: what it leads to is the next sentence, quoted with it when there is room.
LEAD_IN_WORDS = 10

Pool = list[tuple[str, PassageLike, int]]


def _in_context(scorer: Scorer, queries: Sequence[str], pool: Pool, cue: re.Pattern[str] | None) -> list[float]:
    """Each of the pool's sentences scored for the best of `queries`: its own score blended with its
    passage's, plus a little for the kind of sentence that answers (`cue`)."""
    passages = list({id(p): p for _, p, _ in pool}.values())
    texts = [t for t, _, _ in pool]
    best_of = [0.0] * len(pool)
    for query in queries:
        around = dict(zip((id(p) for p in passages),
                          scorer.scores(query, [f"{p.title}. {p.location}. {p.text}" for p in passages]), strict=True))
        for i, own in enumerate(scorer.scores(query, texts)):
            best_of[i] = max(best_of[i], (1 - CONTEXT) * own + CONTEXT * around[id(pool[i][1])])
    if cue is not None:
        best_of = [sc + (0.08 if cue.search(texts[i]) else 0.0) for i, sc in enumerate(best_of)]
    return best_of


def quote_best(answer: Answer, queries: Sequence[str | Sequence[str]], passages: Sequence[PassageLike],
               scorer: Scorer, *, limit: int = 3, floor: float | None = None,
               boost: re.Pattern[str] | Sequence[re.Pattern[str] | None] | None = None,
               leave_out: re.Pattern[str] | None = None, focus: Sequence[str] = (),
               missed: list[int] | None = None) -> int:
    """Quote up to `limit` sentences, the best one for each query first (a query may be several
    phrasings of one part), each with the sentence it leans on; returns how many passed `floor`
    (the scorer's threshold unless given). `boost`: the kind of sentence that answers (one for all
    queries, or one per query); `leave_out`: sentences never to quote (praise of the reader, in a
    case against flattery); `focus`: per query, words a quoted sentence must carry (a question the
    base lists does not answer it); `missed`: gets the index of each query nothing answered."""
    floor = scorer.threshold if floor is None else floor
    pool = [c for c in _candidates(passages) if not (leave_out and leave_out.search(c[0]))]
    if not pool:
        return 0
    texts = [s for s, _, _ in pool]
    phrasings = [[q] if isinstance(q, str) else list(q) for q in queries]
    asked = content_words(" ".join(" ".join(q) for q in phrasings))
    # a title or a label that only repeats the question ("Scale xor Explore, a hypothesis.") says nothing
    says_more = [len(t.split()) >= 6 and len(content_words(t) - asked) >= 3 for t in texts]
    cues = list(boost) if isinstance(boost, Sequence) else [boost] * len(phrasings)
    focus = list(focus) or [""] * len(phrasings)

    def same_passage(i: int, j: int) -> bool:
        return 0 <= j < len(pool) and pool[j][1] is pool[i][1] and pool[j][2] == pool[i][2] + (j - i)

    chosen: list[list[int]] = []  # per part: the sentences quoted for it, in passage order
    taken: set[int] = set()
    passed = 0
    earlier = [0.0] * len(pool)  # each sentence's best score for the parts before
    for n, (part, cue, words) in enumerate(zip(phrasings, cues, focus, strict=True)):
        scores = _in_context(scorer, part, pool, cue)
        ranked = sorted(range(len(pool)), key=lambda i: -(scores[i] - DISTINCT * earlier[i]))
        earlier = [max(a, b) for a, b in zip(earlier, scores, strict=True)]
        on_focus = [c and not (words and is_question(t)) for t, c in zip(texts, carrying(scorer, words, texts),
                                                                          strict=True)]
        pick = next((i for i in ranked if i not in taken and scores[i] >= floor and says_more[i] and on_focus[i]),
                    None)
        if pick is None or len(taken) >= limit:
            if pick is None and missed is not None:
                missed.append(n)
            continue
        group = [pick]
        if LEANS_BACK.match(texts[pick]) and same_passage(pick, pick - 1) and pick - 1 not in taken:
            group.insert(0, pick - 1)
        passed += 1
        taken.update(group)
        chosen.append(group)
    for group in chosen:  # room left: a sentence that carries a quoted one on, or follows a short lead-in
        nxt = group[-1] + 1
        runs_on = RUNS_ON.match(texts[nxt]) or len(texts[group[-1]].split()) < LEAD_IN_WORDS if nxt < len(pool) else False
        if len(taken) < limit and same_passage(group[-1], nxt) and nxt not in taken and runs_on:
            group.append(nxt)
            taken.add(nxt)
    for group in chosen:
        for i in group:
            answer.quote(texts[i], pool[i][1])
    answer.grounded = answer.grounded or passed > 0
    return passed


def factual(question: str, passages: Sequence[PassageLike], scorer: Scorer, search: Search | None = None) -> Answer:
    """The 1-3 sentences that best answer `question`, each part of it in turn: from the turn's
    passages, and for a later part also from a search of its own (the turn's search was for the
    whole message, and the first part tends to win it)."""
    answer = Answer()
    parts = question_parts(question)
    queries: list[list[str]] = []
    cues: list[re.Pattern[str] | None] = []
    focus: list[str] = []
    pool = list(passages)
    for n, part in enumerate(parts):
        phrasings, cue = part_queries(part)
        # "what is X" asks for X itself; "how do I tell whether X is Y" is asked of Y in general
        # what a short question leans on, in brackets ("How do I check (a chatbot praised me)"), helps
        # find the answer but is not what it asks about: the answer need not repeat it
        own = _LEANS_ON.sub("", part)
        focus.append("" if _SUBJECT.match(own) or _TELL.match(own) else focus_phrase(own, passages))
        if n and not content_words(part) & content_words(parts[0]):
            phrasings = [f"{q} ({parts[0]})" for q in phrasings]  # a later part leans on the first
        queries.append(phrasings)
        cues.append(cue)
        if n and search is not None:
            known = {p.chunk_id for p in pool}
            for query in phrasings:
                pool += [p for p in search(query)[:3] if p.chunk_id not in known]
                known = {p.chunk_id for p in pool}
    missed: list[int] = []
    if len(parts) == 1 and not focus[0] and not _TELL.match(parts[0]):
        # nothing asked beyond the subject: a sentence on the subject itself answers ("AI control asks
        # how ..."), before one that only shares the question's other words; any, if none does
        subject = _subject_words(parts[0], passages)
        if subject and quote_best(answer, queries, pool, scorer, boost=cues, focus=[subject], leave_out=_A_QUESTION):
            return answer
    quote_best(answer, queries, pool, scorer, boost=cues, focus=focus, missed=missed, leave_out=_A_QUESTION)
    for n in missed:
        if focus[n]:
            _off_focus(answer, parts[n], focus[n], pool, scorer)
    if not answer.lines and pool:
        _closest(answer, pool, "The knowledge base does not answer this directly")
    return answer


_LEANS_ON = re.compile(r"\s*\([^()]*\)\s*$")
#: A question in the base does not answer one put to it (the base's questions to ask are cited
#: as such, by `_off_focus`).
_A_QUESTION = re.compile(r"\?[\"”’)\]]*$")


def _subject_words(part: str, passages: Sequence[PassageLike]) -> str:
    """The words of `part` that name the subject the search put first (its first passage's title)."""
    title = content_words(passages[0].title or "") if passages else set()
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\-]+", part) if content_words(w) & title]
    return " ".join(dict.fromkeys(w.lower() for w in words))


def _off_focus(answer: Answer, part: str, focus: str, pool: Sequence[PassageLike], scorer: Scorer) -> None:
    """Said plainly when no sentence of the base answers what `part` asks about: the question it
    lists on it and the nearest it comes to saying something on it, or else that it does not cover
    it, with the closest passages to read."""
    found = _candidates(pool)
    on_focus = [(s, p) for (s, p, _), c in zip(found, carrying(scorer, focus, [s for s, _, _ in found]), strict=True)
                if c]
    asked = [c for c in on_focus if is_question(c[0])]
    said = [c for c in on_focus if not is_question(c[0]) and len(c[0].split()) >= 6]
    lead = "The knowledge base does not answer this directly"
    if asked:
        sentence, p = _nearest(part, asked, scorer)
        kind = "to ask people on this path" if QUESTIONS_TO_ASK.search(p.location or "") else ""
        own = scorer.scores(part, [sentence])[0] >= scorer.threshold  # the user's question, or another one
        where = (f"it lists it as a question {kind}" if kind else "it lists it only as a question") if own else \
            f"the nearest it has is a question {kind}"
        answer.lines.append(f"{lead}; {where.strip()}: “{sentence}” [{answer.cite(p)}]")
    if said:
        sentence, p = _nearest(part, said, scorer)
        answer.lines.append(("The nearest it comes" if asked else f"{lead}; the nearest it comes")
                            + f" {named_focus(focus, on=True)}: “{sentence}” [{answer.cite(p)}]")
    if asked or said:
        return
    # matched by word and close meaning, not by understanding: say what was looked for, and hand
    # over the passages, rather than claim that nothing in them could bear on it
    _closest(answer, pool, f"The knowledge base does not seem to cover this: none of the passages found speaks of "
                           f"{named_focus(focus)}")


def _closest(answer: Answer, pool: Sequence[PassageLike], lead: str) -> None:
    """`lead`, then the two passages the search put first, to read and judge: no sentence in them
    passed for an answer, but they may bear on it in ways sentence matching cannot see."""
    closest = list({(p.title, p.location): p for p in pool}.values())[:2]
    answer.lines.append(lead + ("; the closest, to read and judge for yourself:" if closest else "."))
    answer.lines += [f"- {p.title}" + (f", {p.location}" if p.location else "") + f" [{answer.cite(p)}]"
                     for p in closest]


def _nearest(part: str, found: Sequence[tuple[str, PassageLike]], scorer: Scorer) -> tuple[str, PassageLike]:
    scores = scorer.scores(part, [s for s, _ in found])
    return found[max(range(len(found)), key=scores.__getitem__)]


def related(text: str, passages: Sequence[PassageLike], scorer: Scorer, limit: int = 2) -> Answer:
    """The sentences of the passages that bear most on what the user wrote (not a question)."""
    answer = Answer()
    quote_best(answer, [text], passages, scorer, limit=limit)
    return answer


# ----------------------------------------------------------------------------- the other side
def named_options(text: str) -> tuple[list[str], list[str]]:
    """(options argued against, options named without a put-down), in order."""
    against: list[str] = []
    named: list[str] = []
    for clause in re.split(r"[.;!?]|,\s*|\band\b|\bbut\b", text):
        found = [(m.start(), label) for pattern, label in OPTIONS for m in [pattern.search(clause)] if m]
        put_down = NEGATIVE.search(clause)
        target = _put_down(found, put_down.start()) if put_down else None
        for _, label in sorted(found):
            (against if label == target else named).append(label)
    return list(dict.fromkeys(against)), [n for n in dict.fromkeys(named) if n not in against]


def _put_down(found: Sequence[tuple[int, str]], at: int) -> str | None:
    """The option a put-down at `at` is about: the nearest named before it ("a PhD is a waste of time
    when labs ..."), else the first after it ("a waste of time: a PhD")."""
    before = [f for f in found if f[0] < at]
    if before:
        return max(before)[1]
    return min(found)[1] if found else None


def other_side(text: str) -> tuple[str, str]:
    """What the other side of a one-sided claim is, as (how to name it, what to search for): the
    option put down ("big labs are a waste of time"), or the case against the one praised."""
    against, named = named_options(text)
    if against:
        option = against[0]
        return f"for {option}", f"the case for {option}: reasons it is valuable, what people who chose it gained"
    if len(named) >= 2:
        return f"for {named[1]}", f"the case for {named[1]}: reasons it is valuable, what people who chose it gained"
    if named:
        return f"against {named[0]}", f"risks and downsides of {named[0]}, reasons people chose otherwise"
    return "for the other side", text


def steelman(claim: str, search: Search, scorer: Scorer,
             numbered: Sequence[Citation] = ()) -> tuple[Answer, str]:
    """The strongest case the base makes for the other side of `claim`: (answer, "for X" / "against X");
    `numbered`: the citations already shown with the reply it follows."""
    side, query = other_side(claim)
    answer = Answer(numbered=numbered)
    passages = list(search(query))
    cues = PRO_CUES if side.startswith("for ") else CON_CUES
    quote_best(answer, [f"reasons {side}, why people updated", claim], passages,
               scorer, limit=2, floor=scorer.threshold * 0.7, boost=cues, leave_out=PRAISE)
    return answer, side

"""The user's questions across a session: each one posed is kept verbatim, and closed when the user
later answers it themselves or the advisor answers it from the base; the summary lists the rest.

Kept in the session's state (`open_questions`), so a resumed session remembers them.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from advisor.session.reading import Reading, content_words, sentences

if TYPE_CHECKING:
    from advisor.session.store import QuestionState, SessionState

CONDITIONAL = re.compile(r"\b(if|unless|suppose|would)\b", re.I)
#: Share of a question's content words a later statement must repeat to count as answering it
#: (words of the session's topic left out: every message of the session shares them).
ANSWER_OVERLAP = 0.66


def track(state: SessionState, reading: Reading, text: str, stage: str, topic: str = "") -> None:
    """Record the questions in a new message, and close earlier ones this message answers."""
    questions = state.setdefault("open_questions", [])
    # what the message asserts: not its questions, nor conditionals ("if X told me Y, I would ...")
    statements = " ".join(s for s in sentences(text) if not s.endswith("?") and not CONDITIONAL.search(s))
    close_answered(questions, statements, by="you", topic=topic)
    known = {q["text"] for q in questions}
    for q in reading.asked:
        if q not in known:
            questions.append(_new(q, "asked", stage))
    for q in reading.dangling:
        if q not in known:
            questions.append(_new(q, "dangling", stage))
    legacy = state.setdefault("questions", [])  # dangling ones, as older sessions kept them
    for q in reading.dangling:
        if q not in legacy:
            legacy.append(q)


def _new(text: str, kind: str, stage: str) -> QuestionState:
    return {"text": text, "kind": kind, "stage": stage, "answered_by": ""}


def close_answered(questions: list[QuestionState], statements: str, *, by: str, topic: str = "") -> list[str]:
    """Mark as answered the open questions that `statements` answers (by word overlap beyond the
    `topic`'s words: "independent research lets me pick problems" does not answer "how do
    independent researchers get feedback?" in a session on independent research)."""
    shared = content_words(topic)
    words = content_words(statements) - shared
    closed: list[str] = []
    if not words:
        return closed
    for q in questions:
        if q["answered_by"]:
            continue
        wanted = content_words(q["text"]) - shared
        if len(wanted) >= 2 and len(wanted & words) / len(wanted) >= ANSWER_OVERLAP:
            q["answered_by"] = by
            closed.append(q["text"])
    return closed


def mark_answered(state: SessionState, question: str, by: str) -> None:
    for q in state.get("open_questions", []):
        if q["text"] == question and not q["answered_by"]:
            q["answered_by"] = by


def still_open(state: SessionState) -> list[str]:
    """The questions the user posed and left unanswered, verbatim, in the order asked."""
    tracked = state.get("open_questions")
    if tracked is None:  # a session from before questions were tracked
        return list(dict.fromkeys(state.get("questions", [])))
    return [q["text"] for q in tracked if not q["answered_by"]]

"""What a question asks about beyond its subject, and what guide mode says when the base holds
nothing that carries it.

"How do independent researchers get feedback on their work?" is about independent research (the
subject, which the passages found are about) and asks about feedback (the focus). A sentence that
names only the subject ("Independent researchers pursue their own agenda ...") does not answer it;
a sentence quoted as the answer must carry a focus word. When the base's only sentences on the
focus are questions it lists ("How do you get feedback on ...?", under "Questions to ask"), or
when nothing in the passages carries it, guide mode says so plainly.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from advisor.session.passages import PassageLike
from advisor.session.reading import ASKING_VERBS, content_words
from advisor.session.relevance import Scorer

#: Words that say how a question is put, not what it asks about ("how do people get ... on their work"),
#: and words every question here shares ("safety", "research": "AI control research" is AI control).
GENERIC = content_words(
    "research researcher researchers achieve aim aims goal goals purpose point "
    "work works working people person someone something thing things way ways make makes good best better know "
    "think tell mean means try tries find use need needs want like well ever often usually actually typically "
    "going take look see help start new kind kinds day life career careers path paths role roles job jobs safety"
) | ASKING_VERBS


def _same(word: str, other: str) -> bool:
    """Two crudely stemmed words are the same word ("calibrat"/"calibration", "feedback"/"feedbacks")."""
    return word == other or (min(len(word), len(other)) >= 5 and (word.startswith(other) or other.startswith(word)))


def focus_words(part: str, passages: Sequence[PassageLike]) -> set[str]:
    """The content words of `part` beyond its subject: not in the title of the passage the search put
    first (the subject the retrieval found), and not a word of how the question is put."""
    if not passages:
        return set()
    subject = content_words(passages[0].title or "")
    return {w for w in content_words(part) - GENERIC if not any(_same(w, s) for s in subject)}


def carries(sentence: str, focus: set[str]) -> bool:
    """Whether `sentence` says something about the focus (always, for a question with none)."""
    if not focus:
        return True
    return any(_same(w, f) for w in content_words(sentence) for f in focus)


#: A sentence whose meaning is this close to the focus words carries them in other words
#: ("loneliness" / "isolation"), as a share of the scorer's threshold.
SAME_MEANING = 0.8


def carrying(scorer: Scorer, focus: str, texts: Sequence[str]) -> list[bool]:
    """Which of `texts` carry the `focus` words: in the same words, or (with the embedding scorer)
    close enough in meaning; all of them when there is no focus."""
    if not focus:
        return [True] * len(texts)
    words = content_words(focus)
    near = scorer.scores(focus, texts)
    return [carries(t, words) or score >= SAME_MEANING * scorer.threshold for t, score in zip(texts, near, strict=True)]


def is_question(sentence: str) -> bool:
    return sentence.rstrip(" \"”’)").endswith("?")


def focus_phrase(part: str, passages: Sequence[PassageLike]) -> str:
    """The focus of `part` as the user wrote it ("feedback"; "" when it has none beyond its subject)."""
    focus = focus_words(part, passages)
    words = [w for w in re.findall(r"[A-Za-z][A-Za-z'\-]+", part) if content_words(w) and carries(w, focus)]
    return " ".join(dict.fromkeys(w.lower() for w in words)) if focus else ""


#: A focus of more words than this is a bag of the question's words, not a phrase to quote back.
QUOTED_FOCUS_WORDS = 4


def named_focus(focus: str, *, on: bool = False) -> str:
    """How a reply names the focus: quoted ("on “feedback”") when it is a few words, else as what
    the user asked, rather than quote a string of their words they never wrote together."""
    if len(focus.split()) <= QUOTED_FOCUS_WORDS:
        return f"{'on ' if on else ''}“{focus}”"
    return "to what you asked" if on else "what you asked about"


#: Where a passage lists questions to put to people on a path.
QUESTIONS_TO_ASK = re.compile(r"questions to ask", re.I)

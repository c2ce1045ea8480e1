"""What a person reads of a result: the sentences of a passage that match the question, with the
question's words marked, instead of the passage's first lines.

Words match loosely (case, and a few letters of ending: "field" finds "fields", "share" finds
"shared"), so a snippet shows what the lexical half of the search matched; a passage found only
by meaning, with none of the words, is shown from its start.
"""

from __future__ import annotations

import re

from advisor.knowledge.catalog import STOPWORDS

WIDTH = 320  # characters of a snippet, about three lines of a terminal
_END = re.compile(r"[.!?]+[\"'”’)\]]*\s+")
_WORD = re.compile(r"\w+")
_NOT_AN_END = re.compile(r"\(?(\d+|[A-Za-z]|e\.g|i\.e|etc|vs|cf)")
_MIN_PIECE = 60  # characters: less room than this is left empty
_SLACK = 3  # letters a matching word may add to, or lack from, a query word
_MIN_STEM = 4
_EMPHASIS = re.compile(r"(\*\*|__|`)(\S(?:.*?\S)?)\1")  # **bold**, __bold__, `code`: shown as plain words


def query_terms(query: str) -> list[str]:
    """The question's content words, lower-case, in order (as the lexical search uses them)."""
    seen: list[str] = []
    for tok in _WORD.findall(query.lower()):
        if len(tok) >= 2 and tok not in STOPWORDS and tok not in seen:
            seen.append(tok)
    return seen


def split_sentences(text: str) -> list[str]:
    """Sentences, roughly: split after . ! ? and a space, but not after a list number ("2.") or
    an initial ("J.")."""
    out: list[str] = []
    start = 0
    for m in _END.finditer(text):
        words = text[start : m.start()].split()
        if words and _NOT_AN_END.fullmatch(words[-1]):
            continue
        out.append(text[start : m.end()].strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return [x for x in out if x]


def _matches(word: str, term: str) -> bool:
    if word == term:
        return True
    short, long = sorted((word, term), key=len)
    return len(short) >= _MIN_STEM and long.startswith(short) and len(long) - len(short) <= _SLACK


def _term_of(word: str, terms: list[str]) -> str | None:
    w = word.lower()
    return next((t for t in terms if _matches(w, t)), None)


def snippet(text: str, query: str, width: int = WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """(the best-matching sentences of `text`, in order, gaps shown as "…"; the spans of the
    question's words in it). Sentences with more of the question's distinct words come first; one
    too long for the room left is cut to a window around its first matching word."""
    terms = query_terms(query)
    sentences = split_sentences(_EMPHASIS.sub(r"\2", text))
    if not sentences:
        return "", []
    scored = []
    for i, sentence in enumerate(sentences):
        found = [t for w in _WORD.findall(sentence) if (t := _term_of(w, terms)) is not None]
        scored.append((len(set(found)), len(found), -i))
    matched = scored and max(scored)[0] > 0
    order = sorted(range(len(sentences)), key=lambda i: scored[i], reverse=True) if matched else range(len(sentences))
    pieces: dict[int, str] = {}
    used = 0
    for i in order:
        room = width - used
        if pieces and (room < _MIN_PIECE or (matched and scored[i][0] == 0)):
            break
        piece = sentences[i] if len(sentences[i]) <= room else _clip(sentences[i], terms, room)
        pieces[i] = piece
        used += len(piece) + 3
    parts: list[str] = []
    last = -1
    for i in sorted(pieces):
        if i != last + 1 and not pieces[i].startswith("…"):
            parts.append("…")
        parts.append(pieces[i])
        last = i
    if last < len(sentences) - 1 and not parts[-1].endswith("…"):
        parts.append("…")
    out = " ".join(parts)
    return out, mark(out, terms)


def _clip(sentence: str, terms: list[str], room: int) -> str:
    """A window of about `room` characters of a sentence, around its first matching word."""
    first = next((m.start() for m in _WORD.finditer(sentence) if _term_of(m.group(), terms)), 0)
    start = max(0, min(first - room // 4, len(sentence) - room))
    if start > 0:
        start = sentence.find(" ", start) + 1 or start
    end = sentence.rfind(" ", start, start + room)
    end = end if end > start else start + room
    return ("… " if start > 0 else "") + sentence[start:end].strip() + " …"


def mark(text: str, terms: list[str]) -> list[tuple[int, int]]:
    """Character spans of the words in `text` that match one of `terms`."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text) if _term_of(m.group(), terms)]

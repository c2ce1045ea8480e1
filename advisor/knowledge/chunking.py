"""Cutting an opened document into passages of at most `chunk_words` words, line by line (very
long lines come in pieces), so that chunking a large file keeps memory flat. A line repeated
within a file (text pasted or clipped twice) is indexed once, where it first appears."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from advisor.knowledge.documents import Document

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
REPEAT_MIN_WORDS = 4  # a line this long that repeats an earlier one is a duplicate; short labels ("Example") recur
REPEAT_MEMORY = 100_000  # lines remembered per file (~7 MB at most), so a huge file's memory stays bounded
_FULL_STOP = (".", "!", "?", "…")
_CLAUSE_END = (*_FULL_STOP, ":", ";")
_CLOSERS = "\"')]}”’*_"  # may follow a sentence's full stop


@dataclass
class TextChunk:
    """One passage cut from a source file, before it is indexed (`ord` makes its chunk id)."""

    ord: int
    text: str
    location: str
    heading: str | None = None
    end_offset: int = 0  # bytes of the source read so far (for progress)
    line_start: int = 0  # the lines (pages) of the source it spans, for citations
    line_end: int = 0


def _location(unit: str, heading: str | None, start: int, end: int) -> str:
    if heading:
        return f"§ {heading}"
    word = "page" if unit == "page" else "line"
    return f"{word} {start}" if start == end else f"{word}s {start}–{end}"


def cut_point(words: list[str], lines: list[int], limit: int) -> int:
    """Where to cut a run of more than `limit` words, so that a passage neither ends nor starts
    mid-thought: in its second half, the last line that ends a sentence or clause (in a file
    without blank lines each line is a paragraph), else the last sentence end (hard-wrapped text
    breaks lines mid-sentence), else the last line break; at `limit` when there is none."""
    half = range(limit, limit // 2, -1)

    def line_break(i: int) -> bool:
        return lines[i] != lines[i - 1]

    def ends(i: int, marks: tuple[str, ...]) -> bool:
        return words[i - 1].rstrip(_CLOSERS).endswith(marks)

    rules: tuple[Callable[[int], bool], ...] = (
        lambda i: line_break(i) and ends(i, _CLAUSE_END),
        lambda i: ends(i, _FULL_STOP),
        line_break,
    )
    for rule in rules:
        for i in half:
            if rule(i):
                return i
    return limit


def chunk_document(doc: Document, chunk_words: int, markdown: bool = True) -> Iterator[TextChunk]:
    """Cut a document into chunks of at most `chunk_words` words.

    Chunks end at headings and, where possible, at paragraph breaks; a paragraph longer than a
    chunk is cut at a line break or a sentence end (`cut_point`). Locations are the nearest
    heading ("§ ...") or the range of lines (pages) the chunk's words come from. A line of
    REPEAT_MIN_WORDS words or more that repeats an earlier one (outside code) is left out.
    """
    words: list[str] = []  # current chunk
    lines: list[int] = []  # the line (page) of each of its words
    para: list[str] = []
    para_lines: list[int] = []
    heading: str | None = None
    seen: set[bytes] = set()  # lines of REPEAT_MIN_WORDS or more, by digest
    in_fence = False
    ordinal = 0
    offset = 0

    def emit(n: int) -> TextChunk:
        """The chunk of the first `n` words (they leave `words`)."""
        nonlocal ordinal, words, lines
        s, e = lines[0], lines[n - 1]
        c = TextChunk(ordinal, " ".join(words[:n]), _location(doc.unit, heading, s, e), heading, offset, s, e)
        ordinal += 1
        words, lines = words[n:], lines[n:]
        return c

    def close_para() -> Iterator[TextChunk]:
        nonlocal para, para_lines
        if not para:
            return
        if words and len(words) + len(para) > chunk_words:
            yield emit(len(words))
        words.extend(para)
        lines.extend(para_lines)
        para, para_lines = [], []
        while len(words) >= chunk_words:
            yield emit(cut_point(words, lines, chunk_words) if len(words) > chunk_words else chunk_words)

    for pos, line, off in doc.lines:
        offset = off
        stripped = line.strip()
        if markdown and _FENCE.match(line):
            in_fence = not in_fence
        m = _HEADING.match(stripped) if markdown and not in_fence else None
        if m:
            yield from close_para()
            if words:
                yield emit(len(words))
            heading = m.group(2).strip() or heading
            continue
        if not stripped:
            yield from close_para()
            continue
        split = stripped.split()
        if len(split) >= REPEAT_MIN_WORDS and not in_fence:
            digest = hashlib.blake2b(" ".join(split).encode(), digest_size=16).digest()
            if digest in seen:  # a line pasted twice (or a page clipped twice) is indexed once
                continue
            if len(seen) < REPEAT_MEMORY:
                seen.add(digest)
        para.extend(split)
        para_lines.extend([pos] * len(split))
        if len(para) >= 2 * chunk_words:  # a huge paragraph (or a single giant line): stream it
            yield from close_para()
    yield from close_para()
    if words:
        yield emit(len(words))

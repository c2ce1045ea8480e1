"""Cutting an opened document into passages of at most `chunk_words` words, line by line (very
long lines come in pieces), so that chunking a large file keeps memory flat."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from advisor.knowledge.documents import Document

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


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


def chunk_document(doc: Document, chunk_words: int, markdown: bool = True) -> Iterator[TextChunk]:
    """Cut a document into chunks of at most `chunk_words` words.

    Chunks end at headings and, where possible, at paragraph breaks; a paragraph longer than a
    chunk is split by words. Locations are the nearest heading ("§ ...") or a line/page range.
    """
    words: list[str] = []  # current chunk
    start = end = 0
    para: list[str] = []
    para_start = para_end = 0
    heading: str | None = None
    in_fence = False
    ordinal = 0
    offset = 0

    def emit(ws: list[str], s: int, e: int) -> TextChunk:
        nonlocal ordinal
        c = TextChunk(ordinal, " ".join(ws), _location(doc.unit, heading, s, e), heading, offset, s, e)
        ordinal += 1
        return c

    def close_para() -> Iterator[TextChunk]:
        nonlocal words, start, end, para
        if not para:
            return
        if words and len(words) + len(para) > chunk_words:
            yield emit(words, start, end)
            words = []
        if not words:
            start = para_start
        words.extend(para)
        end = para_end
        para = []
        while len(words) >= chunk_words:
            yield emit(words[:chunk_words], start, end)
            words = words[chunk_words:]
            start = end

    for pos, line, off in doc.lines:
        offset = off
        stripped = line.strip()
        if markdown and _FENCE.match(line):
            in_fence = not in_fence
        m = _HEADING.match(stripped) if markdown and not in_fence else None
        if m:
            yield from close_para()
            if words:
                yield emit(words, start, end)
                words = []
            heading = m.group(2).strip() or heading
            continue
        if not stripped:
            yield from close_para()
            continue
        if not para:
            para_start = pos
        para.extend(stripped.split())
        para_end = pos
        if len(para) >= 2 * chunk_words:  # a huge paragraph (or a single giant line): stream it
            yield from close_para()
    yield from close_para()
    if words:
        yield emit(words, start, end)

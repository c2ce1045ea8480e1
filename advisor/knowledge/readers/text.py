"""Plain text (.txt, .text): read line by line in the file's encoding, never whole.

Also the base of the Markdown reader: `document_from_lines` names a document from its front
matter, else from a short first line, else from the file name.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from advisor.knowledge.documents import Document, FileInfo, Line, Reader

LINE_LIMIT = 1 << 16  # longest piece of a line read at once
TITLE_LIMIT = 100  # a first line longer than this is a paragraph, not a title


def iter_lines(path: Path, encoding: str) -> Iterator[Line]:
    """(line number, text, byte offset after it); a line longer than LINE_LIMIT comes in pieces."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    lineno = 1
    offset = 0
    with path.open("rb") as fh:
        while raw := fh.readline(LINE_LIMIT):
            offset += len(raw)
            text = decoder.decode(raw)
            ended = raw.endswith(b"\n")
            yield lineno, text.rstrip("\r\n") if ended else text, offset
            if ended:
                lineno += 1
        tail = decoder.decode(b"", final=True)
        if tail:
            yield lineno, tail, offset


def chain(first: Iterable[Line], rest: Iterable[Line]) -> Iterator[Line]:
    yield from first
    yield from rest


def document_from_lines(
    info: FileInfo, body: Iterable[Line], meta: dict[str, object], fallback_title: str | None
) -> Document:
    """A document over `body`: titled by `meta`, else its first line when short, else a fallback."""
    title = str(meta.get("title") or "").strip()
    if not title:
        # the first non-empty line, when it is short, is the title (a heading or an essay title)
        first_line: list[Line] = []
        it = iter(body)
        for item in it:
            first_line.append(item)
            if item[1].strip():
                break
        candidate = first_line[-1][1].strip().lstrip("#").strip() if first_line else ""
        if len(candidate) > TITLE_LIMIT:  # a paragraph: its first sentence, if short, names it
            candidate = re.split(r"(?<=[.!?])\s", candidate, maxsplit=1)[0]
        if candidate and len(candidate) <= TITLE_LIMIT:
            title = candidate
        body = chain(first_line, it)
    title = title or fallback_title or re.sub(r"^[0-9a-f]{8}-", "", info.path.stem)
    topics = meta.get("topics") or []
    if not isinstance(topics, list):
        topics = [topics]
    kind = meta.get("kind")
    return Document(
        title=title,
        topics=[str(t).strip().lower() for t in topics if str(t).strip()],
        card_kind=str(kind) if kind else None,
        meta=meta,
        unit="line",
        lines=body,
    )


def open_text(info: FileInfo, fallback_title: str | None) -> Document:
    return document_from_lines(info, iter_lines(info.path, info.encoding), {}, fallback_title)


READER = Reader(name="text", suffixes=(".txt", ".text"), open=open_text)

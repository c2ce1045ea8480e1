"""Plain text (.txt, .text): read line by line in the file's encoding, never whole.

Also the base of the Markdown reader: `document_from_lines` names a document from its front
matter `title:`, else from its first heading (in plain text: a first line that reads as a title,
short and not ending like a sentence), else from its file name; `topics:` and `tags:` both become
the topics it is filtered by, and a card's `sources:` the works it draws on.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from advisor.knowledge.documents import Document, FileInfo, Line, Reader

LINE_LIMIT = 1 << 16  # longest piece of a line read at once
TITLE_LIMIT = 100  # a first line longer than this is a paragraph, not a title
_SENTENCE_END = (".", "!", "?", ",", ";", ":", "…")


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


def title_line(line: str) -> str | None:
    """A plain-text first line that names its document: short, and not ending like a sentence."""
    text = line.strip().lstrip("#").strip()
    if not text or len(text) > TITLE_LIMIT or text.endswith(_SENTENCE_END):
        return None
    return text


def meta_list(value: object) -> list[str]:
    """Front-matter topics or tags as lower-case names: a YAML list, or a string of names
    separated by commas or spaces; a leading `#` (Obsidian's tag form) is dropped."""
    items = value if isinstance(value, list) else re.split(r"[,\s]+", str(value or ""))
    names = (str(v).strip().lstrip("#").strip().lower() for v in items if v is not None)
    return list(dict.fromkeys(n for n in names if n))


def draws_on(meta: dict[str, object]) -> list[dict[str, str]]:
    """A card's `sources:` as the works it draws on: [{title, by, where}] (empty fields left out)."""
    sources = meta.get("sources")
    out: list[dict[str, str]] = []
    for item in sources if isinstance(sources, list) else []:
        if not isinstance(item, dict) or not item.get("title"):
            continue
        fields = {"title": item.get("title"), "by": item.get("author"), "where": item.get("where")}
        out.append({k: str(v).strip() for k, v in fields.items() if v and str(v).strip()})
    return out


def document_from_lines(
    info: FileInfo,
    body: Iterable[Line],
    meta: dict[str, object],
    fallback_title: str | None,
    heading_title: str | None = None,
) -> Document:
    """A document over `body`, titled by its front matter, else `heading_title` (a Markdown
    document's first heading), else a first line that reads as a title, else `fallback_title`
    (the name of the file the user added), else its file name."""
    title = str(meta.get("title") or "").strip() or heading_title
    if not title:
        first_line: list[Line] = []
        it = iter(body)
        for item in it:
            first_line.append(item)
            if item[1].strip():
                break
        title = title_line(first_line[-1][1]) if first_line else None
        body = chain(first_line, it)
    title = title or fallback_title or re.sub(r"^[0-9a-f]{8}-", "", info.path.stem)
    topics = meta_list(meta.get("topics"))
    kind = meta.get("kind")
    return Document(
        title=title,
        topics=topics + [t for t in meta_list(meta.get("tags")) if t not in topics],
        card_kind=str(kind) if kind else None,
        meta=meta,
        unit="line",
        lines=body,
        draws_on=draws_on(meta),
    )


def open_text(info: FileInfo, fallback_title: str | None) -> Document:
    return document_from_lines(info, iter_lines(info.path, info.encoding), {}, fallback_title)


READER = Reader(name="text", suffixes=(".txt", ".text"), open=open_text)

"""Markdown (.md, .markdown): front matter (YAML between `---` fences) is parsed, not indexed;
headings and code fences shape the chunks."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from advisor.knowledge.documents import Document, FileInfo, Line, Reader
from advisor.knowledge.readers.text import chain, document_from_lines, iter_lines

FRONT_MATTER_MAX_LINES = 200  # no closing fence by then: it was not front matter


def split_front_matter(lines: Iterator[Line]) -> tuple[dict[str, object], Iterable[Line]]:
    """(the front matter, the lines after it); ({}, all the lines) when there is none."""
    import yaml

    head: list[Line] = []
    for item in lines:
        head.append(item)
        if item[1].strip():
            break
    if not head or head[-1][1].strip() != "---":
        return {}, chain(head, lines)
    block: list[Line] = []
    for item in lines:
        if item[1].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(x[1] for x in block)) or {}
            except yaml.YAMLError:
                meta = {}
            if not isinstance(meta, dict):
                meta = {}
            return {str(k): v for k, v in meta.items()}, lines
        block.append(item)
        if len(block) > FRONT_MATTER_MAX_LINES:
            break
    return {}, chain(head + block, lines)  # no closing fence: not front matter


def open_markdown(info: FileInfo, fallback_title: str | None) -> Document:
    meta, body = split_front_matter(iter_lines(info.path, info.encoding))
    return document_from_lines(info, body, meta, fallback_title)


READER = Reader(name="markdown", suffixes=(".md", ".markdown"), open=open_markdown, markdown=True)

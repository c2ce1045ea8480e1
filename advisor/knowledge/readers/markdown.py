"""Markdown (.md, .markdown, .mdx): front matter (YAML between `---` fences) is parsed, not
indexed; headings and code fences shape the chunks; a document is titled by its front matter,
else its first heading.

Wiki vaults are often MDX-style: `import`/`export` lines, JSX components such as
`<R id="...">claim</R>` or `<Chart ... />`, `{/* comments */}`, HTML tags and comments. None of
that is prose, so `prose_lines` drops it (the text inside a tag pair stays) while keeping line
numbers, so citations still point at the right lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from advisor.knowledge.documents import Document, FileInfo, Line, Reader
from advisor.knowledge.readers.text import chain, document_from_lines, iter_lines

FRONT_MATTER_MAX_LINES = 200  # no closing fence by then: it was not front matter
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
FENCE = re.compile(r"^\s*(```|~~~)")
# an ES module statement at the top level of MDX (not prose that starts with "import" or "export")
_ES_STATEMENT = re.compile(
    r"""^(import\s+(['"]|[\w*{][^'"]*\bfrom\s+['"]|[\w*{][^'"]*[{,]\s*$|\{\s*$)"""
    r"""|export\s+(default|const|let|var|function|class|async|type|interface|\{|\*))"""
)
# a JSX or HTML tag: <Name attr="..." attr={...}>, </Name>, <Name ... />; braces may hold `>`
_TAG = re.compile(r"</?[A-Za-z][\w.:-]*(?:[^<>{}]|\{[^{}]*\})*?/?>")
_TAG_START = re.compile(r"<[A-Za-z][\w.:-]*(?:[^<>{}]|\{[^{}]*\})*$")  # a tag left open at the end of a line
_JSX_COMMENT = re.compile(r"\{/\*.*?\*/\}")
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_EXPRESSION_LINE = re.compile(r"^\s*\{.*\}\s*$")  # a line that is only a JSX expression


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


def _balance(text: str) -> int:
    return text.count("{") + text.count("(") + text.count("[") - text.count("}") - text.count(")") - text.count("]")


def prose_lines(lines: Iterable[Line]) -> Iterator[Line]:
    """The lines with MDX/JSX/HTML markup removed (emptied, so line numbers hold); code fences
    are kept as they are."""
    in_fence = False
    statement_depth = 0  # inside a multi-line import/export statement
    in_tag = False  # inside a tag that spans lines
    in_comment = False  # inside an HTML or JSX comment that spans lines
    for number, line, offset in lines:
        if FENCE.match(line):
            in_fence = not in_fence
            yield number, line, offset
            continue
        if in_fence:
            yield number, line, offset
            continue
        text = line
        if in_comment:
            closed = re.search(r"-->|\*/\}", text)
            if closed is None:
                yield number, "", offset
                continue
            text, in_comment = text[closed.end() :], False
        if statement_depth > 0:
            statement_depth += _balance(text)
            yield number, "", offset
            continue
        if in_tag:
            end = text.find(">")
            if end < 0:
                yield number, "", offset
                continue
            text, in_tag = text[end + 1 :], False
        if _ES_STATEMENT.match(text):
            statement_depth = max(0, _balance(text))
            yield number, "", offset
            continue
        text = _JSX_COMMENT.sub("", _HTML_COMMENT.sub("", text))
        opened = re.search(r"<!--|\{/\*", text)
        if opened is not None:
            text, in_comment = text[: opened.start()], True
        text = _TAG.sub("", text)
        left_open = _TAG_START.search(text)
        if left_open is not None:
            text, in_tag = text[: left_open.start()], True
        if _EXPRESSION_LINE.match(text):
            text = ""
        yield number, text if text.strip() else "", offset


def first_heading(info: FileInfo) -> str | None:
    """The text of the document's first heading outside code fences (one more streaming pass)."""
    _, body = split_front_matter(iter_lines(info.path, info.encoding))
    in_fence = False
    for _, line, _ in prose_lines(body):
        if FENCE.match(line):
            in_fence = not in_fence
            continue
        m = None if in_fence else HEADING.match(line)
        if m and m.group(2).strip():
            return m.group(2).strip()
    return None


def open_markdown(info: FileInfo, fallback_title: str | None) -> Document:
    meta, body = split_front_matter(iter_lines(info.path, info.encoding))
    heading = None if meta.get("title") else first_heading(info)
    return document_from_lines(info, prose_lines(body), meta, fallback_title, heading)


READER = Reader(name="markdown", suffixes=(".md", ".markdown", ".mdx"), open=open_markdown, markdown=True)

"""Reading source files (Markdown with front matter, plain text, PDF) and cutting them into chunks.

Everything streams: a file is hashed and checked in fixed-size blocks, and text is chunked line by
line (very long lines in pieces), so a 50 MB file is never held in memory at once.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | PDF_SUFFIXES
BLOCK = 1 << 20
LINE_LIMIT = 1 << 16  # longest piece of a line read at once
SNIFF = 8192


class SourceError(Exception):
    """A file that cannot be indexed; the message is one line for the user."""


@dataclass
class FileInfo:
    path: Path
    size: int
    mtime_ns: int
    sha256: str
    fmt: str  # "markdown" | "text" | "pdf"
    encoding: str = "utf-8"
    warning: str | None = None


@dataclass
class Chunk:
    ord: int
    text: str
    location: str
    heading: str | None = None
    end_offset: int = 0  # bytes of the source read so far (for progress)


@dataclass
class Document:
    """A source opened for chunking: its metadata and a lazy stream of (position, line, offset)."""

    title: str
    topics: list[str] = field(default_factory=list)
    card_kind: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    unit: str = "line"  # "line" or "page"
    lines: Iterable[tuple[int, str, int]] = ()


def file_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in PDF_SUFFIXES:
        return "pdf"
    if suffix in MARKDOWN_SUFFIXES:
        return "markdown"
    return "text"


def stat_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_size, st.st_mtime_ns


def hash_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            h.update(block)
    return h.hexdigest()


def inspect_file(path: Path) -> FileInfo:
    """Hash and check a file in one streaming pass; raise SourceError for what cannot be indexed."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SourceError("no such file or folder") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if not path.is_file():
        raise SourceError("not a regular file")
    fmt = file_format(path)
    if st.st_size == 0:
        raise SourceError("empty file, nothing to index")
    h = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok = True
    bad_at: int | None = None
    has_text = False
    offset = 0
    try:
        with path.open("rb") as fh:
            first = True
            while block := fh.read(BLOCK):
                h.update(block)
                if first and fmt != "pdf":
                    sample = block[:SNIFF]
                    if b"\x00" in sample or _looks_binary(sample):
                        raise SourceError("binary file, not text (supported: .md, .txt, .pdf)")
                first = False
                if fmt != "pdf":
                    if not has_text and block.strip():
                        has_text = True
                    if utf8_ok:
                        try:
                            decoder.decode(block)
                        except UnicodeDecodeError as exc:
                            utf8_ok = False
                            bad_at = offset + exc.start
                offset += len(block)
            if fmt != "pdf" and utf8_ok:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8_ok, bad_at = False, offset
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if fmt == "pdf":
        return FileInfo(path, st.st_size, st.st_mtime_ns, h.hexdigest(), fmt, encoding="pdf")
    if not has_text:
        raise SourceError("empty file (only whitespace), nothing to index")
    info = FileInfo(path, st.st_size, st.st_mtime_ns, h.hexdigest(), fmt)
    if not utf8_ok:
        info.encoding = "cp1252"
        info.warning = (
            f"not valid UTF-8 (first bad byte at offset {bad_at}); read as Windows-1252, "
            "undecodable bytes replaced"
        )
    return info


def _looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(sample) > 0.1


# ---------------------------------------------------------------- reading


def _iter_text_lines(path: Path, encoding: str) -> Iterator[tuple[int, str, int]]:
    """(line number, text, byte offset after it); a line longer than LINE_LIMIT comes in pieces."""
    errors = "replace"
    decoder = codecs.getincrementaldecoder(encoding)(errors=errors)
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


_FM_MAX_LINES = 200


def open_document(info: FileInfo, fallback_title: str | None = None) -> Document:
    """Open a checked file for chunking; front matter of Markdown is parsed, not indexed."""
    if info.fmt == "pdf":
        return _open_pdf(info, fallback_title)
    lines = _iter_text_lines(info.path, info.encoding)
    meta: dict[str, Any] = {}
    body: Iterable[tuple[int, str, int]] = lines
    if info.fmt == "markdown":
        meta, body = _split_front_matter(lines)
    title = str(meta.get("title") or "").strip()
    first_line: list[tuple[int, str, int]] = []
    if not title:
        # the first non-empty line, when it is short, is the title (a heading or an essay title)
        it = iter(body)
        for item in it:
            first_line.append(item)
            if item[1].strip():
                break
        candidate = first_line[-1][1].strip().lstrip("#").strip() if first_line else ""
        if len(candidate) > 100:  # a paragraph: its first sentence, if short, names it
            candidate = re.split(r"(?<=[.!?])\s", candidate, maxsplit=1)[0]
        if candidate and len(candidate) <= 100:
            title = candidate
        body = _chain(first_line, it)
    title = title or fallback_title or re.sub(r"^[0-9a-f]{8}-", "", info.path.stem)
    topics = meta.get("topics") or []
    if isinstance(topics, str):
        topics = [topics]
    return Document(
        title=title,
        topics=[str(t).strip().lower() for t in topics if str(t).strip()],
        card_kind=str(meta["kind"]) if meta.get("kind") else None,
        meta=meta,
        unit="line",
        lines=body,
    )


def _chain(first: list[Any], rest: Iterator[Any]) -> Iterator[Any]:
    yield from first
    yield from rest


def _split_front_matter(
    lines: Iterator[tuple[int, str, int]],
) -> tuple[dict[str, Any], Iterable[tuple[int, str, int]]]:
    import yaml

    head: list[tuple[int, str, int]] = []
    for item in lines:
        head.append(item)
        if item[1].strip():
            break
    if not head or head[-1][1].strip() != "---":
        return {}, _chain(head, lines)
    block: list[tuple[int, str, int]] = []
    for item in lines:
        if item[1].strip() in ("---", "..."):
            try:
                meta = yaml.safe_load("\n".join(x[1] for x in block)) or {}
            except yaml.YAMLError:
                meta = {}
            if not isinstance(meta, dict):
                meta = {}
            return meta, lines
        block.append(item)
        if len(block) > _FM_MAX_LINES:
            break
    return {}, _chain(head + block, lines)  # no closing fence: not front matter


def _open_pdf(info: FileInfo, fallback_title: str | None) -> Document:
    try:
        from pypdf import PdfReader

        reader = PdfReader(str(info.path))
        n_pages = len(reader.pages)
        pdf_title = None
        try:
            md = reader.metadata
            pdf_title = (md.title or "").strip() if md else None
        except Exception:  # noqa: BLE001 - broken metadata is not worth failing for
            pdf_title = None
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds
        raise SourceError(f"cannot read PDF: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from None
    pages: list[tuple[int, str]] = []
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception:  # noqa: BLE001
            text = ""
        if text.strip():
            pages.append((number, text))
    if not pages:
        raise SourceError(
            f"PDF has no text layer ({n_pages} page(s) of images?); run OCR on it first"
        )
    per_page = max(1, info.size // max(1, n_pages))

    def lines() -> Iterator[tuple[int, str, int]]:
        for number, text in pages:
            for line in text.splitlines():
                yield number, line, number * per_page
            yield number, "", number * per_page

    return Document(
        title=pdf_title or fallback_title or info.path.stem,
        unit="page",
        lines=lines(),
    )


# ---------------------------------------------------------------- chunking

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


def _location(unit: str, heading: str | None, start: int, end: int) -> str:
    if heading:
        return f"§ {heading}"
    word = "page" if unit == "page" else "line"
    return f"{word} {start}" if start == end else f"{word}s {start}–{end}"


def chunk_document(doc: Document, chunk_words: int, markdown: bool = True) -> Iterator[Chunk]:
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

    def emit(ws: list[str], s: int, e: int) -> Chunk:
        nonlocal ordinal
        c = Chunk(ordinal, " ".join(ws), _location(doc.unit, heading, s, e), heading, offset)
        ordinal += 1
        return c

    def close_para() -> Iterator[Chunk]:
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


def slugify(text: str, max_len: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (slug[:max_len].rstrip("-")) or "note"


# ---------------------------------------------------------------- the subfield map

SUBFIELD_MAP = "subfields.yaml"
SUBFIELD_MAP_TITLE = "AI-safety subfield map"


def open_subfield_map(info: FileInfo) -> Document:
    """knowledge/subfields.yaml as a document with one `## ` section per subfield.

    Each section is headed by the subfield's name and the card it belongs to, so a passage cites
    both the map and the card; the body restates the entry's fields in words.
    """
    import yaml

    try:
        data = yaml.safe_load(info.path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SourceError(f"cannot read the subfield map: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, list):
        raise SourceError("the subfield map is not a list of subfields")

    def join(value: Any) -> str:
        if isinstance(value, list):
            return "; ".join(str(v) for v in value)
        return str(value or "").strip()

    lines: list[str] = []
    for entry in data:
        if not isinstance(entry, dict) or not entry.get("name"):
            continue
        card = str(entry.get("card") or "").strip()
        lines.append(f"## {entry['name']}" + (f" (card: {card})" if card else ""))
        lines.append("")
        parts = [join(entry.get("summary"))]
        for label, key in (
            ("Branch of the landscape", "branch"),
            ("Core problems", "core_problems"),
            ("Methods", "methods"),
            ("An entry project", "entry_project"),
            ("Where people gather", "gathers"),
        ):
            if entry.get(key):
                value = join(entry[key]).rstrip(".")
                parts.append(f"{label}: {value}.")
        lines.append(" ".join(p for p in parts if p))
        lines.append("")
    if not lines:
        raise SourceError("the subfield map has no subfields")
    size = max(1, info.size)
    n = len(lines)
    return Document(
        title=SUBFIELD_MAP_TITLE,
        topics=["landscape", "subfields"],
        card_kind="subfield",
        meta={"title": SUBFIELD_MAP_TITLE},
        unit="line",
        lines=[(i + 1, text, size * (i + 1) // n) for i, text in enumerate(lines)],
    )

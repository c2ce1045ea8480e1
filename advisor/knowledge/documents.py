"""What reading a source file produces, as plain data: the checked file (`FileInfo`), the opened
`Document`, the `Reader` that opens a format, and the one-line `SourceError` when it cannot."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

# One line of a document: (line or page number, its text, bytes of the source read so far).
Line = tuple[int, str, int]


class SourceError(Exception):
    """A file that cannot be indexed; the message is one line for the user."""


@dataclass(frozen=True)
class Reader:
    """How one file format is checked and opened for indexing (registered in `readers/`)."""

    name: str
    suffixes: tuple[str, ...]  # lower-case, with the dot; the first one is shown to users
    open: Callable[[FileInfo, str | None], Document]  # (the checked file, a fallback title)
    binary: bool = False  # not checked as text (encoding, only whitespace) before it is opened
    markdown: bool = False  # `#` headings and code fences shape its chunks
    notes: bool = True  # the user may add it as a note (the subfield map is a curated file only)


@dataclass
class FileInfo:
    """A file hashed and checked in one streaming pass, with the reader that will open it."""

    path: Path
    size: int
    mtime_ns: int
    sha256: str
    reader: Reader
    encoding: str = "utf-8"
    warning: str | None = None


@dataclass
class Document:
    """A source opened for chunking: its metadata and a lazy stream of its lines."""

    title: str
    topics: list[str] = field(default_factory=list)
    card_kind: str | None = None
    meta: dict[str, object] = field(default_factory=dict)  # front matter, as the YAML gave it
    unit: str = "line"  # "line" or "page": how locations are cited
    lines: Iterable[Line] = ()
    draws_on: list[dict[str, str]] = field(default_factory=list)  # a card's sources: {title, by, where}

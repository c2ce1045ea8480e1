"""File readers, keyed by suffix. Adding a note format is one module here (a `READER`) plus its
line in `READERS`; the supported suffixes, the CLI's help and the TUI's hint all come from it."""

from __future__ import annotations

from pathlib import Path

from advisor.knowledge.documents import Reader
from advisor.knowledge.readers import markdown, pdf, subfields, text

READERS: tuple[Reader, ...] = (markdown.READER, text.READER, pdf.READER, subfields.READER)
NOTE_READERS = tuple(r for r in READERS if r.notes)
# What the notes folder, and a folder given to `advisor notes add`, are scanned for.
SUPPORTED_SUFFIXES = frozenset(s for r in NOTE_READERS for s in r.suffixes)
_BY_SUFFIX = {s: r for r in reversed(READERS) for s in r.suffixes}  # the first registered wins


def reader_for(path: Path, *, curated: bool = False) -> Reader:
    """The reader for a file by its suffix. A note in an unknown format (a file given by name) is
    read as plain text; curated-only formats (the subfield map) apply to curated files only."""
    found = _BY_SUFFIX.get(path.suffix.lower())
    if found is None or not (found.notes or curated):
        return text.READER
    return found


def note_formats(last: str = ", ") -> str:
    """The note formats for people: ".md, .txt, .pdf" (or ".md, .txt or .pdf" with last=" or ")."""
    labels = [r.suffixes[0] for r in NOTE_READERS]
    return ", ".join(labels[:-1]) + last + labels[-1] if len(labels) > 1 else labels[0]


__all__ = ["NOTE_READERS", "READERS", "SUPPORTED_SUFFIXES", "note_formats", "reader_for"]

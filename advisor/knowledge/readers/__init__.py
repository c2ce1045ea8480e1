"""File readers, keyed by suffix. Adding a note format is one module here (a `READER`) plus its
line in `READERS`; the suffixes notes are found by, the CLI's help and the TUI's hint all come
from this registry."""

from __future__ import annotations

from pathlib import Path

from advisor.knowledge.documents import Reader
from advisor.knowledge.readers import markdown, pdf, subfields, text

READERS: tuple[Reader, ...] = (markdown.READER, text.READER, pdf.READER, subfields.READER)


def note_readers() -> list[Reader]:
    return [r for r in READERS if r.notes]


def supported_suffixes() -> frozenset[str]:
    """The suffixes of notes: what the notes folder, and a folder given to add, are scanned for."""
    return frozenset(s for r in note_readers() for s in r.suffixes)


def reader_for(path: Path, *, curated: bool = False) -> Reader:
    """The reader for a file by its suffix (the first registered wins). A note in an unknown
    format (a file given by name) is read as plain text; curated-only formats (the subfield map)
    apply to curated files only."""
    suffix = path.suffix.lower()
    for reader in READERS:
        if suffix in reader.suffixes and (reader.notes or curated):
            return reader
    return text.READER


def note_formats(last: str = ", ") -> str:
    """The note formats for people: ".md, .txt, .pdf" (or ".md, .txt or .pdf" with last=" or ")."""
    labels = [r.suffixes[0] for r in note_readers()]
    return ", ".join(labels[:-1]) + last + labels[-1] if len(labels) > 1 else labels[0]


__all__ = ["READERS", "note_formats", "note_readers", "reader_for", "supported_suffixes"]

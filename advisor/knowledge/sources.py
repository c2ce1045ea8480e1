"""Checking source files before they are indexed: one streaming pass hashes a file and finds what
would make it unindexable (missing, empty, binary, not UTF-8), so a 50 MB file is never held in
memory at once. Opening a checked file is its reader's job (`readers/`)."""

from __future__ import annotations

import codecs
import hashlib
import re
from pathlib import Path

from advisor.knowledge.documents import Document, FileInfo, SourceError
from advisor.knowledge.readers import note_formats, reader_for

BLOCK = 1 << 20
SNIFF = 8192


def inspect_file(path: Path, *, curated: bool = False, max_bytes: int | None = None) -> FileInfo:
    """Hash and check a file in one streaming pass; raise SourceError for what cannot be indexed
    (a file over `max_bytes` is refused before it is read)."""
    try:
        st = path.stat()
    except FileNotFoundError:
        raise SourceError("no such file or folder") from None
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if not path.is_file():
        raise SourceError("not a regular file")
    if max_bytes is not None and st.st_size > max_bytes:
        raise SourceError(
            f"file is {megabytes(st.st_size)}, over the {megabytes(max_bytes)} limit "
            "(knowledge.max_file_mb); split it, or raise the limit"
        )
    reader = reader_for(path, curated=curated)
    is_text = not reader.binary
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
                if first and is_text:
                    sample = block[:SNIFF]
                    if b"\x00" in sample or looks_binary(sample):
                        raise SourceError(f"binary file, not text (supported: {note_formats()})")
                first = False
                if is_text:
                    if not has_text and block.strip():
                        has_text = True
                    if utf8_ok:
                        try:
                            decoder.decode(block)
                        except UnicodeDecodeError as exc:
                            utf8_ok = False
                            bad_at = offset + exc.start
                offset += len(block)
            if is_text and utf8_ok:
                try:
                    decoder.decode(b"", final=True)
                except UnicodeDecodeError:
                    utf8_ok, bad_at = False, offset
    except OSError as exc:
        raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if not is_text:
        return FileInfo(path, st.st_size, st.st_mtime_ns, h.hexdigest(), reader, encoding=reader.name)
    if not has_text:
        raise SourceError("empty file (only whitespace), nothing to index")
    info = FileInfo(path, st.st_size, st.st_mtime_ns, h.hexdigest(), reader)
    if not utf8_ok:
        info.encoding = "cp1252"
        info.warning = (
            f"not valid UTF-8 (first bad byte at offset {bad_at}); read as Windows-1252, "
            "undecodable bytes replaced"
        )
    return info


def megabytes(size: int) -> str:
    """A size for people: 850 kB, 2.5 MB, 120 MB."""
    if size < 1e6:
        return f"{size / 1e3:.0f} kB"
    return f"{size / 1e6:.1f} MB" if size < 10e6 else f"{size / 1e6:.0f} MB"


def looks_binary(sample: bytes) -> bool:
    if not sample:
        return False
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return control / len(sample) > 0.1


def open_document(info: FileInfo, fallback_title: str | None = None) -> Document:
    """Open a checked file for chunking, with the reader its check chose."""
    return info.reader.open(info, fallback_title)


def slugify(text: str, max_len: int = 40) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return (slug[:max_len].rstrip("-")) or "note"

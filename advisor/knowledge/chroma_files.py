"""The embedded Chroma index's folders and files, without importing chromadb (which costs most of a
second): where the index in use lives, and a quick check that its database can be read, so that
`advisor kb status` can vouch for the index and stay fast."""

from __future__ import annotations

import sqlite3
from pathlib import Path

FOLDER = "chroma"  # the embedded index: index_dir/chroma, or index_dir/chroma-<n> after a full reindex
DATABASE = "chroma.sqlite3"  # Chroma's own SQLite file in that folder
SQLITE_MAGIC = b"SQLite format 3\x00"


def folders(index_dir: Path) -> list[Path]:
    """The embedded index's folders: `chroma`, and `chroma-<n>` made by full reindexes."""
    found = [p for p in index_dir.glob(FOLDER + "-*") if p.is_dir() and p.name[len(FOLDER) + 1 :].isdigit()]
    return [index_dir / FOLDER, *found]


def generation(folder: Path) -> int:
    suffix = folder.name[len(FOLDER) + 1 :]
    return int(suffix) if suffix.isdigit() else 0


def embedded_folder(index_dir: Path) -> Path:
    """The folder in use: the newest `chroma-<n>`, else `chroma`."""
    return max(folders(index_dir), key=generation)


def database_problem(folder: Path) -> str | None:
    """Why the Chroma database in `folder` cannot be read (cut short, not a database, damaged
    tables), or None when it reads, or does not exist yet (the next indexing run makes it)."""
    path = folder / DATABASE
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            header = fh.read(100)
    except FileNotFoundError:
        return None
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return f"{path} is not a database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    header_valid = header[24:28] == header[92:96]  # the page count is kept up to date
    if header_valid and size < pages * page_size:
        return f"{path} is cut short ({size:,} of {pages * page_size:,} bytes)"
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            for table in ("embeddings", "embedding_metadata"):
                if table in tables:
                    db.execute(f"SELECT count(*) FROM {table}").fetchone()  # every page of its tree
        finally:
            db.close()
    except sqlite3.DatabaseError as exc:
        return f"{path}: {exc}"
    return None

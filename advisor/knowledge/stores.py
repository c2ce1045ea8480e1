"""The places and stores of one knowledge base, opened on first use and shared by ingest, notes
and search: the SQLite catalog (`index_dir/lexical.sqlite3`), the embedder (an ONNX session)
and the vector index. Heavy libraries (onnxruntime, chromadb) are imported when a store opens.

The vector index is derived from the catalog and kept in step with it: opening it repairs any
drift (an interrupted run). It is always this home's own (embedded); a team server
(`knowledge.chroma_url`) is the `team` (`team.py`), which only ever changes this home's own ids.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.knowledge.indexer import INDEX_BATCH, embed_text, vector_metas
from advisor.knowledge.sources import inspect_file
from advisor.private import private_dir

if TYPE_CHECKING:
    from collections.abc import Callable

    from advisor.knowledge.catalog import Catalog
    from advisor.knowledge.documents import FileInfo
    from advisor.knowledge.embedder import Embedder
    from advisor.knowledge.team import Team
    from advisor.knowledge.vectors import VectorIndex
    from advisor.settings import Settings

CATALOG_FILE = "lexical.sqlite3"
WRITE_LOCK = ".indexing.lock"


class Stores:
    """The stores of one ADVISOR_HOME: cheap to construct, each opened on first use."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None) -> None:
        self.settings = settings
        self._embedder = embedder
        self._catalog: Catalog | None = None
        self._dense: VectorIndex | None = None
        self._team: Team | None = None

    # ------------------------------------------------------------------ places
    @property
    def notes_dir(self) -> Path:
        return self.settings.notes_dir

    @property
    def index_dir(self) -> Path:
        return self.settings.index_dir

    @property
    def curated_dir(self) -> Path | None:
        configured = self.settings.knowledge.curated_dir
        if configured is not None:
            return Path(configured).expanduser()
        from advisor import resources

        try:
            return resources.knowledge_dir()
        except FileNotFoundError:
            return None

    @property
    def max_file_bytes(self) -> int:
        return int(self.settings.knowledge.max_file_mb * 1e6)

    def inspect(self, path: Path, *, curated: bool = False) -> FileInfo:
        """Check a source file (`sources.inspect_file`); notes over the size limit are refused."""
        return inspect_file(path, curated=curated, max_bytes=None if curated else self.max_file_bytes)

    # ------------------------------------------------------------------ stores
    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            from advisor.knowledge.catalog import Catalog

            self._catalog = Catalog(self.index_dir / CATALOG_FILE)
        return self._catalog

    @property
    def embedder(self) -> Embedder:
        """The embedder (its ONNX session is created once, on first use, unless one was given)."""
        if self._embedder is None:
            from advisor.knowledge.embedder import Embedder

            self._embedder = Embedder()
        return self._embedder

    @property
    def dense(self) -> VectorIndex:
        """The vector index, repaired to match the catalog when it opens."""
        if self._dense is None:
            vectors = self.open_vectors()
            try:
                self._repair(vectors)
            except BaseException:
                vectors.close()
                raise
            self._dense = vectors
        return self._dense

    def open_vectors(self) -> VectorIndex:
        """The vector store in use: the one place its implementation is chosen."""
        from advisor.knowledge.chroma import ChromaIndex

        return ChromaIndex(self.index_dir, lambda: self.embedder)

    @property
    def team(self) -> Team:
        """The team server's half (state "off" when no `knowledge.chroma_url` is set)."""
        if self._team is None:
            from advisor.knowledge.team import Team

            self._team = Team(self)
        return self._team

    def repair_vectors(self) -> int:
        """Make an open vector index hold exactly the catalog's chunks (after an indexing run)."""
        return 0 if self._dense is None else self._repair(self._dense)

    def _repair(self, dense: VectorIndex) -> int:
        cat = self.catalog
        if dense.count() == cat.chunk_count():
            return 0
        have = set(dense.ids())
        want = set(cat.chunk_ids())
        extra = sorted(have - want)
        if extra:
            dense.delete(extra)
        missing = sorted(want - have)
        for i in range(0, len(missing), INDEX_BATCH):
            rows = cat.iter_chunks(missing[i : i + INDEX_BATCH])
            texts = [embed_text(r["title"], r["location"], r["text"]) for r in rows]
            dense.upsert([r["chunk_id"] for r in rows], self.embedder.embed(texts), vector_metas(rows))
        return len(extra) + len(missing)

    @contextmanager
    def writing(self, waiting: Callable[[], None] | None = None) -> Iterator[None]:
        """One indexing run at a time for this index, across processes (the TUI's worker and a
        CLI command): embedded Chroma takes one writer. `waiting()` is called if another run
        holds the index, before this one waits for it."""
        try:
            import fcntl
        except ImportError:  # pragma: no cover - not POSIX: no lock
            yield
            return
        private_dir(self.index_dir)
        fd = os.open(self.index_dir / WRITE_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if waiting is not None:
                    waiting()
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # and the lock with it

    def check(self) -> str | None:
        """Why the index cannot be read, or None. The catalog is checked as it opens; the vector
        index of a server by a count, the embedded one by its database file (`chroma_files`),
        without loading Chroma, so that `advisor kb status` stays fast."""
        from advisor.errors import StorageError

        try:
            self.catalog.chunk_count()
            if self.settings.knowledge.chroma_url:
                vectors = self._dense or self.open_vectors()
                try:
                    vectors.count()
                finally:
                    if vectors is not self._dense:
                        vectors.close()
                return None
        except StorageError as exc:
            return exc.message
        from advisor.knowledge.chroma_files import database_problem, embedded_folder

        problem = database_problem(embedded_folder(self.index_dir))
        if problem is None:
            return None
        return f"the vector index is corrupt or unreadable ({problem}); run `advisor kb reindex --full` to rebuild it"

    def wipe(self) -> None:
        """Empty both stores for a full rebuild; works when either is corrupt or unreadable."""
        self.close()
        for name in (CATALOG_FILE, CATALOG_FILE + "-wal", CATALOG_FILE + "-shm"):
            (self.index_dir / name).unlink(missing_ok=True)
        vectors = self.open_vectors()
        vectors.wipe()
        self._dense = vectors  # empty, like the new catalog: nothing to repair

    def close(self) -> None:
        if self._team is not None:
            self._team.close()
        if self._catalog is not None:
            self._catalog.close()
            self._catalog = None
        if self._dense is not None:
            self._dense.close()
            self._dense = None

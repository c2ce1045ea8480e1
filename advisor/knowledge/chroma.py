"""The home's vector index on embedded Chroma (a PersistentClient in `index_dir/chroma`). A team's
Chroma server (`knowledge.chroma_url`) holds only shared notes and card vectors: `team_server.py`.

Everything Chroma-specific of the home's index lives here: the metadata layout and `where` filters,
the embedding function Chroma is given (ours, never its downloading default), and wiping.
Imported only when the index is first used (chromadb is heavy).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import chromadb
from chromadb.api import ClientAPI
from chromadb.api.client import Client
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Embeddable, Embedding, EmbeddingFunction, Embeddings, Metadata, Space, Where
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import NotFoundError
from chromadb.utils.embedding_functions import register_embedding_function

from advisor.errors import StorageError
from advisor.knowledge.chroma_files import FOLDER, embedded_folder, folders, generation
from advisor.knowledge.embedder import MODEL_ID, Embedder
from advisor.knowledge.vectors import VectorMeta
from advisor.private import private_dir

if TYPE_CHECKING:
    from advisor.knowledge.vectors import Matrix, Vector

COLLECTION = "advisor_kb"
TOPIC_PREFIX = "topic:"  # a source's topics are boolean metadata keys: topic:<name> = True
PAGE = 5000  # ids read or deleted per call


class AdvisorEmbeddingFunction(EmbeddingFunction[Embeddable]):
    """Our ONNX embedder as Chroma's embedding function (texts only). Vectors are always passed
    in, so the embedder is only created (`embedder()`) if Chroma ever asks for one itself."""

    def __init__(self, embedder: Callable[[], Embedder] = Embedder) -> None:
        self._make = embedder
        self._embedder: Embedder | None = None
        self._lock = threading.Lock()

    def __call__(self, input: Embeddable) -> Embeddings:
        texts = [item for item in input if isinstance(item, str)]
        if len(texts) != len(input):
            raise ValueError("advisor's embedding function embeds texts only")
        with self._lock:
            if self._embedder is None:
                self._embedder = self._make()
        return list(self._embedder.embed(texts))

    @staticmethod
    def name() -> str:
        return "advisor-minilm-int8"

    def get_config(self) -> dict[str, Any]:
        return {"model": MODEL_ID}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AdvisorEmbeddingFunction:
        return AdvisorEmbeddingFunction()

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]


try:  # so that Chroma can rebuild it from a collection's stored configuration
    register_embedding_function(AdvisorEmbeddingFunction)  # type: ignore[no-untyped-call]  # chromadb leaves it unannotated
except ValueError:  # registered already (this module was reloaded)
    pass


def chroma_metadata(meta: VectorMeta) -> Metadata:
    out: dict[str, str | bool] = {"source_id": meta.source_id, "kind": meta.kind}
    for topic in meta.topics:
        out[TOPIC_PREFIX + topic] = True
    return out


def where_clause(kind: str | None, topics: Sequence[str] | None) -> Where | None:
    """Chroma's filter for a kind and any of some topics (None: no filter)."""
    parts: list[Where] = []
    if kind:
        parts.append({"kind": kind})
    if topics:
        alternatives: list[Where] = [{TOPIC_PREFIX + t: True} for t in topics]
        parts.append(alternatives[0] if len(alternatives) == 1 else {"$or": alternatives})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class ChromaIndex:
    """A `VectorIndex` over one Chroma collection (cosine space); it connects on first use."""

    def __init__(self, index_dir: Path, embedder: Callable[[], Embedder]) -> None:
        self.path = embedded_folder(index_dir)
        self._ef = AdvisorEmbeddingFunction(embedder)
        self._client: ClientAPI | None = None
        self._collection: Collection | None = None

    # ------------------------------------------------------------------ connection
    def _connect(self) -> ClientAPI:
        settings = ChromaSettings(anonymized_telemetry=False)
        private_dir(self.path)
        return chromadb.PersistentClient(path=str(self.path), settings=settings)

    @property
    def collection(self) -> Collection:
        if self._collection is None:
            with self._faults():
                if self._client is None:
                    self._client = self._connect()
                self._collection = self._client.get_or_create_collection(
                    COLLECTION, embedding_function=self._ef, configuration={"hnsw": {"space": "cosine"}}
                )
        return self._collection

    @contextmanager
    def _faults(self) -> Iterator[None]:
        """Chroma's failures as one StorageError line."""
        try:
            yield
        except StorageError:
            raise
        except Exception as exc:  # noqa: BLE001 - the fault boundary: chromadb raises many kinds (sqlite, Rust bindings, HTTP)
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StorageError(
                f"the vector index at {self.path} is corrupt or unreadable ({reason}); "
                "run `advisor kb reindex --full` to rebuild it"
            ) from None

    def close(self) -> None:
        """Close the client: Chroma's Client.close() stops the embedded system (and its files)
        once the last client on this folder in the process is closed."""
        client, self._client, self._collection = self._client, None, None
        if isinstance(client, Client):
            client.close()

    # ------------------------------------------------------------------ the VectorIndex protocol
    def count(self) -> int:
        with self._faults():
            return int(self.collection.count())

    def ids(self) -> list[str]:
        ids: list[str] = []
        with self._faults():
            while True:
                got = self.collection.get(include=[], limit=PAGE, offset=len(ids))["ids"]
                ids += got
                if len(got) < PAGE:
                    return ids

    def upsert(self, ids: Sequence[str], embeddings: Matrix, metas: Sequence[VectorMeta]) -> None:
        if not ids:
            return
        with self._faults():
            self.collection.upsert(
                ids=list(ids), embeddings=embeddings, metadatas=[chroma_metadata(m) for m in metas]
            )

    def vectors(self, ids: Sequence[str]) -> dict[str, Vector]:
        import numpy as np

        out: dict[str, Vector] = {}
        with self._faults():
            for i in range(0, len(ids), PAGE):
                got = self.collection.get(ids=list(ids[i : i + PAGE]), include=["embeddings"])
                embs = got.get("embeddings")
                for cid, emb in zip(got["ids"], [] if embs is None else embs, strict=True):
                    out[cid] = np.asarray(emb, dtype=np.float32)
        return out

    def delete(self, ids: Sequence[str]) -> None:
        with self._faults():
            for i in range(0, len(ids), PAGE):
                self.collection.delete(ids=list(ids[i : i + PAGE]))

    def query(
        self, embedding: Vector, n: int, kind: str | None = None, topics: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        with self._faults():
            res = self.collection.query(
                # a float32 vector is a Chroma Embedding (whose dtype is a union, so mypy wants a cast)
                query_embeddings=[cast(Embedding, embedding)], n_results=n, where=where_clause(kind, topics),
                include=["distances"],
            )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists, strict=True)]

    def wipe(self) -> None:
        """Empty the index through Chroma's public API, whatever state it is in: close the
        client and move to a fresh folder (`chroma-<n+1>`), removing the old one, which may be damaged. A new folder
        is a new Chroma system: a client that failed to open the old one (chromadb keeps such a
        system cached by its path) or that another knowledge base in this process still holds
        cannot be reused by mistake, and no dropped collection's files are left behind.
        """
        self.close()
        fresh = self.path.parent / f"{FOLDER}-{generation(self.path) + 1}"
        private_dir(fresh)
        for old in folders(self.path.parent):
            if old != fresh:
                shutil.rmtree(old, ignore_errors=True)
        self.path = fresh
        self._collection = None
        with self._faults():
            if self._client is None:
                self._client = self._connect()
            try:
                self._client.delete_collection(COLLECTION)
            except NotFoundError:  # absent already (always, in a fresh folder)
                pass
        self.collection  # noqa: B018 - the property creates it, empty

"""The dense index: a Chroma collection (embedded PersistentClient, or HttpClient for a server).

Only vectors and a little filter metadata live here; texts live in the SQLite catalog. Our own
embedding function is always passed, so chroma's downloading default is never touched.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from advisor.errors import StorageError

COLLECTION = "advisor_kb"
TOPIC_PREFIX = "topic:"


def chunk_metadata(source_id: str, kind: str, topics: list[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {"source_id": source_id, "kind": kind}
    for t in topics:
        meta[TOPIC_PREFIX + t] = True
    return meta


def where_clause(kind: str | None, topics: list[str] | None) -> dict[str, Any] | None:
    parts: list[dict[str, Any]] = []
    if kind:
        parts.append({"kind": kind})
    if topics:
        alts = [{TOPIC_PREFIX + t: True} for t in topics]
        parts.append(alts[0] if len(alts) == 1 else {"$or": alts})
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else {"$and": parts}


class DenseIndex:
    def __init__(self, index_dir: Path, chroma_url: str | None, embedding_function: Any) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self.url = chroma_url
        self.path = index_dir / "chroma"
        chroma_settings = ChromaSettings(anonymized_telemetry=False)
        try:
            if chroma_url:
                u = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
                self.client = chromadb.HttpClient(
                    host=u.hostname or "127.0.0.1",
                    port=u.port or (443 if u.scheme == "https" else 8000),
                    ssl=u.scheme == "https",
                    settings=chroma_settings,
                )
            else:
                self.path.mkdir(parents=True, exist_ok=True)
                self.client = chromadb.PersistentClient(path=str(self.path), settings=chroma_settings)
            self.collection = self.client.get_or_create_collection(
                COLLECTION,
                embedding_function=embedding_function,
                configuration={"hnsw": {"space": "cosine"}},
            )
        except StorageError:
            raise
        except Exception as exc:  # noqa: BLE001 - chroma raises many kinds
            raise self._error(exc) from None
        self._ef = embedding_function

    def _error(self, exc: BaseException) -> StorageError:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if self.url:
            return StorageError(f"cannot use the Chroma server at {self.url}: {reason}")
        return StorageError(
            f"the vector index at {self.path} is corrupt or unreadable ({reason}); "
            "run `advisor kb reindex --full` to rebuild it"
        )

    def count(self) -> int:
        try:
            return int(self.collection.count())
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

    def all_ids(self) -> list[str]:
        ids: list[str] = []
        offset = 0
        try:
            while True:
                got = self.collection.get(include=[], limit=5000, offset=offset)["ids"]
                ids += got
                if len(got) < 5000:
                    return ids
                offset += len(got)
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

    def upsert(self, ids: list[str], embeddings: Any, metadatas: list[dict[str, Any]]) -> None:
        if not ids:
            return
        try:
            self.collection.upsert(ids=ids, embeddings=embeddings, metadatas=metadatas)
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

    def delete(self, ids: list[str]) -> None:
        try:
            for i in range(0, len(ids), 5000):
                self.collection.delete(ids=ids[i : i + 5000])
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

    def query(
        self, embedding: Any, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, float]]:
        """[(chunk_id, cosine similarity)], best first."""
        try:
            res = self.collection.query(
                query_embeddings=[embedding], n_results=n, where=where, include=["distances"]
            )
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(ids, dists)]

    def reset(self) -> None:
        """Drop and recreate the collection (for a full reindex)."""
        try:
            try:
                self.client.delete_collection(COLLECTION)
            except Exception:  # noqa: BLE001 - absent already
                pass
            self.collection = self.client.get_or_create_collection(
                COLLECTION, embedding_function=self._ef, configuration={"hnsw": {"space": "cosine"}}
            )
        except Exception as exc:  # noqa: BLE001
            raise self._error(exc) from None

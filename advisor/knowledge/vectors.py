"""The vector index the knowledge base needs, as a Protocol, so that the store behind it can change.

Texts, hashes and the BM25 index live in the SQLite catalog; a vector index holds one unit vector
per chunk id, with the little metadata search filters on (kind, topics), and can always be
rebuilt from the catalog. Its one implementation is `chroma.ChromaIndex`, chosen in
`stores.Stores.open_vectors`: another store is one module like it plus that line.

Every method raises StorageError (one line for the user) when the store cannot be used; for a
local store that is damaged, the line says to run `advisor kb reindex --full`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    Vector = NDArray[np.float32]  # one embedding
    Matrix = NDArray[np.float32]  # embeddings, one a row


@dataclass(frozen=True)
class VectorMeta:
    """What a chunk's vector is filtered by: its source, the source's kind and topics."""

    source_id: str
    kind: str
    topics: tuple[str, ...] = ()


class VectorIndex(Protocol):
    def count(self) -> int:
        """How many vectors the index holds."""
        ...

    def ids(self) -> list[str]:
        """Every chunk id in the index (any order)."""
        ...

    def upsert(self, ids: Sequence[str], embeddings: Matrix, metas: Sequence[VectorMeta]) -> None:
        """Insert or replace vectors (`embeddings[i]` is `ids[i]`'s, described by `metas[i]`)."""
        ...

    def vectors(self, ids: Sequence[str]) -> dict[str, Vector]:
        """The stored vectors of some chunk ids ({id: vector}; ids it does not hold are left out)."""
        ...

    def delete(self, ids: Sequence[str]) -> None:
        """Remove vectors; ids the index does not hold are ignored."""
        ...

    def query(
        self, embedding: Vector, n: int, kind: str | None = None, topics: Sequence[str] | None = None
    ) -> list[tuple[str, float]]:
        """The n nearest chunks as [(chunk_id, cosine similarity)], best first; only chunks of
        `kind`, and (when given) of a source with at least one of `topics`."""
        ...

    def wipe(self) -> None:
        """Empty the index for a full rebuild, whatever state it is in (even unreadable)."""
        ...

    def close(self) -> None:
        """Release the connection (the index is not used after)."""
        ...

"""The team's Chroma server (`knowledge.chroma_url`): the connection and the two collections.

- `advisor_team`: every member's shared passages, id `<home id>:<chunk id>@<text hash>`, with
  their text (the document), vector and metadata (owner, owner_name, added_at, source_id, title,
  location, heading, topics). Ids carry the text's hash, so a changed passage is a new id and a
  mirror stays right by comparing id lists. Every delete is scoped to `where={"owner": me}`.
- `advisor_cards`: vectors of the curated cards' passages keyed by a hash of the model and the
  text, added with `add()` (insert-if-absent), so each card is embedded once per server.

The stock HttpClient waits forever on a peer that accepts and never answers, so a 2 s pre-flight
heartbeat comes first and the client's httpx session gets finite timeouts. Token auth (the
Python server, `uvicorn chromadb.app:app`) is refused at connection: one StorageError line.
Imported only when the team is first used (chromadb is heavy).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlparse

import chromadb
import httpx
from chromadb.api import ClientAPI
from chromadb.api.models.Collection import Collection
from chromadb.api.types import Embedding, Metadata, Where
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import ChromaAuthError

from advisor.errors import StorageError
from advisor.knowledge.chroma import TOPIC_PREFIX, where_clause
from advisor.knowledge.team_store import TeamPassage

if TYPE_CHECKING:
    from pydantic import SecretStr

    from advisor.knowledge.vectors import Matrix, Vector

TEAM_COLLECTION = "advisor_team"
CARDS_COLLECTION = "advisor_cards"
PROBE_S = 2.0  # the pre-flight heartbeat, and connecting
CALL_S = 20.0  # any later request
PAGE = 1000  # records read per call


class TeamUnavailable(StorageError):
    """The server cannot be reached now; the caller carries on with the home's own index."""


class TeamServer:
    """One connection to the team server; connects on `open()`, every failure one line."""

    def __init__(self, url: str, token: SecretStr | None) -> None:
        self.url = url if "://" in url else f"http://{url}"
        self._token = token
        self._client: ClientAPI | None = None
        self.team: Collection | None = None
        self.cards: Collection | None = None

    def open(self) -> None:
        u = urlparse(self.url)
        try:
            httpx.get(self.url.rstrip("/") + "/api/v2/heartbeat", timeout=PROBE_S).raise_for_status()
        except httpx.HTTPError as exc:
            raise TeamUnavailable(f"team server at {self.url} is unreachable ({_reason(exc)})") from None
        extra: dict[str, Any] = {}
        if self._token is not None:
            extra = {"chroma_client_auth_provider": "chromadb.auth.token_authn.TokenAuthClientProvider",
                     "chroma_client_auth_credentials": self._token.get_secret_value()}
        try:
            client = chromadb.HttpClient(
                host=u.hostname or "127.0.0.1", port=u.port or (443 if u.scheme == "https" else 8000),
                ssl=u.scheme == "https", settings=ChromaSettings(anonymized_telemetry=False, **extra),
            )
        except ChromaAuthError:
            raise StorageError(
                f"the team server at {self.url} refused the token (knowledge.chroma_token, ADVISOR_CHROMA_TOKEN)"
            ) from None
        except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError, httpx errors and its own
            raise TeamUnavailable(f"team server at {self.url} is unreachable ({_reason(exc)})") from None
        session = getattr(getattr(client, "_server", None), "_session", None)
        if isinstance(session, httpx.Client):  # a private attribute of chromadb's FastAPI client
            session.timeout = httpx.Timeout(CALL_S, connect=PROBE_S)
        self._client = client
        with self.faults():
            self.team = client.get_or_create_collection(TEAM_COLLECTION, configuration={"hnsw": {"space": "cosine"}})
            self.cards = client.get_or_create_collection(CARDS_COLLECTION, configuration={"hnsw": {"space": "cosine"}})

    @property
    def identity(self) -> str:
        """What a mirror of this server is a copy of: the url and the team collection's id."""
        return f"{self.url}|{self._team().id}"

    def _team(self) -> Collection:
        if self.team is None:
            raise TeamUnavailable(f"team server at {self.url} is not connected")
        return self.team

    @contextmanager
    def faults(self) -> Iterator[None]:
        """A failed request (server gone, restarted, timed out) as one TeamUnavailable line."""
        try:
            yield
        except StorageError:
            raise
        except ChromaAuthError:
            raise StorageError(f"the team server at {self.url} refused the token") from None
        except Exception as exc:  # noqa: BLE001 - the fault boundary: httpx, chromadb and JSON errors
            raise TeamUnavailable(f"team server at {self.url} failed ({_reason(exc)})") from None

    # ------------------------------------------------------------------ own passages
    def owned(self, owner: str) -> dict[str, str]:
        """{id: source_id} of every passage `owner` uploaded."""
        out: dict[str, str] = {}
        with self.faults():
            while True:
                got = self._team().get(where={"owner": owner}, include=["metadatas"], limit=PAGE, offset=len(out))
                for i, m in zip(got["ids"], got["metadatas"] or [], strict=True):
                    out[i] = str(m.get("source_id", ""))
                if len(got["ids"]) < PAGE:
                    return out

    def upload(self, passages: Sequence[TeamPassage], embeddings: Matrix) -> None:
        with self.faults():
            for i in range(0, len(passages), PAGE):
                part = passages[i : i + PAGE]
                self._team().upsert(
                    ids=[p.id for p in part], embeddings=embeddings[i : i + PAGE],
                    documents=[p.text for p in part], metadatas=[_metadata(p) for p in part],
                )

    def delete_owned(self, ids: Sequence[str], owner: str) -> None:
        """Delete passages of `owner` only: an id of another home is never touched."""
        with self.faults():
            for i in range(0, len(ids), PAGE):
                self._team().delete(ids=list(ids[i : i + PAGE]), where={"owner": owner})

    # ------------------------------------------------------------------ the others' passages
    def others_ids(self, owner: str) -> set[str]:
        ids: list[str] = []
        with self.faults():
            while True:
                got = self._team().get(where=_not_owner(owner), include=[], limit=PAGE * 5, offset=len(ids))
                ids += got["ids"]
                if len(got["ids"]) < PAGE * 5:
                    return set(ids)

    def passages(self, ids: Sequence[str]) -> list[TeamPassage]:
        out: list[TeamPassage] = []
        with self.faults():
            for i in range(0, len(ids), PAGE):
                got = self._team().get(ids=list(ids[i : i + PAGE]), include=["documents", "metadatas"])
                for pid, doc, m in zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True):
                    out.append(_from_record(pid, doc, m))
        return out

    def query(self, embedding: Vector, n: int, owner: str, topics: Sequence[str] | None) -> list[tuple[str, float]]:
        """The n nearest passages other members shared: [(id, cosine similarity)], best first."""
        parts: list[Where] = [_not_owner(owner)]
        extra = where_clause(None, topics)
        if extra is not None:
            parts.append(extra)
        where: Where = parts[0] if len(parts) == 1 else {"$and": parts}
        with self.faults():
            res = self._team().query(query_embeddings=[cast(Embedding, embedding)], n_results=n, where=where,
                                     include=["distances"])
        dists = (res.get("distances") or [[]])[0]
        return [(i, 1.0 - float(d)) for i, d in zip(res["ids"][0], dists, strict=True)]

    # ------------------------------------------------------------------ curated card vectors
    def card_vectors(self, keys: Sequence[str]) -> dict[str, Vector]:
        """Card vectors by key. They are read from metadata (float32 bytes, base64): chromadb's
        Python server (the one with token auth) fails on `get(include=["embeddings"])`."""
        if self.cards is None or not keys:
            return {}
        import numpy as np

        with self.faults():
            got = self.cards.get(ids=list(keys), include=["metadatas"])
        out: dict[str, Vector] = {}
        for key, meta in zip(got["ids"], got["metadatas"] or [], strict=True):
            packed = (meta or {}).get("vector")
            if isinstance(packed, str):
                out[key] = np.frombuffer(base64.b64decode(packed), dtype=np.float32)
        return out

    def add_card_vectors(self, keys: Sequence[str], embeddings: Matrix) -> None:
        """Insert-if-absent: when two homes upload the same card at once, one copy stays."""
        if self.cards is None or not keys:
            return
        metas: list[Metadata] = [{"kind": "card", "vector": base64.b64encode(e.astype("float32").tobytes()).decode()}
                                 for e in embeddings]
        with self.faults():
            self.cards.add(ids=list(keys), embeddings=embeddings, metadatas=metas)

    def close(self) -> None:
        self._client = self.team = self.cards = None


def _not_owner(owner: str) -> Where:
    ne: dict[Literal["$ne"], str] = {"$ne": owner}
    return cast(Where, {"owner": ne})


def _metadata(p: TeamPassage) -> Metadata:
    out: dict[str, str | bool] = {
        "owner": p.owner, "owner_name": p.owner_name, "added_at": p.added_at or "", "source_id": p.source_id,
        "kind": "note", "title": p.title, "location": p.location, "heading": p.heading,
        "topics": json.dumps(list(p.topics)),
    }
    for topic in p.topics:
        out[TOPIC_PREFIX + topic] = True
    return out


def _from_record(pid: str, doc: str | None, m: Any) -> TeamPassage:
    m = m or {}
    return TeamPassage(
        id=pid, owner=str(m.get("owner", "")), owner_name=str(m.get("owner_name", "") or "someone"),
        added_at=str(m.get("added_at") or "") or None, source_id=str(m.get("source_id", "")),
        title=str(m.get("title", "")), location=str(m.get("location", "")), heading=str(m.get("heading", "")),
        text=doc or "", topics=tuple(json.loads(str(m.get("topics") or "[]"))),
    )


def _reason(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return text or type(exc).__name__

"""The team knowledge base: this home's shared notes on the team's Chroma server, and the other
members' shared notes found by search, each marked with who added it.

Notes are private unless shared (`advisor notes add --team`, or `knowledge.share_by_default`).
The home's own index (embedded Chroma + the SQLite catalog) keeps every note, shared or not; the
server holds the shared ones (text, vector, metadata), and a local mirror of the others' texts
(`team_store.py`) gives them BM25 ranking. On the first use in a process the home connects,
uploads what waits (`push`: repair scoped to its own ids) and refreshes the mirror (`pull`).
When the server cannot be reached, `notice` says so in one line and search carries on with the
home's own index; shared notes wait in `team.sqlite3` for the next connection.
"""

from __future__ import annotations

import getpass
import hashlib
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, Field

from advisor.knowledge.indexer import now
from advisor.knowledge.team_store import TEAM_FILE, TeamPassage, TeamStore

if TYPE_CHECKING:
    from advisor.knowledge.embedder import Embedder
    from advisor.knowledge.stores import Stores
    from advisor.knowledge.team_server import TeamServer
    from advisor.knowledge.vectors import Matrix, Vector

RETRY_S = 30.0  # after a failure, the server is tried again after this long (a long-lived TUI)
Ranking = list[tuple[str, float]]
Connection = Literal["off", "unknown", "online", "offline"]


class TeamStatus(BaseModel):
    """What `advisor kb status` says about the team server."""

    url: str | None = Field(default=None, description="The team server, or None when there is none.")
    state: Connection = "off"
    notice: str | None = Field(default=None, description="Why the server is not in use, in one line.")
    member: str = ""
    shared: int = Field(default=0, description="This home's shared notes.")
    pending: int = Field(default=0, description="Shared notes waiting to upload.")
    team_passages: int = Field(default=0, description="Passages of other members mirrored here.")


def member_name(configured: str | None) -> str:
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "someone"


class Team:
    """The team half of one home's knowledge base; connects on first use, at most once."""

    def __init__(self, stores: Stores) -> None:
        self.stores = stores
        ks = stores.settings.knowledge
        self.url = ks.chroma_url
        self.member = member_name(ks.member_name)
        self._store: TeamStore | None = None
        self._server: TeamServer | None = None
        self.state: Connection = "unknown" if self.url else "off"
        self.notice: str | None = None
        self._failed_at = 0.0

    @property
    def store(self) -> TeamStore:
        if self._store is None:
            self._store = TeamStore(self.stores.settings.home / TEAM_FILE)
        return self._store

    # ------------------------------------------------------------------ connection
    def online(self) -> bool:
        """Connect (once), upload what waits and refresh the mirror; False when the server is not
        configured or cannot be reached (then `notice` says why); retried `RETRY_S` after a failure."""
        if self.state == "offline" and time.monotonic() - self._failed_at >= RETRY_S:
            self.state = "unknown"
        if self.state == "unknown":
            from advisor.knowledge.team_server import TeamServer, TeamUnavailable

            assert self.url is not None
            server = TeamServer(self.url, self.stores.settings.knowledge.chroma_token)
            try:
                server.open()
                self._server = server
                self.state = "online"
                self.push()
                self.pull()
                self.notice = None
            except TeamUnavailable as exc:
                self._offline(exc.message)
        return self.state == "online"

    def _offline(self, reason: str) -> None:
        self.state = "offline"
        self.notice = reason
        self._failed_at = time.monotonic()
        if self._server is not None:
            self._server.close()
            self._server = None

    def _guard(self) -> TeamServer:
        assert self._server is not None
        return self._server

    # ------------------------------------------------------------------ sharing
    def share(self, source_ids: Sequence[str]) -> None:
        """Mark notes shared; they upload now if the server is up, else on the next connection."""
        self.store.share(source_ids, now())
        self.sync()

    def unshare(self, source_id: str) -> bool:
        found = self.store.unshare(source_id)
        self.sync()
        return found

    def is_shared(self, source_id: str) -> bool:
        return source_id in self.store.shared()

    def sync(self) -> None:
        """After the home's notes changed: push the difference (when the server is up)."""
        if self.state == "unknown":
            self.online()  # connecting pushes
        elif self.state == "online":
            self._safely(self.push)

    def _safely(self, step: Callable[[], None]) -> None:
        from advisor.knowledge.team_server import TeamUnavailable

        try:
            step()
        except TeamUnavailable as exc:
            self._offline(exc.message)

    def push(self) -> None:
        """Make the server hold exactly this home's shared passages, touching only its own ids.

        Uploads shared notes whose passages are missing (new, changed, or waiting from offline);
        deletes its own passages of notes no longer shared, removed, or changed. A shared note
        whose file is gone from this home stays on the server (nothing is lost by a lost folder).
        """
        server, store, cat = self._guard(), self.store, self.stores.catalog
        me = store.home_id
        shared = store.shared()
        present = {r["source_id"]: r for r in cat.sources("note") if r["status"] == "indexed"}
        want: dict[str, TeamPassage] = {}
        for sid in shared:
            if sid in present:
                for p in self._own_passages(sid, present[sid]["added_at"]):
                    want[p.id] = p
        have = server.owned(me)
        gone = [i for i, sid in have.items() if i not in want and (sid not in shared or sid in present)]
        if gone:
            server.delete_owned(gone, me)
        new = [p for i, p in want.items() if i not in have]
        if new:
            server.upload(new, self._vectors(new))
        store.mark_uploaded([sid for sid in shared if sid in present and shared[sid] is None], now())

    def _own_passages(self, sid: str, added_at: str | None) -> list[TeamPassage]:
        import json

        cat, me = self.stores.catalog, self.store.home_id
        out = []
        for r in cat.iter_chunks(cat.chunk_ids(sid)):
            digest = hashlib.sha256(r["text"].encode()).hexdigest()[:12]
            loc = r["location"]
            out.append(TeamPassage(
                id=f"{me}:{r['chunk_id']}@{digest}", owner=me, owner_name=self.member, added_at=added_at,
                source_id=sid, title=r["title"], location=loc, heading=loc[2:] if loc.startswith("§ ") else "",
                text=r["text"], topics=tuple(json.loads(r["topics"] or "[]")),
            ))
        return out

    def _vectors(self, passages: Sequence[TeamPassage]) -> Matrix:
        """The passages' vectors from the home's own index (embedded already), else embedded now."""
        chunk_ids = [p.id.split(":", 1)[1].rsplit("@", 1)[0] for p in passages]
        found = self.stores.dense.vectors(chunk_ids)
        missing = [i for i, c in enumerate(chunk_ids) if c not in found]
        if missing:
            from advisor.knowledge.indexer import embed_text

            texts = [embed_text(passages[i].title, passages[i].location, passages[i].text) for i in missing]
            for i, vec in zip(missing, self.stores.embedder.embed(texts), strict=True):
                found[chunk_ids[i]] = vec
        import numpy as np

        return np.asarray([found[c] for c in chunk_ids], dtype=np.float32)

    def pull(self) -> None:
        """Bring the mirror of the other members' passages in step with the server (by ids: a
        changed passage has a new id)."""
        server, store = self._guard(), self.store
        store.reset_mirror(server.identity)
        there = server.others_ids(store.home_id)
        here = store.mirror_ids()
        new = sorted(there - here)
        store.mirror_update(server.passages(new) if new else [], sorted(here - there))

    # ------------------------------------------------------------------ search
    def dense(self, embedding: Vector, n: int, topics: Sequence[str] | None) -> Ranking:
        if not self.online():
            return []
        hits: Ranking = []

        def ask() -> None:
            nonlocal hits
            hits = self._guard().query(embedding, n, self.store.home_id, topics)

        self._safely(ask)
        return hits

    def lexical(self, query: str, n: int, topics: Sequence[str] | None) -> Ranking:
        """BM25 over the mirror (works offline too, over what was last pulled)."""
        if self.state == "off":
            return []
        return self.store.lexical_search(query, n, topics)

    def passages(self, ids: Sequence[str]) -> dict[str, TeamPassage]:
        """Team passages by id: from the mirror, else (new since the last pull) from the server."""
        if self.state == "off" or not ids:
            return {}
        found = self.store.mirror_passages(ids)
        missing = [i for i in ids if i not in found]
        if missing and self.state == "online":
            def fetch() -> None:
                got = self._guard().passages(missing)
                self.store.mirror_update(got, [])
                found.update({p.id: p for p in got})

            self._safely(fetch)
        return found

    # ------------------------------------------------------------------ curated cards, once per server
    def embed_cards(self, texts: list[str], embedder: Embedder) -> Matrix:
        """Card passages' vectors: those on the server already are reused, the others are
        embedded here and added (insert-if-absent), keyed by a hash of the model and the text."""
        if not texts or not self.online():
            return embedder.embed(texts)
        import numpy as np

        from advisor.knowledge.embedder import MODEL_ID
        from advisor.knowledge.team_server import TeamUnavailable

        keys = [hashlib.sha256(f"{MODEL_ID}\0{t}".encode()).hexdigest()[:32] for t in texts]
        server = self._guard()
        try:
            cached = server.card_vectors(keys)
            todo = sorted({k: i for i, k in enumerate(keys) if k not in cached}.values())
            if todo:
                fresh = embedder.embed([texts[i] for i in todo])
                server.add_card_vectors([keys[i] for i in todo], fresh)
                cached.update({keys[i]: v for i, v in zip(todo, fresh, strict=True)})
        except TeamUnavailable as exc:
            self._offline(exc.message)
            return embedder.embed(texts)
        return np.asarray([cached[k] for k in keys], dtype=np.float32)

    # ------------------------------------------------------------------ status
    def status(self) -> TeamStatus:
        if self.state == "off":
            return TeamStatus()
        self.online()
        shared = self.store.shared()
        n_mirror = len(self.store.mirror_ids())
        return TeamStatus(url=self.url, state=self.state, notice=self.notice, member=self.member,
                          shared=len(shared), pending=sum(1 for v in shared.values() if v is None),
                          team_passages=n_mirror)

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._store is not None:
            self._store.close()
            self._store = None
        if self.state != "off":
            self.state = "unknown"

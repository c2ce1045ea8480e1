"""What the history search indexes: every searchable thing as a `Doc`, read from its store.

A doc is one piece of text with the thing it opens (its `target`): a journal entry (what it was
about, with whom, each belief's statement and reason, before and after), a belief (its
statement), a session (its topic) and each of its turns (both sides), and each passage of a
note or a curated card. Reading them is cheap and has no side effects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal

from advisor.journal.models import fmt_credence

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore
    from advisor.knowledge.base import KnowledgeBase
    from advisor.knowledge.models import IndexedSource
    from advisor.session.store import SessionStore

Kind = Literal["session", "journal", "belief", "note", "card"]
KINDS: tuple[Kind, ...] = ("session", "journal", "belief", "note", "card")

#: Groups of docs synced by comparing each doc (the journal's and the sessions'); the knowledge
#: base's are synced a source at a time, in groups named KB_GROUP + source id.
JOURNAL_GROUP, SESSIONS_GROUP, KB_GROUP = "journal", "sessions", "kb:"


@dataclass(frozen=True)
class Doc:
    key: str  # unique in the index: "entry:3", "belief:5", "session:2", "turn:17", "chunk:<chunk id>"
    group: str  # what is synced together
    kind: Kind
    target: str  # what a result opens: "entry:3", "belief:5", "session:2", "note:<id>", "card:<path>"
    label: str  # how a result names it
    title: str  # indexed, and weighted above the body
    body: str
    day: date | None = None  # when it happened or was written (None: a curated card)
    place: str = ""  # where inside the target: "you, Explore", "§ Core problems"

    @property
    def stamp(self) -> str:
        """Changes whenever anything indexed or shown about the doc changes."""
        parts = (self.kind, self.target, self.label, self.title, self.body, str(self.day), self.place)
        return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()


def journal_docs(store: JournalStore) -> Iterator[Doc]:
    """Each entry (about, with whom, every belief's statement and reason) and each belief."""
    for entry in store.list_entries():
        lines = []
        company = " · ".join(x for x in (entry.with_whom and f"with {entry.with_whom}", entry.medium) if x)
        if company:
            lines.append(company)
        for b in store.pre_beliefs(entry.id):
            lines.append(f"before: {b.statement} ({fmt_credence(b.credence)})" + (f" — {b.reason}" if b.reason else ""))
        for bid, rating in store.post_ratings(entry.id).items():
            said = "dropped" if rating.dropped else fmt_credence(rating.credence)
            statement = store.get_belief(bid).statement
            lines.append(f"after: {statement} ({said})" + (f" — {rating.reason}" if rating.reason else ""))
        yield Doc(key=f"entry:{entry.id}", group=JOURNAL_GROUP, kind="journal", target=f"entry:{entry.id}",
                  label=f"Journal entry #{entry.id}: {entry.about}", title=entry.about, body=" · ".join(lines),
                  day=entry.on)
    for belief in store.all_beliefs():
        yield Doc(key=f"belief:{belief.id}", group=JOURNAL_GROUP, kind="belief", target=f"belief:{belief.id}",
                  label=f"Belief #{belief.id}", title=belief.statement, body="",
                  day=belief.created_at.date())


WHO = {"user": "you", "advisor": "advisor"}


def session_docs(sessions: SessionStore) -> Iterator[Doc]:
    """Each session (its topic) and each of its turns, yours and the advisor's (not notices)."""
    for record in sessions.list():
        name = "Question" if record.kind == "ask" else "Session"
        label = f"{name} #{record.id}: {record.topic}"
        target = f"session:{record.id}"
        yield Doc(key=target, group=SESSIONS_GROUP, kind="session", target=target, label=label,
                  title=record.topic, body="", day=record.created_at.date())
        for turn in sessions.turns(record.id):
            if turn.role not in WHO:
                continue
            yield Doc(key=f"turn:{turn.id}", group=SESSIONS_GROUP, kind="session", target=target, label=label,
                      title="", body=turn.content, day=turn.created_at.date(),
                      place=f"{WHO[turn.role]}, {turn.stage}")


def knowledge_docs(kb: KnowledgeBase, source: IndexedSource) -> list[Doc]:
    """Each passage of one note or curated card."""
    if source.kind == "note":
        kind: Kind = "note"
        target = "note:" + source.source_id.removeprefix("note:")
        label = f"Note: {source.title}"
        day = date.fromisoformat(source.added_at[:10]) if source.added_at else None
    else:
        kind, target, label, day = "card", "card:" + source.source_id.removeprefix("curated:"), f"Card: {source.title}", None
    return [
        Doc(key="chunk:" + p.chunk_id, group=KB_GROUP + source.source_id, kind=kind, target=target, label=label,
            title=p.title, body=p.text, day=day, place=p.location)
        for p in kb.source_passages(source.source_id)
    ]


def open_command(target: str) -> str:
    """The command that shows a result's target in the terminal."""
    what, _, ident = target.partition(":")
    return {
        "entry": f"advisor journal show {ident}",
        "belief": f"advisor beliefs show {ident}",
        "session": f"advisor session show {ident}",
        "note": f"advisor notes show {ident}",
        "card": f"advisor cards {ident}",
    }[what]

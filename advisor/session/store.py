"""Sessions and their turns, in the journal's SQLite file (tables from advisor/session/migrations.py).

Every turn is committed as it happens, so a session killed mid-turn resumes from the last saved
turn; the user's message is saved before the model is called.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

from advisor.errors import UsageError
from advisor.session.migrations import migrate_sessions
from advisor.session.recent import RECENT_SQL

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore

Role = Literal["user", "advisor", "notice"]
TurnStatus = Literal["ok", "error", "partial"]
SessionKind = Literal["session", "ask"]


def _now() -> str:
    return datetime.now(UTC).isoformat()


class SessionModel(BaseModel):
    """Validation is built on first use, not at import: Home imports this module for its list of
    recent sessions before its data is drawn, and a home without sessions never builds it."""

    model_config = ConfigDict(defer_build=True)


class Citation(SessionModel):
    n: int
    title: str
    location: str = ""
    source: str = ""
    kind: str = "curated"
    chunk_id: str = ""


class ToolCall(SessionModel):
    """One tool the model called while writing a turn: what it asked for and what it got back."""

    name: str
    args: dict[str, Any] = Field(default_factory=dict)
    result: str = ""


class Turn(SessionModel):
    id: int
    session_id: int
    stage: str
    role: Role
    content: str
    citations: list[Citation] = Field(default_factory=list)
    status: TurnStatus = "ok"
    created_at: datetime
    tool_calls: list[ToolCall] = Field(default_factory=list)
    #: What the checks on a reply found: "agreement", "flattery", "invalid-citation [4]", ...
    flags: list[str] = Field(default_factory=list)


class ProposalState(TypedDict, total=False):
    """A belief read from free text, waiting for /accept (a BeliefProposal as saved); a proposed
    update of a journal belief carries its id."""

    statement: str
    credence: float | None
    reason: str
    belief_id: int | None


class QuestionState(TypedDict):
    """A question the user posed (`asked` of the advisor, or `dangling` in their own reasoning)."""

    text: str  # verbatim
    kind: str
    stage: str
    answered_by: str  # "" while open; "you" or "the knowledge base"


class SessionState(TypedDict, total=False):
    """What a session remembers between turns (saved as JSON with the session)."""

    questions: list[str]  # dangling questions the user left (kept for older sessions)
    open_questions: list[QuestionState]  # every question the user posed, tracked to the summary
    cruxes: list[str]
    crux_answers: list[str]  # the user's answers to "what would change your mind?"
    tools_off: bool  # the endpoint refused tool calls: the engine retrieves instead
    frame: list[str]  # what the user said in the Frame stage
    proposals: list[ProposalState]
    pending_statement: str  # a belief waiting for its credence
    after_current: int  # the belief being re-rated
    after_skipped: list[int]
    kb_warned: bool  # the knowledge-base fault was shown once
    guide_counter: int  # rotates guide questions
    before_counter: int


class SessionRecord(SessionModel):
    id: int
    kind: SessionKind = "session"
    topic: str
    stage: str
    status: Literal["active", "complete"] = "active"
    provider: str = ""
    model_label: str = ""
    entry_id: int | None = None
    state: SessionState = Field(default_factory=lambda: SessionState())
    summary: dict[str, Any] | None = None
    created_at: datetime
    updated_at: datetime


class SessionStore:
    """Session SQL over a JournalStore: shares its connection and transactions, owns its own tables
    (brought up to date when the store is opened)."""

    def __init__(self, journal: JournalStore) -> None:
        self.journal = journal
        migrate_sessions(journal.conn)

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[dict[str, Any]]:
        cur = self.journal.conn.execute(sql, params)
        cols = [c[0] for c in cur.description]
        return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]

    @staticmethod
    def _session(row: dict[str, Any]) -> SessionRecord:
        row = dict(row)
        row["state"] = json.loads(row.get("state") or "{}")
        row["summary"] = json.loads(row["summary"]) if row.get("summary") else None
        return SessionRecord.model_validate(row)

    def create(self, topic: str, stage: str, *, kind: SessionKind = "session", provider: str = "",
               model_label: str = "") -> SessionRecord:
        topic = " ".join((topic or "").split())
        if not topic:
            raise UsageError('say what the session is about: --topic "..."')
        with self.journal.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO sessions (kind, topic, stage, provider, model_label, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (kind, topic, stage, provider, model_label, _now(), _now()),
            )
            sid = cur.lastrowid
        assert sid is not None
        return self.get(sid)

    def get(self, session_id: int) -> SessionRecord:
        rows = self._rows("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise UsageError(f"no session #{session_id} (see `advisor session list`)")
        return self._session(rows[0])

    def recent(self, limit: int = 30) -> list[SessionRecord]:
        """Reflection sessions (not one-off `ask`s), most recently active first."""
        return [self._session(r) for r in self._rows(RECENT_SQL, (limit,))]

    def update(self, session_id: int, **fields: object) -> SessionRecord:
        allowed = {"stage", "status", "provider", "model_label", "entry_id", "state", "summary"}
        bad = set(fields) - allowed
        if bad:
            raise ValueError(f"cannot update {sorted(bad)}")
        values: list[object] = []
        for key, value in fields.items():
            if key in ("state", "summary") and value is not None:
                value = json.dumps(value, ensure_ascii=False)
            values.append(value)
        sets = ", ".join(f"{k} = ?" for k in fields) + ", updated_at = ?"
        with self.journal.transaction() as conn:
            conn.execute(f"UPDATE sessions SET {sets} WHERE id = ?", (*values, _now(), session_id))
        return self.get(session_id)

    def add_turn(self, session_id: int, stage: str, role: Role, content: str,
                 citations: list[Citation] | None = None, status: TurnStatus = "ok", *,
                 tool_calls: list[ToolCall] | None = None, flags: list[str] | None = None) -> Turn:
        cites = json.dumps([c.model_dump() for c in citations or []], ensure_ascii=False)
        calls = json.dumps([c.model_dump() for c in tool_calls or []], ensure_ascii=False)
        with self.journal.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO turns (session_id, stage, role, content, citations, status, created_at,"
                " tool_calls, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (session_id, stage, role, content, cites, status, _now(), calls,
                 json.dumps(flags or [], ensure_ascii=False)),
            )
            conn.execute("UPDATE sessions SET updated_at = ? WHERE id = ?", (_now(), session_id))
            tid = cur.lastrowid
        assert tid is not None
        return self.turns(session_id, turn_id=tid)[0]

    def turns(self, session_id: int, turn_id: int | None = None) -> list[Turn]:
        sql = "SELECT * FROM turns WHERE session_id = ?"
        params: tuple[object, ...] = (session_id,)
        if turn_id is not None:
            sql += " AND id = ?"
            params += (turn_id,)
        out = []
        for row in self._rows(sql + " ORDER BY id", params):
            row["citations"] = json.loads(row["citations"] or "[]")
            row["tool_calls"] = json.loads(row.get("tool_calls") or "[]")
            row["flags"] = json.loads(row.get("flags") or "[]")
            out.append(Turn.model_validate(row))
        return out

    # last, so that `list` in the annotations above is the builtin, not this method
    def list(self) -> list[SessionRecord]:
        """Every session, oldest first."""
        return [self._session(r) for r in self._rows("SELECT * FROM sessions ORDER BY id")]

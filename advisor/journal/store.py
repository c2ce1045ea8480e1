"""The journal store: one SQLite file (WAL, foreign keys on), every write in one transaction."""

from __future__ import annotations

import difflib
import re
import sqlite3
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from advisor.errors import UsageError
from advisor.journal import views
from advisor.journal.database import Database
from advisor.journal.models import (
    Belief,
    BeliefHistory,
    BeliefSummary,
    BeliefView,
    Entry,
    EntryDiff,
    Rating,
    validate_credence,
)
from advisor.journal.rows import BELIEFS_SQL, ENTRIES_SQL

#: How alike two statements must be (0–1) before the journal offers the existing one.
SIMILARITY_THRESHOLD = 0.72

OUTCOMES = ("yes", "no", "ambiguous")  # what a belief can resolve as


def now() -> datetime:
    return datetime.now(UTC)


def normalize_statement(text: str) -> str:
    """Case, spacing and end punctuation don't make a different belief."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".!?").strip().casefold()


def clean_statement(text: object, *, where: str = "statement") -> str:
    if not isinstance(text, str) or not text.strip():
        raise UsageError(f"{where} is empty; a belief needs a statement")
    return re.sub(r"\s+", " ", text).strip()


class JournalStore(Database):
    """Entries, beliefs and ratings in one SQLite file. Open with `JournalStore.open(path)`."""

    # ------------------------------------------------------------------- entries
    def create_entry(
        self,
        about: str,
        kind: str = "person",
        with_whom: str | None = None,
        medium: str | None = None,
        occurred_on: date | None = None,
    ) -> Entry:
        if not about or not about.strip():
            raise UsageError("say what the conversation is about (--about)")
        if kind not in ("person", "advisor"):
            raise UsageError(f"entry kind must be 'person' or 'advisor', not {kind!r}")
        with self.transaction() as conn:
            cur = conn.execute(
                "INSERT INTO entries (kind, about, with_whom, medium, occurred_on, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (
                    kind,
                    about.strip(),
                    with_whom,
                    medium,
                    occurred_on.isoformat() if occurred_on else None,
                    now().isoformat(),
                ),
            )
            entry_id = _inserted_id(cur)
        return self.get_entry(entry_id)

    def get_entry(self, entry_id: int) -> Entry:
        row = self._one("SELECT * FROM entries WHERE id = ?", (entry_id,))
        if row is None:
            raise UsageError(f"no journal entry #{entry_id} (see `advisor journal list`)")
        return Entry.model_validate(dict(row))

    def list_entries(self) -> list[Entry]:
        return [
            Entry.model_validate(dict(r))
            for r in self._all(ENTRIES_SQL)
        ]

    def entry_counts(self, entry_id: int) -> tuple[int, int]:
        """(pre ratings, post ratings) of an entry."""
        row = self.conn.execute(
            "SELECT SUM(phase = 'pre'), SUM(phase = 'post') FROM ratings WHERE entry_id = ?",
            (entry_id,),
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    # ------------------------------------------------------------------- beliefs
    def get_belief(self, belief_id: int) -> Belief:
        row = self._one("SELECT * FROM beliefs WHERE id = ?", (belief_id,))
        if row is None:
            raise UsageError(f"no belief #{belief_id} (see `advisor beliefs`)")
        return Belief.model_validate(dict(row))

    def all_beliefs(self) -> list[Belief]:
        return [Belief.model_validate(dict(r)) for r in self._all(BELIEFS_SQL)]

    def find_belief(self, ref: str | int) -> Belief:
        """A belief by id (`7` or `#7`) or by a piece of its statement that matches only one."""
        text = str(ref).strip()
        if re.fullmatch(r"#?\d+", text):
            return self.get_belief(int(text.lstrip("#")))
        needle = normalize_statement(text)
        if not needle:
            raise UsageError("name a belief by its id or part of its statement")
        matches = [b for b in self.all_beliefs() if needle in normalize_statement(b.statement)]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UsageError(f"no belief matches {text!r} (see `advisor beliefs`)")
        ids = ", ".join(f"#{b.id}" for b in matches[:6])
        raise UsageError(f"{len(matches)} beliefs match {text!r} ({ids}); use the id")

    def exact_belief(self, statement: str) -> Belief | None:
        needle = normalize_statement(statement)
        for belief in self.all_beliefs():
            if normalize_statement(belief.statement) == needle:
                return belief
        return None

    def similar_beliefs(self, statement: str, limit: int = 3) -> list[tuple[Belief, float]]:
        """Existing beliefs whose statement is close to `statement`, most alike first."""
        needle = normalize_statement(statement)
        scored = []
        for belief in self.all_beliefs():
            ratio = difflib.SequenceMatcher(None, needle, normalize_statement(belief.statement)).ratio()
            if ratio >= SIMILARITY_THRESHOLD:
                scored.append((belief, ratio))
        scored.sort(key=lambda pair: -pair[1])
        return scored[:limit]

    def _belief_for(self, conn: sqlite3.Connection, statement: str, belief_id: int | None) -> int:
        if belief_id is not None:
            self.get_belief(belief_id)
            return belief_id
        statement = clean_statement(statement)
        existing = self.exact_belief(statement)
        if existing:
            return existing.id
        cur = conn.execute(
            "INSERT INTO beliefs (statement, created_at) VALUES (?, ?)", (statement, now().isoformat())
        )
        return _inserted_id(cur)

    def set_resolve_by(self, belief_id: int, resolve_by: date | None) -> Belief:
        self.get_belief(belief_id)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE beliefs SET resolve_by = ? WHERE id = ?",
                (resolve_by.isoformat() if resolve_by else None, belief_id),
            )
        return self.get_belief(belief_id)

    def resolve_belief(self, belief_id: int, outcome: str) -> Belief:
        return self.restore_resolution(belief_id, outcome, now())

    def restore_resolution(self, belief_id: int, resolution: str | None, resolved_at: datetime | None) -> Belief:
        """Set a belief's resolution as it was (None: open again), time included: what undoing a
        resolution made by mistake puts back, so calibration reads as if it never happened."""
        if resolution is not None and resolution not in OUTCOMES:
            raise UsageError(f"a resolution is yes, no or ambiguous, not {resolution!r}")
        self.get_belief(belief_id)
        with self.transaction() as conn:
            conn.execute(
                "UPDATE beliefs SET resolution = ?, resolved_at = ? WHERE id = ?",
                (resolution, resolved_at.isoformat() if resolved_at and resolution else None, belief_id),
            )
        return self.get_belief(belief_id)

    # ------------------------------------------------------------------- ratings
    def _insert_rating(
        self,
        conn: sqlite3.Connection,
        entry_id: int,
        belief_id: int,
        phase: str,
        credence: float | None,
        reason: str,
        dropped: bool = False,
        replace: bool = False,
    ) -> Rating:
        verb = "INSERT OR REPLACE" if replace else "INSERT"
        try:
            cur = conn.execute(
                f"{verb} INTO ratings (entry_id, belief_id, phase, credence, reason, dropped, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (entry_id, belief_id, phase, credence, (reason or "").strip(), int(dropped), now().isoformat()),
            )
        except sqlite3.IntegrityError:
            raise UsageError(
                f"belief #{belief_id} is already rated in the {phase} of entry #{entry_id}"
            ) from None
        row = self._one("SELECT * FROM ratings WHERE id = ?", (_inserted_id(cur),))
        assert row is not None  # inserted in this transaction
        return Rating.model_validate(dict(row))

    def add_pre_belief(
        self,
        entry_id: int,
        statement: str = "",
        credence: object = None,
        reason: str = "",
        belief_id: int | None = None,
        resolve_by: date | None = None,
    ) -> Rating:
        """Rate a belief (new, matched by statement, or by id) in an entry's pre; commits at once."""
        credence = validate_credence(credence)
        entry = self.get_entry(entry_id)
        if entry.post_status != "none":
            raise UsageError(f"entry #{entry_id} already has a post; its pre can no longer change")
        with self.transaction() as conn:
            bid = self._belief_for(conn, statement, belief_id)
            rating = self._insert_rating(conn, entry_id, bid, "pre", credence, reason)
            if resolve_by is not None:
                self.set_resolve_by(bid, resolve_by)
            return rating

    def create_pre_entry(
        self, about: str, beliefs: Sequence[dict[str, Any]], **entry_fields: Any
    ) -> Entry:
        """An entry and all its pre beliefs in one transaction (for files and scripts)."""
        if not beliefs:
            raise UsageError("no beliefs given; a pre entry needs at least one")
        with self.transaction():
            entry = self.create_entry(about, **entry_fields)
            for item in beliefs:
                self.add_pre_belief(
                    entry.id,
                    item.get("statement", ""),
                    item.get("credence"),
                    item.get("reason", ""),
                    belief_id=item.get("belief_id"),
                    resolve_by=item.get("resolve_by"),
                )
        return entry

    def pre_beliefs(self, entry_id: int) -> list[BeliefView]:
        self.get_entry(entry_id)
        rows = self._all(
            "SELECT b.id AS belief_id, b.statement, r.credence, r.reason FROM ratings r"
            " JOIN beliefs b ON b.id = r.belief_id"
            " WHERE r.entry_id = ? AND r.phase = 'pre' ORDER BY r.id",
            (entry_id,),
        )
        return [BeliefView.model_validate(dict(r)) for r in rows]

    def post_ratings(self, entry_id: int) -> dict[int, Rating]:
        rows = self._all(
            "SELECT * FROM ratings WHERE entry_id = ? AND phase = 'post' ORDER BY id", (entry_id,)
        )
        return {r["belief_id"]: Rating.model_validate(dict(r)) for r in rows}

    def begin_post(self, entry_id: int, amend: bool = False) -> Entry:
        """Check a post may be written (or resumed, or amended) and mark it in progress."""
        entry = self.get_entry(entry_id)
        if not self.pre_beliefs(entry_id):
            raise UsageError(f"entry #{entry_id} has no pre beliefs to re-rate")
        if entry.post_status == "complete" and not amend:
            raise UsageError(
                f"entry #{entry_id} already has a post; use `advisor journal post {entry_id} --amend` to change it"
            )
        with self.transaction() as conn:
            conn.execute(
                "UPDATE entries SET post_status = 'in_progress' WHERE id = ? AND post_status = 'none'",
                (entry_id,),
            )
        return self.get_entry(entry_id)

    def _post_target(self, entry_id: int, belief_id: int) -> None:
        if belief_id not in {b.belief_id for b in self.pre_beliefs(entry_id)}:
            raise UsageError(f"belief #{belief_id} is not in the pre of entry #{entry_id}")

    def _mark_post_started(self, conn: sqlite3.Connection, entry_id: int) -> None:
        conn.execute(
            "UPDATE entries SET post_status = 'in_progress' WHERE id = ? AND post_status = 'none'",
            (entry_id,),
        )

    def rate_post(self, entry_id: int, belief_id: int, credence: object, reason: str = "") -> Rating:
        """Re-rate a pre belief after the conversation; commits at once (so Ctrl-C loses nothing)."""
        credence = validate_credence(credence)
        self._post_target(entry_id, belief_id)
        with self.transaction() as conn:
            self._mark_post_started(conn, entry_id)
            return self._insert_rating(conn, entry_id, belief_id, "post", credence, reason, replace=True)

    def drop_in_post(self, entry_id: int, belief_id: int, reason: str = "") -> Rating:
        """The user no longer holds (or no longer cares about) a pre belief."""
        self._post_target(entry_id, belief_id)
        with self.transaction() as conn:
            self._mark_post_started(conn, entry_id)
            return self._insert_rating(
                conn, entry_id, belief_id, "post", None, reason, dropped=True, replace=True
            )

    def add_post_belief(
        self,
        entry_id: int,
        statement: str = "",
        credence: object = None,
        reason: str = "",
        belief_id: int | None = None,
    ) -> Rating:
        """A belief that appeared during the conversation (or an older one it brought up)."""
        credence = validate_credence(credence)
        self.get_entry(entry_id)
        with self.transaction() as conn:
            self._mark_post_started(conn, entry_id)
            bid = self._belief_for(conn, statement, belief_id)
            return self._insert_rating(conn, entry_id, bid, "post", credence, reason, replace=True)

    def unrated_beliefs(self, entry_id: int) -> list[BeliefView]:
        """Pre beliefs of an entry with no post rating (re-rating or drop) yet."""
        rated = self.post_ratings(entry_id)
        return [b for b in self.pre_beliefs(entry_id) if b.belief_id not in rated]

    def complete_post(self, entry_id: int) -> Entry:
        """Finish a post. It is complete once every pre belief is re-rated or dropped; while some
        are not, it stays in progress, so `journal post` asks for them again (a post is never
        shown complete beside "Not re-rated yet")."""
        self.get_entry(entry_id)
        with self.transaction() as conn:
            if self.unrated_beliefs(entry_id):
                self._mark_post_started(conn, entry_id)
            else:
                conn.execute(
                    "UPDATE entries SET post_status = 'complete', post_completed_at = ? WHERE id = ?",
                    (now().isoformat(), entry_id),
                )
        return self.get_entry(entry_id)

    def apply_post(self, entry_id: int, items: Sequence[dict[str, Any]], amend: bool = False) -> Entry:
        """A whole post from a file, in one transaction: re-ratings, drops and new beliefs.

        An item that is not one of the entry's pre beliefs is a new belief only when that is
        plain: a statement the journal has never seen, or any item marked `new: true`. One that
        names another belief (by id or by its statement) or is close to a pre belief (a typo) is
        refused, so nothing is silently added."""
        with self.transaction():
            self.begin_post(entry_id, amend=amend)
            pre = {b.belief_id: b for b in self.pre_beliefs(entry_id)}
            by_statement = {normalize_statement(b.statement): b.belief_id for b in pre.values()}
            for n, item in enumerate(items, start=1):
                bid = item.get("belief_id")
                if bid is None and item.get("statement"):
                    bid = by_statement.get(normalize_statement(item["statement"]))
                if bid is not None and bid in pre:
                    if item.get("dropped"):
                        self.drop_in_post(entry_id, bid, item.get("reason", ""))
                    else:
                        self.rate_post(entry_id, bid, item.get("credence"), item.get("reason", ""))
                else:
                    if item.get("dropped"):
                        raise UsageError(f"item {n}: only a belief in entry #{entry_id}'s pre can be dropped")
                    if not item.get("new"):
                        self._refuse_unmarked_new(entry_id, n, item, list(pre.values()))
                    bid = self.add_post_belief(
                        entry_id, item.get("statement", ""), item.get("credence"),
                        item.get("reason", ""), belief_id=bid,
                    ).belief_id
                if "resolve_by" in item:
                    self.set_resolve_by(bid, item["resolve_by"])
            return self.complete_post(entry_id)

    def _refuse_unmarked_new(self, entry_id: int, n: int, item: dict[str, Any], pre: list[BeliefView]) -> None:
        """Raise when an item not in the pre names an existing belief or looks like a pre belief."""
        hint = "; add `new: true` to the item to rate it as new in this post"
        if item.get("belief_id") is not None:
            belief = self.get_belief(item["belief_id"])
            raise UsageError(f"item {n}: belief #{belief.id} is not in entry #{entry_id}'s pre{hint}")
        statement = item.get("statement", "")
        existing = self.exact_belief(statement)
        if existing is not None:
            raise UsageError(f"item {n}: \"{statement}\" is belief #{existing.id}, which is not in "
                             f"entry #{entry_id}'s pre{hint}")
        needle = normalize_statement(statement)
        for b in pre:
            ratio = difflib.SequenceMatcher(None, needle, normalize_statement(b.statement)).ratio()
            if ratio >= SIMILARITY_THRESHOLD:
                raise UsageError(f"item {n}: \"{statement}\" is not in entry #{entry_id}'s pre; did you mean "
                                 f"#{b.belief_id} \"{b.statement}\"? (if it is a new belief, add `new: true`)")

    # --------------------------------------------------------------------- views (views.py)
    def entry_diff(self, entry_id: int) -> EntryDiff:
        return views.entry_diff(self, entry_id)

    def belief_history(self, belief_id: int) -> BeliefHistory:
        return views.belief_history(self, belief_id)

    def list_beliefs(self) -> list[BeliefSummary]:
        """Every belief with its latest credence, how often rated, and its last change."""
        return views.list_beliefs(self)

    def due_beliefs(self, today: date) -> list[BeliefSummary]:
        """Open beliefs whose resolve-by date is today or past, the longest overdue first."""
        return views.due_beliefs(self, today)

    def credence_before(self, belief_id: int, moment: datetime | None) -> float | None:
        """The latest credence given to a belief up to `moment` (all time when None)."""
        return views.credence_before(self, belief_id, moment)


def _inserted_id(cur: sqlite3.Cursor) -> int:
    """The id of the row an INSERT just wrote (sqlite sets lastrowid after every INSERT)."""
    assert cur.lastrowid is not None
    return cur.lastrowid

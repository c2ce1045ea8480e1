"""Merging a backup into a journal that already holds data (`advisor import --merge`).

Each row of the backup is matched with the row it duplicates here, or added with a new id; the
references of the rows after it (a rating's entry and belief, a turn's session) follow the new
ids. Tables are read from the file's own schema, so a table added by a later migration merges
too: its rows match on all their columns. Where a row here and its match in the backup differ,
what this home holds is kept, except that progress only moves forward (a post finished in the
backup is finished here, a resolution or resolve-by date fills an empty one, a session continued
elsewhere takes its later stage).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, Field

from advisor.errors import UsageError
from advisor.journal.store import JournalStore

Row = dict[str, Any]

#: The columns that say two rows are the same thing (the rest may have moved on since).
NATURAL_KEYS: dict[str, tuple[str, ...]] = {
    "entries": ("kind", "about", "created_at"),
    "ratings": ("entry_id", "belief_id", "phase"),
    "sessions": ("kind", "topic", "created_at"),
    "turns": ("session_id", "role", "content", "created_at"),
}
POST_ORDER = {"none": 0, "in_progress": 1, "complete": 2}


class MergeReport(BaseModel):
    added: dict[str, int] = Field(default_factory=dict, description="New rows, per table.")
    matched: dict[str, int] = Field(default_factory=dict, description="Rows already here, per table.")
    kept: int = Field(0, description="Rows here that differ from the backup's and were kept as they are.")


class _Table:
    """One table's shape, from the file's schema: its integer key and the tables it refers to."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        info = conn.execute(f'PRAGMA table_info("{name}")').fetchall()
        self.name = name
        self.columns = [c[1] for c in info]
        keys = [c[1] for c in info if c[5]]
        self.pk = keys[0] if len(keys) == 1 and str(info[self.columns.index(keys[0])][2]).upper() == "INTEGER" else None
        self.refs = {fk[3]: fk[2] for fk in conn.execute(f'PRAGMA foreign_key_list("{name}")')}


def merge_tables(store: JournalStore, tables: dict[str, list[Row]], data_tables: list[str], source: str) -> MergeReport:
    """Merge the backup's rows (table → rows) into the store, in one transaction."""
    report = MergeReport()
    ids: dict[str, dict[Any, Any]] = {}
    with store.transaction() as conn:
        conn.execute("PRAGMA defer_foreign_keys = ON")
        for name in data_tables:
            table = _Table(conn, name)
            ids[name] = {}
            for n, incoming in enumerate(tables.get(name, []), start=1):
                unknown = set(incoming) - set(table.columns)
                if unknown:
                    raise UsageError(f"{source}: table {name} has unknown column {sorted(unknown)[0]!r}")
                row = _follow_references(table, dict(incoming), ids, f"{source}: {name} row {n}")
                old_id = row.pop(table.pk, None) if table.pk else None
                found = _existing(store, conn, table, row)
                if found is None:
                    cols = list(row)
                    cur = conn.execute(
                        f'INSERT INTO "{name}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})',
                        [row[c] for c in cols])
                    new_id = cur.lastrowid
                    report.added[name] = report.added.get(name, 0) + 1
                else:
                    new_id = found.get(table.pk) if table.pk else None
                    report.kept += _bring_forward(conn, table, found, row)
                    report.matched[name] = report.matched.get(name, 0) + 1
                if table.pk and old_id is not None:
                    ids[name][old_id] = new_id
    return report


def _follow_references(table: _Table, row: Row, ids: dict[str, dict[Any, Any]], where: str) -> Row:
    for column, parent in table.refs.items():
        value = row.get(column)
        if value is None or parent not in ids:
            continue
        if value not in ids[parent]:
            raise UsageError(f"{where} refers to {parent} #{value}, which the file does not hold; nothing was imported")
        row[column] = ids[parent][value]
    return row


def _existing(store: JournalStore, conn: sqlite3.Connection, table: _Table, row: Row) -> Row | None:
    """The row here that `row` duplicates, if any."""
    params: list[Any]
    if table.name == "beliefs":  # one belief per statement, whatever its case, spacing or full stop
        belief = store.exact_belief(str(row.get("statement", "")))
        if belief is None:
            return None
        key_sql, params = "id = ?", [belief.id]
    else:
        columns = NATURAL_KEYS.get(table.name) or tuple(row)
        key_sql = " AND ".join(f'"{c}" IS ?' for c in columns)
        params = [row.get(c) for c in columns]
    cur = conn.execute(f'SELECT * FROM "{table.name}" WHERE {key_sql} LIMIT 1', params)
    found = cur.fetchone()
    return None if found is None else dict(zip([c[0] for c in cur.description], found, strict=True))


def _bring_forward(conn: sqlite3.Connection, table: _Table, here: Row, backup: Row) -> int:
    """Move a matched row's progress forward from the backup; 1 when a difference was left as it is."""
    changes: dict[str, Any] = {}
    rule = FORWARD.get(table.name)
    if rule is not None:
        changes = rule(here, backup)
    if changes and table.pk:
        sets = ", ".join(f'"{c}" = ?' for c in changes)
        conn.execute(f'UPDATE "{table.name}" SET {sets} WHERE "{table.pk}" = ?', [*changes.values(), here[table.pk]])
    after = here | changes
    return int(any(after.get(c) != v for c, v in backup.items() if c in SETTLED.get(table.name, ())))


def _entry_forward(here: Row, backup: Row) -> Row:
    changes = {c: backup[c] for c in ("with_whom", "medium", "occurred_on") if here.get(c) is None and backup.get(c)}
    if POST_ORDER.get(backup.get("post_status") or "none", 0) > POST_ORDER.get(here.get("post_status") or "none", 0):
        changes |= {"post_status": backup["post_status"], "post_completed_at": backup.get("post_completed_at")}
    return changes


def _belief_forward(here: Row, backup: Row) -> Row:
    changes = {c: backup[c] for c in ("resolve_by",) if here.get(c) is None and backup.get(c)}
    if here.get("resolution") is None and backup.get("resolution"):
        changes |= {"resolution": backup["resolution"], "resolved_at": backup.get("resolved_at")}
    return changes


def _session_forward(here: Row, backup: Row) -> Row:
    if str(backup.get("updated_at") or "") <= str(here.get("updated_at") or ""):
        return {c: backup[c] for c in ("entry_id",) if here.get(c) is None and backup.get(c) is not None}
    moved = ("stage", "status", "state", "summary", "provider", "model_label", "updated_at", "entry_id")
    return {c: backup[c] for c in moved if c in backup and (c != "entry_id" or backup[c] is not None)}


FORWARD: dict[str, Callable[[Row, Row], Row]] = {
    "entries": _entry_forward,
    "beliefs": _belief_forward,
    "sessions": _session_forward,
}
#: Columns whose difference, left as it is here, is worth telling the user about.
SETTLED: dict[str, tuple[str, ...]] = {
    "ratings": ("credence", "reason", "dropped"),
    "beliefs": ("resolution",),
}

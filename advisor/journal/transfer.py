"""Moving journal data in and out: beliefs files for scripts, and whole-journal export/import."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import StorageError, UsageError
from advisor.journal.migrations import HANDED_OVER, recorded_migrations
from advisor.journal.models import Entry, fmt_credence, validate_credence
from advisor.journal.render import format_diff
from advisor.journal.store import JournalStore, clean_statement

EXPORT_FORMAT = "advisor-journal"
#: 2: a top-level "notes" list (the notes folder, for advisor.history.backup); tables as in 1.
EXPORT_VERSION = 2

PRE_FIELDS = {"statement", "credence", "reason", "belief_id", "resolve_by"}
POST_FIELDS = {"statement", "credence", "reason", "belief_id", "dropped", "new", "resolve_by"}


def read_text_file(path: Path, what: str) -> str:
    """A user-named text file's contents, or one clear line saying why it can't be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{what} {path} does not exist") from None
    except IsADirectoryError:
        raise UsageError(f"{what} {path} is a folder, not a file") from None
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if b"\x00" in raw:
        raise UsageError(f"{what} {path} is a binary file, not text")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UsageError(f"{what} {path} is not UTF-8 text (byte {exc.start})") from None


def load_beliefs_file(path: Path, phase: str = "pre") -> list[dict[str, Any]]:
    """Parse a YAML or JSON list of beliefs, naming the item and field of any mistake."""
    text = read_text_file(path, "beliefs file")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: line {exc.lineno}: {exc.msg}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise UsageError(f"{path} is not valid YAML: {where}{problem}") from None
    if isinstance(data, dict) and isinstance(data.get("beliefs"), list):
        data = data["beliefs"]
    if not isinstance(data, list):
        raise UsageError(f"{path} must hold a list of beliefs (each with statement, credence, reason)")
    if not data:
        raise UsageError(f"{path} holds no beliefs")
    allowed = PRE_FIELDS if phase == "pre" else POST_FIELDS
    items = []
    for n, item in enumerate(data, start=1):
        where = f"{path}: item {n}"
        if not isinstance(item, dict):
            raise UsageError(f"{where} is not a mapping with statement, credence and reason")
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise UsageError(
                f"{where}: unknown field {unknown[0]!r} (expected {', '.join(sorted(allowed))})"
            )
        clean: dict[str, Any] = {"reason": "" if item.get("reason") is None else str(item["reason"])}
        if item.get("belief_id") is not None:
            if not isinstance(item["belief_id"], int) or isinstance(item["belief_id"], bool):
                raise UsageError(f"{where}: belief_id must be a whole number")
            clean["belief_id"] = item["belief_id"]
        if "belief_id" not in clean or item.get("statement"):
            clean["statement"] = clean_statement(item.get("statement"), where=f"{where}: statement")
        if phase == "post" and item.get("new") is not None:
            if not isinstance(item["new"], bool):
                raise UsageError(f"{where}: new must be true or false")
            clean["new"] = item["new"]
        if phase == "post" and item.get("dropped"):
            if clean.get("new"):
                raise UsageError(f"{where}: a new belief cannot be dropped")
            clean["dropped"] = True
        elif "credence" not in item:
            raise UsageError(f"{where}: credence is missing (a number from 0 to 100)")
        else:
            clean["credence"] = validate_credence(item["credence"], where=f"{where}: credence")
        if item.get("resolve_by") is not None:
            try:
                clean["resolve_by"] = date.fromisoformat(str(item["resolve_by"]))
            except ValueError:
                raise UsageError(f"{where}: resolve_by must be a date like 2027-06-30") from None
        items.append(clean)
    return items


# ----------------------------------------------------------------------- export / import
def data_tables(conn: sqlite3.Connection) -> list[str]:
    """Ordinary tables holding the user's data, in creation order (parents before children)."""
    rows = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY rowid"
    ).fetchall()
    return [
        name
        for name, sql in rows
        if not name.startswith(("sqlite_", "_")) and not (sql or "").upper().startswith("CREATE VIRTUAL")
    ]


def export_data(store: JournalStore) -> dict[str, Any]:
    """Every row of every table in the journal's file, as plain JSON-able data: re-imports losslessly.

    Other stores that keep their tables in this file (the sessions) are included as they are;
    open them before exporting so their tables exist even when empty.
    """
    conn = store.conn
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in data_tables(conn):
        cur = conn.execute(f'SELECT * FROM "{table}" ORDER BY rowid')
        cols = [c[0] for c in cur.description]
        tables[table] = [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "schema": recorded_migrations(conn),
        "exported_at": datetime.now(UTC).isoformat(),
        "tables": tables,
    }


def checked_tables(store: JournalStore, data: Any, source: str = "import file") -> dict[str, list[dict[str, Any]]]:
    """The tables of an export this journal can take (table → rows), or one clear error: not an
    export, from a newer advisor, or with rows for a table this file lacks (never dropped)."""
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise UsageError(f"{source} is not an advisor journal export")
    if data.get("version", 0) > EXPORT_VERSION:
        raise StorageError(f"{source} comes from a newer advisor (export version {data['version']})")
    ours = recorded_migrations(store.conn) + list(HANDED_OVER)
    theirs = data.get("schema") or []
    newer = [m for m in theirs if m not in ours]
    if newer:
        raise StorageError(f"{source} comes from a newer advisor (schema has {newer[0]!r})")
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise UsageError(f"{source} has no tables")
    existing = data_tables(store.conn)
    absent = [t for t, rows in tables.items() if rows and t not in existing]
    if absent:
        raise UsageError(f"{source} has rows for table {absent[0]!r}, which this journal lacks; "
                         "nothing was imported")
    if not all(isinstance(rows, list) and all(isinstance(r, dict) for r in rows) for rows in tables.values()):
        raise UsageError(f"{source} is damaged: a table is not a list of rows")
    return tables


def import_data(store: JournalStore, data: Any, source: str = "import file") -> dict[str, int]:
    """Load an export into an empty journal, all in one transaction; returns rows per table.

    Every store whose tables the export holds must have been opened on `store` first (so its
    tables exist); rows for a table this file lacks are refused, never dropped.
    """
    tables = checked_tables(store, data, source)
    existing = data_tables(store.conn)
    nonempty = [t for t in existing if store.conn.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()]
    if nonempty:
        raise UsageError(
            f"the journal {store.path} already holds data; import into an empty one "
            "(e.g. set ADVISOR_HOME to a new folder)"
        )
    counts = {}
    try:
        with store.transaction() as conn:
            conn.execute("PRAGMA defer_foreign_keys = ON")
            for table in existing:
                rows = tables.get(table, [])
                columns = {c[1] for c in conn.execute(f'PRAGMA table_info("{table}")')}
                for row in rows:
                    unknown = set(row) - columns
                    if unknown:
                        raise UsageError(f"{source}: table {table} has unknown column {sorted(unknown)[0]!r}")
                    cols = list(row)
                    conn.execute(
                        f'INSERT INTO "{table}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})',
                        [row[c] for c in cols],
                    )
                counts[table] = len(rows)
    except sqlite3.IntegrityError as exc:
        raise UsageError(f"{source} is inconsistent ({exc}); nothing was imported") from None
    return counts


def read_export_file(path: Path) -> Any:
    text = read_text_file(path, "import file")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON: line {exc.lineno}: {exc.msg}") from None


def _conversation(entry: Entry) -> str:
    """Who the talk was with, as a reader would say it: "person with Sam (coffee)", and for a
    session with the advisor its name ("advisor session #3"), not "advisor with advisor (...)"."""
    if entry.kind == "advisor":
        return entry.medium or "advisor session"
    who = f" with {entry.with_whom}" if entry.with_whom else ""
    return f"{entry.kind}{who}" + (f" ({entry.medium})" if entry.medium else "")


def export_markdown(store: JournalStore) -> str:
    """The journal as a readable Markdown document: entries with their diffs, then every belief."""
    out = ["# Belief journal", ""]
    for entry in store.list_entries():
        out.append(f"## #{entry.id} {entry.about}")
        out.append("")
        out.append(f"*{_conversation(entry)}, {entry.on}; post: {entry.post_status}*")
        out.append("")
        out.append("Before:")
        out.append("")
        for b in store.pre_beliefs(entry.id):
            reason = f" — {b.reason}" if b.reason else ""
            out.append(f"- {fmt_credence(b.credence)} {b.statement}{reason}")
        if entry.post_status != "none":
            out.append("")
            out.append("```")
            out.append(format_diff(store.entry_diff(entry.id)))
            out.append("```")
        out.append("")
    out.append("## Beliefs")
    out.append("")
    for s in store.list_beliefs():
        trail = " → ".join(fmt_credence(v) for v in s.history) or "—"
        resolved = f" (resolved {s.belief.resolution})" if s.belief.resolution else ""
        out.append(f"- #{s.belief.id} {s.belief.statement}: {trail}{resolved}")
    out.append("")
    return "\n".join(out)

"""A full backup: the journal, the sessions and the notes out as JSON (and back in, into an empty
home or merged into one that holds data), or as one Markdown document to read.

The journal's file (entries, beliefs, ratings, sessions, turns) is exported by advisor.journal
table by table; this adds the notes folder, file by file with the origin and date the index
knew, and the session transcripts in Markdown. The configured API key never leaves: every export
is passed through the session layer's `redact` before it is written.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, ValidationError

from advisor.errors import UsageError
from advisor.history.merge import MergeReport, merge_tables
from advisor.journal.transfer import checked_tables, data_tables, export_data, import_data
from advisor.journal.transfer import export_markdown as journal_markdown
from advisor.knowledge.models import AddOutcome, NoteRecord

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore
    from advisor.knowledge.base import KnowledgeBase
    from advisor.settings import Settings


class ImportReport(BaseModel):
    rows: dict[str, int] = Field(default_factory=dict, description="Rows added, per table.")
    matched: dict[str, int] = Field(default_factory=dict, description="Rows already here (merge), per table.")
    kept: int = Field(0, description="Rows here that differ from the backup's, kept as they were (merge).")
    notes: list[AddOutcome] = Field(default_factory=list)


def _sessions(journal: JournalStore) -> Any:
    """The session store: opening it makes its tables exist (and up to date) in the journal's file."""
    from advisor.session.store import SessionStore

    return SessionStore(journal)


def export_backup(journal: JournalStore, kb: KnowledgeBase | None) -> dict[str, Any]:
    """Everything, as JSON-able data: the journal file's tables and the notes."""
    _sessions(journal)
    data = export_data(journal)
    data["notes"] = [n.model_dump() for n in kb.export_notes()] if kb is not None else []
    return data


def backup_json(data: dict[str, Any], settings: Settings) -> str:
    return redacted(json.dumps(data, indent=2, ensure_ascii=False) + "\n", settings)


def export_markdown(journal: JournalStore, settings: Settings) -> str:
    """The journal, then every session's transcript (reflection sessions, then one-off questions)."""
    from advisor.session.export import export_markdown as session_markdown

    sessions = _sessions(journal)
    out = [journal_markdown(journal).rstrip(), ""]
    records = sessions.list()
    for title, kind in (("Sessions", "session"), ("One-off questions", "ask")):
        chosen = [r for r in records if r.kind == kind]
        if not chosen:
            continue
        out += [f"# {title}", ""]
        for record in chosen:
            out += [demote_headings(session_markdown(record, sessions.turns(record.id))).rstrip(), ""]
    return redacted("\n".join(out), settings)


def demote_headings(markdown: str, levels: int = 1) -> str:
    """Every ATX heading one level deeper (outside code fences), to nest a document in another."""
    out, fenced = [], False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,5} ", line):
            line = "#" * levels + line
        out.append(line)
    return "\n".join(out) + "\n"


def redacted(text: str, settings: Settings) -> str:
    from advisor.session.llm import redact

    return redact(text, settings)


def import_backup(journal: JournalStore, kb: KnowledgeBase | None, data: Any, source: str,
                  merge: bool = False) -> ImportReport:
    """Load a backup: into an empty home, or (merge) into one that holds data, without duplicates.
    Everything is checked before anything is written."""
    _sessions(journal)
    tables = checked_tables(journal, data, source)
    records = _note_records(data, source)
    if records and kb is None:
        raise UsageError(f"{source} holds notes, but the knowledge base cannot be opened; nothing was imported")
    report = ImportReport()
    if merge:
        merged: MergeReport = merge_tables(journal, tables, data_tables(journal.conn), source)
        report.rows, report.matched, report.kept = merged.added, merged.matched, merged.kept
    else:
        if kb is not None and _has_notes(kb):
            raise UsageError(f"{kb.notes_dir} already holds notes; import into an empty home, or use --merge")
        report.rows = {t: n for t, n in import_data(journal, data, source).items() if n}
    if records:
        assert kb is not None
        report.notes = kb.restore_notes(records)
    return report


def _note_records(data: dict[str, Any], source: str) -> list[NoteRecord]:
    notes = data.get("notes") or []
    if not isinstance(notes, list):
        raise UsageError(f"{source}: notes is not a list")
    records = []
    for n, item in enumerate(notes, start=1):
        try:
            records.append(NoteRecord.model_validate(item))
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "note"
            raise UsageError(f"{source}: note {n} is damaged ({where}: {problem['msg']}); nothing was imported") from None
    return records


def _has_notes(kb: KnowledgeBase) -> bool:
    folder = kb.notes_dir
    return folder.is_dir() and any(not p.name.startswith(".") for p in folder.iterdir())

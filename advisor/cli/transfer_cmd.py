"""`advisor export` and `advisor import`: everything (journal, sessions, notes) out as Markdown or
JSON, and JSON back in, into an empty home or merged into one that holds data."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from advisor.cli.common import journal, settings_from_env
from advisor.errors import UsageError


def register(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser("export", help="everything: journal, sessions and notes, as Markdown or JSON")
    exp.add_argument("--format", choices=["md", "json"], default="md",
                     help="md: one document to read (journal, then session transcripts); json: a full backup")
    exp.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    exp.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="load a JSON export: into an empty home, or --merge into this one")
    imp.add_argument("file", type=Path)
    imp.add_argument("--merge", action="store_true",
                     help="add what this home lacks; what it holds already is not duplicated")
    imp.set_defaults(func=cmd_import)


def _knowledge(settings: Any) -> Any:
    from advisor.knowledge import KnowledgeBase

    return KnowledgeBase(settings)


def cmd_export(args: argparse.Namespace) -> int:
    from advisor.history.backup import backup_json, export_backup, export_markdown

    settings = settings_from_env()
    with journal(settings) as store:
        if args.format == "json":
            kb = _knowledge(settings)
            try:
                text = backup_json(export_backup(store, kb), settings)
            finally:
                kb.close()
        else:
            text = export_markdown(store, settings)
    if args.output == "-":
        sys.stdout.write(text)
        return 0
    target = Path(args.output)
    tmp = target.with_name(target.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        raise UsageError(f"cannot write {target}: {exc.strerror or exc}") from None
    print(f"Wrote {target}", file=sys.stderr)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from advisor.history.backup import import_backup
    from advisor.journal.transfer import read_export_file

    data = read_export_file(args.file)
    settings = settings_from_env()
    with journal(settings) as store:
        kb = _knowledge(settings) if isinstance(data, dict) and data.get("notes") else None
        try:
            report = import_backup(store, kb, data, str(args.file), merge=args.merge)
        finally:
            if kb is not None:
                kb.close()
    added = ", ".join(f"{n} {table}" for table, n in report.rows.items() if n)
    notes_added = sum(1 for o in report.notes if o.outcome == "added")
    notes_same = sum(1 for o in report.notes if o.outcome == "unchanged")
    parts = [added] if added else []
    if notes_added:
        parts.append(f"{notes_added} notes")
    print(f"Imported {', '.join(parts) or 'nothing new'}.")
    matched = sum(report.matched.values()) + notes_same
    if args.merge and matched:
        print(f"{matched} item(s) were here already and were not duplicated.")
    if report.kept:
        print(f"{report.kept} rating(s) or resolution(s) here differ from the file's; yours were kept.")
    failed = [o for o in report.notes if o.outcome == "failed"]
    for o in failed:
        sys.stderr.write(f"advisor: note {o.path}: {o.message} (kept in the notes folder; see `advisor kb status`)\n")
    return 1 if failed else 0

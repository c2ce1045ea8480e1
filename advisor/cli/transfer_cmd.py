"""`advisor export` and `advisor import`: the whole journal out as Markdown or JSON, and JSON back in."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.cli.common import journal
from advisor.errors import UsageError

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore


def register(sub: argparse._SubParsersAction) -> None:
    exp = sub.add_parser("export", help="the whole journal as Markdown or JSON")
    exp.add_argument("--format", choices=["md", "json"], default="md")
    exp.add_argument("-o", "--output", default="-", help="file to write (default: standard output)")
    exp.set_defaults(func=cmd_export)

    imp = sub.add_parser("import", help="load a JSON export into an empty journal")
    imp.add_argument("file", type=Path)
    imp.set_defaults(func=cmd_import)


def cmd_export(args: argparse.Namespace) -> int:
    from advisor.journal.transfer import export_data, export_markdown

    with journal() as store:
        _open_other_stores(store)
        if args.format == "json":
            text = json.dumps(export_data(store), indent=2, ensure_ascii=False) + "\n"
        else:
            text = export_markdown(store)
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


def _open_other_stores(store: JournalStore) -> None:
    """Stores that keep their tables in the journal's file (the sessions) are exported and
    imported with it: open them so their tables exist and are up to date."""
    from advisor.session.store import SessionStore

    SessionStore(store)


def cmd_import(args: argparse.Namespace) -> int:
    from advisor.journal.transfer import import_data, read_export_file

    data = read_export_file(args.file)
    with journal() as store:
        _open_other_stores(store)
        counts = import_data(store, data, source=str(args.file))
    summary = ", ".join(f"{n} {table}" for table, n in counts.items() if n)
    print(f"Imported {summary or 'an empty journal'}.")
    return 0

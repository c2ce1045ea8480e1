"""`advisor notes`: add, write, list and remove your own notes."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from advisor.cli.common import model_json, print_json
from advisor.cli.kb_cmd import open_kb, report_team
from advisor.cli.progress import ProgressDisplay
from advisor.errors import UsageError
from advisor.knowledge.readers import note_formats
from advisor.private import private_dir

TEMPLATE = "---\ntitle: \n---\n\n"


def register(subparsers: Any) -> None:
    notes = subparsers.add_parser("notes", help="your own notes, used alongside the curated cards")
    sub = notes.add_subparsers(dest="notes_command", metavar="SUBCOMMAND")

    p = sub.add_parser("add", help=f"add files or folders ({note_formats()}), or - for stdin")
    p.add_argument("paths", nargs="+", metavar="PATH", help="files, folders (recursive) or -")
    p.add_argument("--title", help="title for a note read from stdin")
    share = p.add_mutually_exclusive_group()
    share.add_argument("--team", action="store_true", default=None, dest="share",
                       help="share with your team's server (knowledge.chroma_url)")
    share.add_argument("--private", action="store_false", dest="share",
                       help="keep private even when knowledge.share_by_default is on")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_add)

    for name, shared, text in (("share", True, "share a note with your team"),
                               ("unshare", False, "make a shared note private again (it leaves the server)")):
        p = sub.add_parser(name, help=text)
        p.add_argument("id", help="the note id (see `advisor notes list`)")
        p.set_defaults(func=cmd_share, shared=shared)

    p = sub.add_parser("new", help="write a new note in $EDITOR")
    p.add_argument("--title", help="the note's title")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("list", help="list your notes")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_list)

    p = sub.add_parser("show", help="one note: where it came from, and its text")
    p.add_argument("id", help="the note id (see `advisor notes list`)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_show)

    p = sub.add_parser("rm", help="remove a note and its index entries")
    p.add_argument("id", help="the note id (see `advisor notes list`)")
    p.set_defaults(func=cmd_rm)


def cmd_add(args: argparse.Namespace) -> int:
    from advisor.knowledge import AddReport

    paths = list(args.paths)
    if args.title and "-" not in paths:
        raise UsageError("--title applies to a note read from stdin (`advisor notes add - --title ...`)")
    report = AddReport()
    text: str | None = None
    if "-" in paths:  # read before any progress is shown: the user may be typing it
        paths = [p for p in paths if p != "-"]
        data = sys.stdin.buffer.read()
        text = data.decode("utf-8", errors="replace")
        if "\ufffd" in text and b"\xef\xbf\xbd" not in data:
            sys.stderr.write("advisor: warning: stdin is not valid UTF-8; undecodable bytes replaced\n")
    with ProgressDisplay("notes add") as display:
        kb = open_kb(progress=display)
        kb.sharing(args.share)  # --team without a server: one line, before anything is added
        if text is not None:
            try:
                report.items.append(kb.add_text(text, args.title, origin="stdin", share=args.share))
            except UsageError as exc:
                from advisor.knowledge import AddOutcome

                report.items.append(AddOutcome(path="-", outcome="failed", message=exc.message))
        if paths:
            report.items.extend(kb.add_paths(paths, progress=display, share=args.share).items)
    report_team(kb)
    if args.json:
        print_json(model_json(report.items))
    else:
        for item in report.items:
            if item.outcome == "failed":
                sys.stderr.write(f"advisor: {item.path}: {item.message}\n")
                continue
            extra = f" ({item.message})" if item.message else f" ({item.chunks} chunks)"
            print(f"{item.outcome:<9} {item.note_id}  {item.title}{extra}{shared_mark(kb, item.note_id)}")
            if item.warning:
                sys.stderr.write(f"advisor: warning: {item.path}: {item.warning}\n")
        n_failed = len(report.failed)
        print(
            f"{report.count('added')} added, {report.count('updated')} updated, "
            f"{report.count('unchanged')} unchanged, {n_failed} failed"
        )
    return 1 if report.failed else 0


def shared_mark(kb: Any, note_id: str | None) -> str:
    """", shared with the team" (or waiting to upload) for a shared note, else nothing."""
    if not note_id or not kb.settings.knowledge.chroma_url:
        return ""
    info = next((n for n in kb.list_notes() if n.id == note_id), None)
    if info is None or info.shared is None:
        return ""
    return "  [team]" if info.shared == "uploaded" else "  [team, waiting to upload]"


def cmd_share(args: argparse.Namespace) -> int:
    kb = open_kb()
    info = kb.set_shared(args.id, args.shared)
    report_team(kb)
    state = {"uploaded": "shared with the team", "pending": "shared; waiting to upload"}.get(info.shared or "", "private")
    print(f"{info.id}  {info.title}: {state}")
    return 0


def cmd_new(args: argparse.Namespace) -> int:
    import yaml

    kb = open_kb()
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    private_dir(kb.notes_dir)
    fd, tmp = tempfile.mkstemp(prefix=".draft-", suffix=".md", dir=kb.notes_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(TEMPLATE.replace("title: ", f"title: {args.title}" if args.title else "title: "))
        try:
            rc = subprocess.call([*shlex.split(editor), tmp])
        except OSError as exc:
            raise UsageError(f"cannot start editor {editor!r} ($EDITOR): {exc.strerror or exc}") from None
        if rc != 0:
            raise UsageError(f"editor {editor!r} exited with status {rc}; note not saved")
        raw = Path(tmp).read_text(encoding="utf-8", errors="replace")
    finally:
        Path(tmp).unlink(missing_ok=True)
    title = args.title
    body = raw
    if raw.startswith("---"):
        parts = raw.split("\n---", 1)
        if len(parts) == 2:
            try:
                meta = yaml.safe_load(parts[0].lstrip("-\n")) or {}
            except yaml.YAMLError:
                meta = {}
            if isinstance(meta, dict) and meta.get("title"):
                title = str(meta["title"])
            body = parts[1].split("\n", 1)[1] if "\n" in parts[1] else ""
    if not body.strip():
        raise UsageError("empty note: nothing saved")
    item = kb.add_text(body, title, origin="editor")
    print(f"{item.outcome:<9} {item.note_id}  {item.title} ({item.chunks} chunks)")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    kb = open_kb()
    notes = kb.list_notes()
    report_team(kb)
    if args.json:
        print_json(model_json(notes))
        return 0
    if not notes:
        print("No notes yet: `advisor notes add PATH`, `advisor notes add -` or `advisor notes new`.")
        return 0
    for n in notes:
        flag = "" if n.status == "indexed" else f"  [{n.status}: {n.warning}]"
        team = {"uploaded": "  [team]", "pending": "  [team, waiting to upload]"}.get(n.shared or "", "")
        print(f"{n.id}  {n.title[:60]:<60} {n.chunks:>5} chunks  {n.path}{flag}{team}")
    return 0


def cmd_rm(args: argparse.Namespace) -> int:
    kb = open_kb()
    info = kb.remove_note(args.id)
    report_team(kb)
    print(f"removed {info.id}  {info.title} ({info.chunks} chunks)")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    kb = open_kb()
    info, text = kb.note_text(args.id)
    if args.json:
        print_json(model_json(info) | {"text": text})
        return 0
    print(f"Note {info.id}: {info.title}")
    print(f"added {(info.added_at or '?')[:10]} from {info.origin or 'unknown'}; file {info.path}")
    print("")
    print(text.strip())
    return 0

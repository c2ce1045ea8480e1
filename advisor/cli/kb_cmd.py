"""`advisor kb`: status, reindex and search over the curated cards and your notes."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from advisor.cli.common import model_json, print_json
from advisor.cli.progress import QUIET_CHECK_S, ProgressDisplay

if TYPE_CHECKING:
    from advisor.knowledge import KnowledgeBase, Passage, ProgressCallback


def register(subparsers: Any) -> None:
    kb = subparsers.add_parser("kb", help="the knowledge base: status, reindex, search")
    sub = kb.add_subparsers(dest="kb_command", metavar="SUBCOMMAND")

    p = sub.add_parser("status", help="every source: indexed, changed, missing or failed (and why)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_status)

    p = sub.add_parser("reindex", help="bring the index up to date (skips unchanged files by hash)")
    p.add_argument("--full", action="store_true", help="drop the index and rebuild it from the files")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_reindex)

    p = sub.add_parser("search", help="the passages that best match a question")
    p.add_argument("query", help="what to look for")
    p.add_argument("-k", type=int, default=None, help="how many passages (default: knowledge.top_k)")
    p.add_argument("--kind", choices=("curated", "note"), help="only curated cards or only your notes")
    p.add_argument("--topic", action="append", dest="topics", metavar="TOPIC",
                   help="only sources with this topic (repeatable)")
    p.add_argument("--mode", choices=("hybrid", "dense", "lexical"), default="hybrid",
                   help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)


def open_kb(progress: ProgressCallback | None = None) -> KnowledgeBase:
    """The knowledge base of the settings in force; `progress` hears of indexing it does by itself."""
    from advisor.knowledge import KnowledgeBase
    from advisor.settings import ensure_home, load_settings

    settings = load_settings()
    ensure_home(settings)
    return KnowledgeBase(settings, progress=progress)


def report_team(kb: KnowledgeBase) -> None:
    """One line on stderr when the team server was configured but could not be used."""
    if kb.team_notice:
        sys.stderr.write(f"advisor: {kb.team_notice}; using this home's notes, the cards and the team notes copied here\n")


def owner_label(p: Any, team: bool) -> str:
    """[card], [note], and with a team server [note · mine] or [note · team: alice]."""
    if p.owner == "team":
        return f"[note · team: {p.added_by}]"
    kind = "note" if p.kind == "note" else "card"
    return f"[{kind} · mine]" if team and p.owner == "mine" else f"[{kind}]"


def cmd_status(args: argparse.Namespace) -> int:
    from advisor.errors import StorageError

    kb = open_kb()
    rows = kb.status()
    team = kb.team_status()
    problem = kb.check_index()  # sources may all be indexed in an index that cannot be read
    if args.json:
        print_json(model_json(rows) if team.state == "off" else {"sources": model_json(rows), "team": model_json(team)})
    else:
        if team.state != "off":
            print(f"team server {team.url}: {team.state}" + (f" ({team.notice})" if team.notice else ""))
            print(f"  you ({team.member}) share {team.shared} note(s), {team.pending} waiting to upload; "
                  f"{team.team_passages} passage(s) of other members mirrored here")
        if not rows:
            print("Nothing indexed yet: add notes with `advisor notes add PATH`.")
        else:
            _print_status(rows)
    if problem:
        raise StorageError(problem)
    return 0


def _print_status(rows: list[Any]) -> None:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.state] = counts.get(r.state, 0) + 1
        line = f"{r.state:<8} {r.kind:<7} {r.title[:50]:<50} {r.chunks:>5} chunks  {r.path}"
        print(line)
        if r.detail and r.state != "indexed":
            print(f"{'':17}{r.detail}")
        elif r.detail:
            print(f"{'':17}warning: {r.detail}")
    print(", ".join(f"{n} {state}" for state, n in sorted(counts.items())))


def cmd_reindex(args: argparse.Namespace) -> int:
    kb = open_kb()
    with ProgressDisplay("kb reindex") as display:
        report = kb.reindex(full=args.full, progress=display)
    report_team(kb)
    if args.json:
        print_json(model_json(report))
    else:
        print(
            f"{report.indexed} indexed ({report.chunks} chunks), {report.unchanged} unchanged, "
            f"{report.removed} removed, {len(report.failed)} failed in {report.seconds:.2f}s"
        )
        for f in report.failed:
            sys.stderr.write(f"advisor: {f.path}: {f.detail}\n")
    return 1 if report.failed else 0


def cmd_search(args: argparse.Namespace) -> int:
    from advisor.errors import UsageError

    if args.k is not None and args.k < 1:
        raise UsageError("-k must be at least 1")
    with ProgressDisplay("kb search", check_after=QUIET_CHECK_S) as display:
        kb = open_kb(progress=display)
        passages = kb.search(args.query, k=args.k, kind=args.kind, topics=args.topics, mode=args.mode)
    report_team(kb)
    if args.json:
        print_json(model_json(passages))
        return 0
    if not passages:
        print("No passages found. Add notes with `advisor notes add PATH`.")
        return 0
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False)
    team = bool(kb.settings.knowledge.chroma_url)
    for i, p in enumerate(passages, start=1):
        show_passage(console, p, f"{i}. ", "   ", team)
        if p.source_passage is not None:
            show_passage(console, p.source_passage, "   ↳ from your note: ", "     ", team)
        console.print()
    return 0


MARK = "bold underline"  # how the question's words are marked in a snippet


def show_passage(console: Any, p: Passage, head: str, indent: str, team: bool = False) -> None:
    """A passage as a person reads it: title, kind (whose, with a team server) and place; where it
    comes from; the sentences that match, the question's words marked."""
    from rich.text import Text

    console.print(Text(f"{head}{p.title} {owner_label(p, team)} {p.place()}"), soft_wrap=True)
    where = p.source if p.kind == "note" else f"curated card {p.source}"
    text = Text(p.snippet or p.text[:300])
    for start, end in p.marks if p.snippet else []:
        text.stylize(MARK, start, end)
    # where it comes from stays on one line (a path must survive copying); the snippet is wrapped
    # to the terminal, and left whole when the output goes to a pipe or a file
    console.print(Text(indent) + Text(where, style="dim"), soft_wrap=True)
    for work in p.draws_on:  # one work a line: several on one line read as a wall of quotes
        console.print(Text(indent) + Text(f"draws on {work}", style="dim"), soft_wrap=True)
    lines = text.wrap(console, max(20, min(console.width, 100) - len(indent))) if console.is_terminal else [text]
    for line in lines:
        line.rstrip()
        console.print(Text(indent) + line, soft_wrap=True)

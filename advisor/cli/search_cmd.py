"""`advisor search`: everything you wrote or read here, ranked, each result with the command that opens it."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from advisor.cli.common import date_arg, journal, print_json, settings_from_env
from advisor.errors import UsageError

if TYPE_CHECKING:
    from advisor.history.search import SearchResult


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("search", help="search sessions, journal entries, beliefs, notes and cards")
    p.add_argument("query", nargs="+", help="words to look for")
    p.add_argument("--kind", choices=["session", "journal", "belief", "note", "card"], help="only this kind")
    p.add_argument("--since", type=date_arg, metavar="DATE", help="only things from this day on (YYYY-MM-DD)")
    p.add_argument("-n", "--limit", type=int, default=20, help="how many results (default 20)")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=cmd_search)


def cmd_search(args: argparse.Namespace) -> int:
    from advisor.history.search import HistorySearch

    settings = settings_from_env()
    kb = _knowledge(settings)
    with journal(settings) as store:
        search = HistorySearch.for_settings(settings, store, kb)
        try:
            report = search.search(" ".join(args.query), args.kind, args.since, args.limit)
        finally:
            search.close()
            if kb is not None:
                kb.close()
    for warning in report.warnings:
        sys.stderr.write(f"advisor: warning: {warning}\n")
    if args.json:
        print_json(report.model_dump(mode="json"))
        return 0
    if not report.results:
        print(f"Nothing matches {report.query!r}.")
        return 0
    tty = sys.stdout.isatty()
    for n, result in enumerate(report.results, start=1):
        print(_render(n, result, tty))
    return 0


def _knowledge(settings: Any) -> Any:
    """The knowledge base, or None (with a warning) when it cannot be opened: the journal and the
    sessions are still searched."""
    try:
        from advisor.knowledge import KnowledgeBase

        return KnowledgeBase(settings)
    except UsageError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken install must not hide the journal
        sys.stderr.write(f"advisor: warning: notes and cards were not searched: {exc}\n")
        return None


def _render(n: int, r: SearchResult, tty: bool) -> str:
    day = f" · {r.day}" if r.day else ""
    more = f" · {r.matches} matches" if r.matches > 1 else ""
    how = " · by meaning" if r.semantic and not r.marks else ""
    head = f"{n:>2}. [{r.kind}] {r.label}{day}{more}{how}"
    place = f"({r.place}) " if r.place else ""
    return f"{head}\n    {place}{_marked(r, tty)}\n    → {r.open}\n"


def _marked(r: SearchResult, tty: bool) -> str:
    """The snippet with its matches in bold on a terminal, between ** otherwise."""
    on, off = ("\x1b[1m", "\x1b[22m") if tty else ("**", "**")
    out, last = [], 0
    for start, end in r.marks:
        out += [r.snippet[last:start], on, r.snippet[start:end], off]
        last = end
    out.append(r.snippet[last:])
    return " ".join("".join(out).split())

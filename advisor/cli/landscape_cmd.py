"""`advisor subfields` and `advisor cards`: browse the AI-safety subfield map and the curated cards."""

from __future__ import annotations

import argparse
import textwrap

from advisor.cli.common import model_json, print_json


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sf = sub.add_parser("subfields", help="the map of empirical AI-safety subfields")
    sf.add_argument("subfield", nargs="?", help="one subfield's id or name, for its details")
    sf.add_argument("--json", action="store_true")
    sf.set_defaults(func=cmd_subfields)

    cards = sub.add_parser("cards", help="the curated knowledge cards shipped with advisor")
    cards.add_argument("card", nargs="?", help="one card's path (as listed), to read it")
    cards.add_argument("--kind", choices=["strategy", "field", "subfield", "career-path", "epistemics"])
    cards.add_argument("--json", action="store_true")
    cards.set_defaults(func=cmd_cards)


def cmd_subfields(args: argparse.Namespace) -> int:
    from advisor.knowledge.landscape import find_subfield, load_subfields

    if args.subfield:
        s = find_subfield(args.subfield)
        if args.json:
            print_json(model_json(s))
            return 0
        print(f"{s.name}  ({s.id})")
        print(textwrap.fill(s.summary, 92))
        for label, items in (("Core problems", s.core_problems), ("Methods", s.methods), ("Where people gather", s.gathers)):
            print(f"\n{label}:")
            for item in items:
                print(f"  - {item}")
        print("\nAn entry project:")
        print(textwrap.indent(textwrap.fill(s.entry_project, 88), "  "))
        print(f"\nCard: knowledge/{s.card}  (search it: advisor kb search \"{s.name}\")")
        return 0
    subfields = load_subfields()
    if args.json:
        print_json(model_json(subfields))
        return 0
    width = max(len(s.id) for s in subfields)
    for s in subfields:
        print(f"{s.id:<{width}}  {s.summary}")
    print("\nDetails: advisor subfields ID")
    return 0


def cmd_cards(args: argparse.Namespace) -> int:
    from advisor.knowledge.landscape import list_cards

    if args.card:
        return _show_card(args.card)
    cards = [c for c in list_cards() if not args.kind or c.kind == args.kind]
    if args.json:
        print_json(model_json(cards))
        return 0
    for c in cards:
        print(f"{c.kind:12} {c.title}  ({c.path})")
    return 0


def _show_card(name: str) -> int:
    """A curated card (or the subfield map) as its file reads, from the knowledge base in use."""
    from pathlib import Path

    from advisor.cli.kb_cmd import open_kb
    from advisor.errors import UsageError

    root = open_kb().curated_dir
    path = (root / name).resolve() if root else None
    if root is None or path is None or not path.is_file() or not path.is_relative_to(root.resolve()):
        raise UsageError(f"no curated card {name!r} (see `advisor cards`)")
    print(Path(path).read_text(encoding="utf-8").rstrip())
    return 0

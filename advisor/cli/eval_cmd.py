"""`advisor eval`: run the probe set against one or more voices and print the figures side by side."""

from __future__ import annotations

import argparse
import sys

from advisor.cli.common import print_json, settings_from_env
from advisor.errors import UsageError

VOICES = ("auto", "openai", "local", "guide")
GUARDS = ("off", "check", "steelman", "revise")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("eval", help="measure the advice: citations, grounded answers, flattery, dangling questions")
    p.add_argument("--provider", default="", help="voices to compare, comma-separated: "
                   + ", ".join(VOICES) + " (default: the configured one)")
    p.add_argument("--guard", default="", help="flattery guards to compare, comma-separated: "
                   + ", ".join(GUARDS) + " (default: the configured one)")
    p.add_argument("--split", choices=("dev", "heldout", "all"), default="all", help="which probes to run")
    p.add_argument("--kind", default="", help="only these kinds: factual, list, flattery, dangling")
    p.add_argument("--probes", help="a probe file of your own (YAML, the shape of the shipped one)")
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.set_defaults(func=cmd_eval)


def _pick(text: str, allowed: tuple[str, ...], what: str) -> list[str]:
    values = [v.strip() for v in text.split(",") if v.strip()]
    bad = [v for v in values if v not in allowed]
    if bad:
        raise UsageError(f"unknown {what} {bad[0]!r}; choose from {', '.join(allowed)}")
    return values


def cmd_eval(args: argparse.Namespace) -> int:
    from pathlib import Path

    from advisor.session.evaluate import evaluate, load_probes, render

    probes = load_probes(Path(args.probes) if args.probes else None)
    if args.split != "all":
        probes = [p for p in probes if p.split == args.split]
    kinds = [k.strip() for k in args.kind.split(",") if k.strip()]
    if kinds:
        probes = [p for p in probes if p.kind in kinds]
    if not probes:
        raise UsageError("no probes match --split/--kind")
    voices = _pick(args.provider, VOICES, "provider") or [""]
    guards = _pick(args.guard, GUARDS, "guard") or [""]
    reports = []
    for voice in voices:
        for guard in guards:
            settings = settings_from_env()
            if voice:
                settings.model.provider = voice  # type: ignore[assignment]
            if guard:
                settings.advice.flattery_guard = guard  # type: ignore[assignment]
            if not args.json:
                sys.stderr.write(f"running {len(probes)} probes: {voice or 'configured voice'}, "
                                 f"guard {settings.advice.flattery_guard}\n")
            reports.append(evaluate(settings, probes))
    if args.json:
        print_json([{"voice": r.voice, "guard": r.guard,
                     "dev": r.figures("dev"), "heldout": r.figures("heldout"), "all": r.figures(None),
                     "probes": [{"id": o.probe.id, "split": o.probe.split, "kind": o.probe.kind,
                                 "answer": o.answer, "grounded": o.grounded, "agreed": o.agreed,
                                 "caught": o.caught, "flagged": o.flagged, "seconds": round(o.seconds, 3),
                                 "error": o.error or None} for o in r.outcomes]} for r in reports])
        return 0
    sys.stdout.write(render(reports))
    return 0

"""`advisor beliefs`: every belief and its history; resolution and calibration."""

from __future__ import annotations

import argparse
from datetime import date

from advisor.cli.common import journal, model_json, print_json

# The journal (pydantic models) is imported by the commands that use it, so `advisor --help`
# and the parser stay light.


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("beliefs", help="your beliefs, their credence over time, calibration")
    group.add_argument("--json", dest="list_json", action="store_true", help="list as JSON")
    group.set_defaults(func=cmd_list)
    bsub = group.add_subparsers(dest="beliefs_command", metavar="SUBCOMMAND")

    lst = bsub.add_parser("list", help="every belief with its latest credence (the default)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)

    show = bsub.add_parser("show", help="one belief's history, with a plot of its credence")
    show.add_argument("belief", help="id (7 or #7) or a piece of the statement")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    resolve = bsub.add_parser("resolve", help="record how a resolvable belief turned out")
    resolve.add_argument("belief")
    resolve.add_argument("outcome", choices=["yes", "no", "ambiguous"])
    resolve.set_defaults(func=cmd_resolve)

    by = bsub.add_parser("resolve-by", help="make a belief resolvable by a date")
    by.add_argument("belief")
    by.add_argument("date", help="YYYY-MM-DD, or `none` to clear")
    by.set_defaults(func=cmd_resolve_by)

    due = bsub.add_parser("due", help="open beliefs whose resolve-by date has come: time to resolve them")
    due.add_argument("--json", action="store_true")
    due.set_defaults(func=cmd_due)

    cal = bsub.add_parser("calibration", help="Brier score, calibration table and chart over resolved beliefs")
    cal.add_argument("--json", action="store_true")
    cal.set_defaults(func=cmd_calibration)


def cmd_list(args: argparse.Namespace) -> int:
    from advisor.journal.models import fmt_credence
    from advisor.journal.render import signed, sparkline

    with journal() as store:
        beliefs = store.list_beliefs()
        if getattr(args, "json", False) or getattr(args, "list_json", False):
            print_json(model_json(beliefs))
            return 0
        if not beliefs:
            print("No beliefs yet. Journal some: advisor journal pre --about \"...\"")
            return 0
        print(f"{'ID':>4}  {'NOW':>5}  {'RATED':>5}  {'LAST Δ':>6}  {'HISTORY':10}  STATEMENT")
        for s in beliefs:
            now = "drop" if s.dropped else fmt_credence(s.latest)
            change = signed(s.last_change) if s.last_change is not None else ""
            mark = f" [{s.belief.resolution}]" if s.belief.resolution else (
                f" [by {s.belief.resolve_by}]" if s.belief.resolve_by else ""
            )
            print(
                f"{s.belief.id:>4}  {now:>5}  {s.times_rated:>5}  {change:>6}  "
                f"{sparkline(s.history, 10):10}  {s.belief.statement}{mark}"
            )
        return 0


def cmd_show(args: argparse.Namespace) -> int:
    from advisor.journal.models import fmt_credence
    from advisor.journal.render import credence_plot

    with journal() as store:
        belief = store.find_belief(args.belief)
        history = store.belief_history(belief.id)
        if args.json:
            print_json(model_json(history))
            return 0
        print(f"#{belief.id} {belief.statement}")
        if belief.resolve_by or belief.resolution:
            print(f"resolve by: {belief.resolve_by or '—'}; resolution: {belief.resolution or 'open'}")
        print("")
        print(credence_plot(history))
        print("")
        for i, p in enumerate(history.points, start=1):
            value = "dropped" if p.dropped else fmt_credence(p.credence)
            reason = f" — {p.reason}" if p.reason else ""
            print(f"  {i:>2}. {p.on}  {p.phase:4} #{p.entry_id:<3} {value:>7}  {p.entry_about}{reason}")
        return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    with journal() as store:
        belief = store.resolve_belief(store.find_belief(args.belief).id, args.outcome)
        print(f"Belief #{belief.id} resolved: {belief.resolution}.")
        return 0


def cmd_resolve_by(args: argparse.Namespace) -> int:
    from advisor.errors import UsageError

    when = None
    if args.date.lower() != "none":
        try:
            when = date.fromisoformat(args.date)
        except ValueError:
            raise UsageError(f"{args.date!r} is not a date like 2027-06-30") from None
    with journal() as store:
        belief = store.set_resolve_by(store.find_belief(args.belief).id, when)
        print(f"Belief #{belief.id} resolves by {belief.resolve_by or '(no date)'}.")
        return 0


def cmd_due(args: argparse.Namespace) -> int:
    from advisor.journal.models import fmt_credence

    today = date.today()
    with journal() as store:
        due = store.due_beliefs(today)
    if args.json:
        print_json(model_json(due))
        return 0
    if not due:
        print("No belief is due for resolution. Give one a date: advisor beliefs resolve-by ID YYYY-MM-DD")
        return 0
    print(f"{len(due)} belief(s) due for resolution:")
    for s in due:
        assert s.belief.resolve_by is not None
        late = (today - s.belief.resolve_by).days
        when = "today" if late == 0 else f"{late} day{'s' if late != 1 else ''} ago"
        print(f"  #{s.belief.id:<4} due {s.belief.resolve_by} ({when})  now {fmt_credence(s.latest):>5}  "
              f"{s.belief.statement}")
    print("Resolve one: advisor beliefs resolve ID yes|no|ambiguous")
    return 0


def calibration_chart(report: object, width: int = 64, height: int = 17) -> str:
    """The calibration chart as plain text (plotext, colours off), for a terminal or a file."""
    import plotext as plt

    from advisor.journal.render import draw_calibration

    plt.clear_figure()
    plt.theme("clear")
    plt.plotsize(width, height)
    draw_calibration(plt, report)  # type: ignore[arg-type]
    return str(plt.uncolorize(plt.build())).rstrip()


def cmd_calibration(args: argparse.Namespace) -> int:
    from advisor.journal.calibration import calibration

    with journal() as store:
        report = calibration(store)
        if args.json:
            print_json(model_json(report))
            return 0
        if not report.forecasts:
            print("No resolved yes/no beliefs yet: `advisor beliefs resolve <belief> yes|no`.")
            return 0
        print(f"Brier score: {report.brier:.3f} over {len(report.forecasts)} resolved belief(s)"
              " (0 is perfect; always saying 50% scores 0.250)")
        if report.ambiguous:
            print(f"({report.ambiguous} ambiguous resolution(s) not scored)")
        print("")
        print(f"{'CREDENCE':>9}  {'N':>3}  {'MEAN SAID':>9}  {'CAME TRUE':>9}")
        for b in report.bins:
            if b.count:
                print(f"{b.low:>3}-{b.high:<3}%  {b.count:>3}  {b.mean_credence:>8.0f}%  {b.observed:>8.0f}%")
        print("")
        import shutil

        print(calibration_chart(report, width=max(40, min(72, shutil.get_terminal_size().columns))))
        print("Each ● is a credence bin: what you said (x) against how often it came true (y);"
              " on the dotted diagonal you are calibrated.")
        return 0

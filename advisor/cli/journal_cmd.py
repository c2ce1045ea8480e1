"""`advisor journal pre|post|list|show`: journal what you believe before and after a conversation."""

from __future__ import annotations

import argparse
from pathlib import Path

from advisor.cli.common import Prompter, date_arg, journal, model_json, print_json
from advisor.errors import UsageError

# The journal (pydantic models) is imported by the commands that use it, so `advisor --help`
# and the parser stay light.


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("journal", help="journal beliefs before and after a conversation")
    jsub = group.add_subparsers(dest="journal_command", metavar="SUBCOMMAND")

    pre = jsub.add_parser("pre", help="before a conversation: what you believe now, with credences")
    pre.add_argument("--about", help="what the conversation is about")
    pre.add_argument("--with", dest="with_whom", help="who you are talking to")
    pre.add_argument("--medium", help="call, coffee, email, ...")
    pre.add_argument("--on", dest="occurred_on", type=date_arg, help="date of the conversation (YYYY-MM-DD)")
    pre.add_argument("--beliefs-file", type=Path, help="YAML/JSON list of {statement, credence, reason}")
    pre.add_argument("--add-to", type=int, metavar="ID", help="add more pre beliefs to entry ID")
    pre.add_argument("--json", action="store_true", help="print the entry as JSON")
    pre.set_defaults(func=cmd_pre)

    post = jsub.add_parser("post", help="after a conversation: re-rate (old credences hidden), see the diff")
    post.add_argument("entry_id", type=int, metavar="ID")
    post.add_argument("--beliefs-file", type=Path, help="YAML/JSON list of re-ratings and new beliefs")
    post.add_argument("--amend", action="store_true", help="change a post already written")
    post.add_argument("--json", action="store_true", help="print the diff as JSON")
    post.set_defaults(func=cmd_post)

    lst = jsub.add_parser("list", help="every journal entry")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)

    show = jsub.add_parser("show", help="one entry: its beliefs before and after, and the diff")
    show.add_argument("entry_id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)


# ------------------------------------------------------------------------------- pre
def cmd_pre(args: argparse.Namespace) -> int:
    from advisor.journal.transfer import load_beliefs_file

    with journal() as store:
        if args.beliefs_file:
            items = load_beliefs_file(args.beliefs_file, "pre")
            if args.add_to:
                with store.transaction():
                    for item in items:
                        store.add_pre_belief(args.add_to, **item)
                entry = store.get_entry(args.add_to)
            else:
                entry = store.create_pre_entry(
                    _about(args), items, with_whom=args.with_whom, medium=args.medium,
                    occurred_on=args.occurred_on,
                )
            return _report_pre(store, entry.id, args.json)
        return _interactive_pre(store, args)


def _about(args: argparse.Namespace) -> str:
    if not args.about or not args.about.strip():
        raise UsageError("say what the conversation is about: --about \"...\"")
    return args.about


def _report_pre(store, entry_id: int, as_json: bool) -> int:
    entry = store.get_entry(entry_id)
    beliefs = store.pre_beliefs(entry_id)
    if as_json:
        print_json({"entry": model_json(entry), "pre": model_json(beliefs)})
    else:
        print(f"Saved entry #{entry.id} with {len(beliefs)} belief(s).")
        print(f"After the conversation: advisor journal post {entry.id}")
    return 0


def _interactive_pre(store, args: argparse.Namespace) -> int:
    from advisor.journal.models import validate_credence

    io = Prompter()
    if args.add_to:
        entry = store.get_entry(args.add_to)
        entry_id: int | None = entry.id
        io.say(f"Adding to entry #{entry.id}: {entry.about}")
    else:
        about = args.about
        if not about:
            about = io.ask("What is the conversation about? ")
            if not about or not about.strip():
                raise UsageError("say what the conversation is about; nothing was saved")
        entry_id = None
        io.say(f"Before: {about}")
    io.say("What do you believe right now? One belief at a time: a statement, your credence (0-100)")
    io.say("that it is true, and one line of why. An empty statement ends. `#N` re-rates belief N.")
    saved = 0
    while True:
        io.say("")
        text = io.ask(f"Belief {saved + 1}: ")
        if text is None or not text.strip():
            break
        belief_id = None
        statement = text.strip()
        if statement.startswith("#") and statement[1:].isdigit():
            belief = store.get_belief(int(statement[1:]))
            belief_id, statement = belief.id, belief.statement
            io.say(f"  #{belief.id} {belief.statement}")
        elif store.exact_belief(statement):
            belief_id = store.exact_belief(statement).id
            io.say(f"  (the same as belief #{belief_id}: its history continues)")
        else:
            for belief, _score in store.similar_beliefs(statement, limit=1):
                same = io.confirm(f"  Close to belief #{belief.id} \"{belief.statement}\". The same belief?")
                if same is None:
                    break
                if same:
                    belief_id, statement = belief.id, belief.statement
        credence = io.ask_valid("  Credence 0-100: ", validate_credence)
        if credence is None:
            break
        reason = io.ask("  Why (one line): ")
        if reason is None:
            break
        if entry_id is None:
            entry_id = store.create_entry(
                args.about or about, with_whom=args.with_whom, medium=args.medium,
                occurred_on=args.occurred_on,
            ).id
        rating = store.add_pre_belief(entry_id, statement, credence, reason, belief_id=belief_id)
        saved += 1
        io.say(f"  saved as belief #{rating.belief_id}")
    if entry_id is None:
        raise UsageError("no beliefs entered; nothing was saved")
    io.say("")
    return _report_pre(store, entry_id, args.json)


# ------------------------------------------------------------------------------ post
def cmd_post(args: argparse.Namespace) -> int:
    from advisor.journal.transfer import load_beliefs_file

    with journal() as store:
        if args.beliefs_file:
            items = load_beliefs_file(args.beliefs_file, "post")
            store.get_entry(args.entry_id)
            store.apply_post(args.entry_id, items, amend=args.amend)
        else:
            if not _interactive_post(store, args):
                return 130
        return _report_diff(store, args.entry_id, args.json)


def post_prompt(index: int, total: int, statement: str) -> str:
    """What the user sees when re-rating a belief: the statement only, never the old credence."""
    return f"[{index}/{total}] {statement}"


def _interactive_post(store, args: argparse.Namespace) -> bool:
    from advisor.journal.models import validate_credence

    """Ask each re-rating and commit it at once; False when input ended before the post was complete."""
    io = Prompter()
    entry = store.begin_post(args.entry_id, amend=args.amend)
    pre = store.pre_beliefs(entry.id)
    done = set() if args.amend else set(store.post_ratings(entry.id))
    todo = [b for b in pre if b.belief_id not in done]
    io.say(f"After: {entry.about} (entry #{entry.id})")
    if done:
        io.say(f"Resuming: {len(done)} of {len(pre)} already re-rated.")
    io.say("Re-rate each belief as you hold it now. Your earlier credence is hidden so it can't anchor you.")
    io.say("Answer 0-100, `drop` if you no longer hold it, or leave empty to skip.")
    for n, b in enumerate(todo, start=len(pre) - len(todo) + 1):
        io.say("")
        io.say(post_prompt(n, len(pre), b.statement))
        answer = io.ask_valid("  Credence now: ", _post_answer)
        if answer is None:
            return _interrupted(io, entry.id)
        if answer == "skip":
            continue
        reason = io.ask("  What changed it (one line; empty if nothing): " if answer != "drop" else "  Why drop it: ")
        if reason is None:
            return _interrupted(io, entry.id)
        if answer == "drop":
            store.drop_in_post(entry.id, b.belief_id, reason)
        else:
            store.rate_post(entry.id, b.belief_id, answer, reason)
    io.say("")
    io.say("Did new beliefs come up in the conversation? Add them; an empty statement ends.")
    while True:
        text = io.ask("New belief: ")
        if text is None:
            return _interrupted(io, entry.id)
        if not text.strip():
            break
        credence = io.ask_valid("  Credence 0-100: ", validate_credence)
        if credence is None:
            return _interrupted(io, entry.id)
        reason = io.ask("  Why (one line): ")
        if reason is None:
            return _interrupted(io, entry.id)
        store.add_post_belief(entry.id, text, credence, reason)
    entry = store.complete_post(entry.id)
    io.say("")
    if entry.post_status != "complete":
        left = len(store.unrated_beliefs(entry.id))
        io.say(f"{left} belief(s) not re-rated yet: `advisor journal post {entry.id}` asks for them again.")
        io.say("")
    return True


def _post_answer(text: str) -> float | str:
    from advisor.journal.models import validate_credence

    t = text.strip().lower()
    if not t:
        return "skip"
    if t in ("drop", "d", "dropped"):
        return "drop"
    return validate_credence(t)


def _interrupted(io: Prompter, entry_id: int) -> bool:
    io.say(f"Input ended; what you entered is saved. Resume with `advisor journal post {entry_id}`.")
    return False


def _report_diff(store, entry_id: int, as_json: bool) -> int:
    from advisor.journal.render import format_diff

    diff = store.entry_diff(entry_id)
    if as_json:
        data = model_json(diff)
        for group in ("moved", "new", "dropped", "unrated"):
            for row, model in zip(data[group], getattr(diff, group), strict=True):
                row["change"] = model.change
        print_json(data)
    else:
        print(format_diff(diff))
    return 0


# ------------------------------------------------------------------------ list, show
def cmd_list(args: argparse.Namespace) -> int:
    with journal() as store:
        entries = store.list_entries()
        rows = []
        for e in entries:
            n_pre, n_post = store.entry_counts(e.id)
            rows.append((e, n_pre, n_post))
        if args.json:
            print_json([model_json(e) | {"pre_count": a, "post_count": b} for e, a, b in rows])
            return 0
        if not rows:
            print("No journal entries yet. Start one: advisor journal pre --about \"...\"")
            return 0
        print(f"{'ID':>4}  {'DATE':10}  {'KIND':7}  {'BELIEFS':7}  {'POST':11}  ABOUT")
        for e, n_pre, _ in rows:
            when = e.on.isoformat()
            who = f" (with {e.with_whom})" if e.with_whom else ""
            print(f"{e.id:>4}  {when:10}  {e.kind:7}  {n_pre:>7}  {e.post_status:11}  {e.about}{who}")
        return 0


def cmd_show(args: argparse.Namespace) -> int:
    from advisor.journal.models import fmt_credence
    from advisor.journal.render import format_diff

    with journal() as store:
        entry = store.get_entry(args.entry_id)
        pre = store.pre_beliefs(entry.id)
        if args.json:
            diff = store.entry_diff(entry.id)
            print_json({"entry": model_json(entry), "pre": model_json(pre), "diff": model_json(diff)})
            return 0
        who = f" with {entry.with_whom}" if entry.with_whom else ""
        medium = f" ({entry.medium})" if entry.medium else ""
        print(f"#{entry.id} {entry.about}")
        print(f"{entry.kind}{who}{medium}, on {entry.on} (journaled {entry.created_at:%Y-%m-%d %H:%M} UTC);"
              f" post: {entry.post_status}")
        print("")
        print("Before:")
        for b in pre:
            reason = f"  — {b.reason}" if b.reason else ""
            print(f"  {fmt_credence(b.credence):>5}  #{b.belief_id} {b.statement}{reason}")
        if entry.post_status != "none":
            print("")
            print(format_diff(store.entry_diff(entry.id)))
        else:
            print("")
            print(f"After the conversation: advisor journal post {entry.id}")
        return 0

"""Slash commands, dispatched through one table: each has its names, usage, help and a function.

Adding a command is one `Command(...)` in `COMMANDS`; /help is built from the table.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.errors import UsageError
from advisor.session.beliefs import record_pre
from advisor.session.events import Event, Message, Notice
from advisor.session.handlers import handler_for
from advisor.session.stages import ORDER, Stage, parse_stage

if TYPE_CHECKING:
    from advisor.session.engine import Session

Run = Callable[["Session", str], Iterator[Event]]


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]  # the first is shown in /help; the rest are aliases
    usage: str  # the arguments, e.g. "ID CREDENCE [reason]"
    help: str
    run: Run


def _notice(text: Callable[[Session], str]) -> Run:
    def run(session: Session, arg: str) -> Iterator[Event]:
        yield Notice(text(session))
    return run


def _stage(session: Session, arg: str) -> Iterator[Event]:
    if not arg:
        raise UsageError(f"say which stage: /stage explore (or 1-{len(ORDER)})")
    return session.goto(parse_stage(arg))


def _journal_beliefs(session: Session) -> str:
    beliefs = session.journal.all_beliefs()
    if not beliefs:
        return "Your journal has no beliefs yet."
    return "Beliefs in your journal (use /pull ID CREDENCE [reason]):\n" + "\n".join(
        f"  #{b.id} {b.statement}" for b in beliefs[-30:])


def _pull(session: Session, arg: str) -> Iterator[Event]:
    if session.stage is not Stage.BEFORE:
        raise UsageError("pull journal beliefs in the Before stage (/stage before)")
    m = re.match(r"#?(\d+)\s+(\d{1,3}(?:\.\d+)?)%?\s*(.*)$", arg)
    if not m:
        raise UsageError("use /pull ID CREDENCE [reason], e.g. /pull 3 60 because ...")
    belief = session.journal.get_belief(int(m.group(1)))
    reason = re.sub(r"^(because|since)\s+", "", m.group(3).strip(), flags=re.I)
    session.say(f"/pull {arg}", role="user")
    return record_pre(session, belief.statement, float(m.group(2)), reason, belief_id=belief.id)


def _accept(session: Session, arg: str) -> Iterator[Event]:
    proposals = session.state.get("proposals") or []
    if not proposals:
        raise UsageError("no proposed beliefs to accept")
    handler = handler_for(session.stage)
    if not handler.records_beliefs:
        raise UsageError("beliefs are accepted in the Before or After stage")
    picks = [int(n) for n in re.findall(r"\d+", arg)] or list(range(1, len(proposals) + 1))
    for n in picks:
        if not 1 <= n <= len(proposals):
            raise UsageError(f"no proposal {n}; there are {len(proposals)}")
    missing = []
    for n in picks:
        p = proposals[n - 1]
        credence = p.get("credence")
        if credence is None:
            missing.append(p["statement"])
            continue
        yield from handler.record_belief(session, p["statement"], credence, p.get("reason", ""),
                                         p.get("belief_id"))
    session.state["proposals"] = []
    if missing:
        session.state["pending_statement"] = missing[0]
        ask = f"What credence (0-100) do you give “{missing[0]}”?"
        session.say(ask)
        yield Message(ask)
    session.save_state()


COMMANDS: tuple[Command, ...] = (
    Command(("next", "skip"), "", "the next stage", lambda s, _: s.next_stage()),
    Command(("back",), "", "the previous stage", lambda s, _: s.goto(s.stage.previous())),
    Command(("stage",), "NAME", "move to a stage (" + ", ".join(s.value for s in ORDER) + ")", _stage),
    Command(("end", "done", "finish"), "", "go to the summary and finish", lambda s, _: s.end()),
    Command(("retry",), "", "send your last message again (after a model error)", lambda s, _: s.retry()),
    Command(("beliefs",), "", "beliefs already in your journal (ids for /pull)", _notice(_journal_beliefs)),
    Command(("pull",), "ID CREDENCE [reason]", "bring a journal belief into this session's Before", _pull),
    Command(("accept",), "[N ...]", "record proposed beliefs (all, or the numbers given)", _accept),
    Command(("status",), "", "where the session stands", _notice(lambda s: s.status_text())),
    Command(("help",), "", "this list;  /quit leaves (the session can be resumed)", _notice(lambda s: help_text())),
)

BY_NAME: dict[str, Command] = {name: c for c in COMMANDS for name in c.names}


def help_text() -> str:
    """/help: every command with its usage, from the table."""
    rows = [(f"/{c.names[0]} {c.usage}".rstrip(), c.help) for c in COMMANDS]
    width = max(len(usage) for usage, _ in rows) + 2
    return "Commands:\n" + "\n".join(f"  {usage:<{width}}{text}" for usage, text in rows)


HELP = help_text()


def run_command(session: Session, text: str) -> Iterator[Event]:
    """`/name args`: the command's events, or a UsageError naming /help."""
    name, _, arg = text[1:].partition(" ")
    command = BY_NAME.get(name.lower())
    if command is None:
        raise UsageError(f"unknown command /{name.lower()}; /help lists them")
    return command.run(session, arg.strip())

"""`advisor ask` and `advisor session start|resume|list|show|export`: the plain-terminal shell
over advisor.session (the TUI is another shell over the same engine)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, TextIO

from advisor.cli.common import journal, print_json, settings_from_env
from advisor.cli.first_use import prepared
from advisor.errors import ModelError, without_retry_advice

if TYPE_CHECKING:
    from advisor.session.engine import Session
    from advisor.session.events import Event
    from advisor.settings import Settings

PROVIDERS = ("auto", "openai", "local", "guide")


def register(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser("ask", help="ask one question; answered from the knowledge base (and a model if set)")
    ask.add_argument("question", nargs="+", help="your question")
    ask.add_argument("--provider", choices=PROVIDERS, help="override model.provider for this run")
    ask.add_argument("--json", action="store_true", help="print the answer and citations as JSON")
    ask.set_defaults(func=cmd_ask)

    from advisor.session.stages import ORDER

    group = sub.add_parser("session", help="a guided session: " + ", ".join(s.value for s in ORDER))
    ssub = group.add_subparsers(dest="session_command", metavar="SUBCOMMAND")

    start = ssub.add_parser("start", help="start a session in this terminal (reads lines; works piped)")
    start.add_argument("--topic", required=True, help="the decision or question, in a sentence")
    start.add_argument("--provider", choices=PROVIDERS, help="override model.provider for this run")
    start.set_defaults(func=cmd_start)

    resume = ssub.add_parser("resume", help="continue a session from its last saved turn")
    resume.add_argument("session_id", type=int, metavar="ID")
    resume.add_argument("--provider", choices=PROVIDERS, help="override model.provider for this run")
    resume.set_defaults(func=cmd_resume)

    lst = ssub.add_parser("list", help="reflection sessions, then one-off questions (`advisor ask`) apart")
    lst.add_argument("--kind", choices=["session", "ask"], help="only reflection sessions, or only asks")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(func=cmd_list)

    show = ssub.add_parser("show", help="one session: its transcript and summary")
    show.add_argument("session_id", type=int, metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    export = ssub.add_parser("export", help="a session as Markdown (transcript and summary)")
    export.add_argument("session_id", type=int, metavar="ID")
    export.add_argument("--output", "-o", help="write to this file instead of stdout")
    export.set_defaults(func=cmd_export)


def _settings(args: argparse.Namespace) -> Settings:
    settings = settings_from_env()
    provider = getattr(args, "provider", None)
    if provider:
        settings.model.provider = provider
    return settings


# ------------------------------------------------------------------------------- rendering
class Renderer:
    """Chunks to a plain terminal: streamed text as it comes, the rest on its own lines."""

    def __init__(self, out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.open = False
        self.errors = 0

    def _close(self) -> None:
        if self.open:
            self.out.write("\n")
            self.open = False

    def write(self, event: Event) -> None:
        from advisor.session.events import (
            Done,
            ErrorEvent,
            Message,
            Notice,
            Prompt,
            Sources,
            StageOpened,
            SummaryReady,
            TextDelta,
        )

        if not isinstance(event, TextDelta):
            self._close()
        match event:
            case TextDelta(text=text):
                if not self.open:
                    self.out.write("advisor> ")
                self.out.write(text)
                self.open = True
            case Message(text=text) | Prompt(text=text):
                self.out.write(f"advisor> {text}\n")
            case StageOpened():
                self.out.write(f"\n== {event.text} ==\n")
            case ErrorEvent(text=text):
                self.errors += 1
                self.err.write(f"advisor: {text}\n")
                self.err.flush()
            case SummaryReady(text=text) | Sources(text=text):
                self.out.write(text + "\n")
            case Notice(text=text):
                self.out.write(f"[{text}]\n" if "\n" not in text else text + "\n")
            case Done():
                pass
        self.out.flush()

    def all(self, events: Iterable[Event]) -> None:
        for event in events:
            self.write(event)
        self._close()
        self.out.flush()


# ------------------------------------------------------------------------------- ask
def cmd_ask(args: argparse.Namespace) -> int:
    from advisor.session.ask import ask
    from advisor.session.events import ErrorEvent, Notice

    settings = _settings(args)
    question = " ".join(args.question)
    if not question.strip():
        from advisor.errors import UsageError

        raise UsageError('ask a question: advisor ask "..."')
    with journal(settings) as store, prepared(settings) as (kb, client):
        session, events = ask(store, settings, question, client=client, retriever=kb)
        try:
            if args.json:
                errors = [e.text for e in events if isinstance(e, ErrorEvent)]
                if errors:
                    raise ModelError(f"{errors[0]} (saved as session #{session.id})")
                print_json(ask_result(session, question))
                return 0
            r = Renderer()
            if session.info.warning:
                r.write(Notice(session.info.warning))
            errors = []
            for event in events:
                if isinstance(event, ErrorEvent):
                    errors.append(event.text)
                    continue
                r.write(event)
            r._close()
            if errors:
                raise ModelError(f"{without_retry_advice(errors[0])} Your question is saved as session "
                                 f"#{session.id}: `advisor session resume {session.id}` then /retry.")
            return 0
        finally:
            session.close()


def ask_result(session: Session, question: str) -> dict[str, object]:
    """`ask --json`: the answer (the model's reply, or its rewrite; never the follow-up question),
    the citations it carries and the numbers it used, what the checks found, and the tool calls."""
    from advisor.session.candour import cited

    advisor = [t for t in session.turns() if t.role == "advisor" and t.status == "ok"]
    answers = [t for t in advisor if not {"follow-up", "replaced"} & set(t.flags)] or advisor
    turn = answers[-1]
    follow = [t.content.removeprefix("→ ").strip() for t in advisor if "follow-up" in t.flags]
    notices = [t.content for t in session.turns() if t.role == "notice" and t.flags]
    return {
        "session_id": session.id, "question": question, "answer": turn.content,
        "citations": [c.model_dump() for c in turn.citations], "cited": cited(turn.content),
        "follow_up": follow[-1] if follow else None, "flags": turn.flags, "checks": notices,
        "tool_calls": [c.model_dump() for c in turn.tool_calls],
        "provider": session.info.provider, "model": session.info.label,
        "warning": session.info.warning or None,
    }


# ------------------------------------------------------------------------------- session loop
def cmd_start(args: argparse.Namespace) -> int:
    from advisor.session.engine import Session

    settings = _settings(args)
    with journal(settings) as store, prepared(settings) as (kb, client):
        session = Session.start(store, settings, args.topic, client=client, retriever=kb)
        return _loop(session)


def cmd_resume(args: argparse.Namespace) -> int:
    from advisor.session.engine import Session
    from advisor.session.store import SessionStore

    settings = _settings(args)
    with journal(settings) as store:
        SessionStore(store).get(args.session_id)  # an unknown id fails before any work
        with prepared(settings) as (kb, client):
            session = Session.resume(store, settings, args.session_id, client=client, retriever=kb)
            return _loop(session)


def _loop(session: Session, stdin: TextIO | None = None, out: TextIO | None = None) -> int:
    stdin = stdin or sys.stdin
    r = Renderer(out)
    tty = stdin.isatty()
    try:
        r.out.write(f"Session #{session.id}: {session.topic}  (/help for commands, /quit to leave)\n")
        r.all(session.opening())
        while True:
            r.out.write("you> ")
            r.out.flush()
            line = stdin.readline()
            if not line:
                r.out.write("\n")
                break
            if not tty:  # echo piped input so the output reads like a transcript
                r.out.write(line if line.endswith("\n") else line + "\n")
            text = line.strip()
            if text.lower() in ("/quit", "/exit", "/q"):
                break
            r.all(session.send(text))
        if session.complete:
            where = f"; journal entry #{session.entry_id}" if session.entry_id else ""
            r.out.write(f"Session #{session.id} is complete{where}. `advisor session show {session.id}`.\n")
        else:
            r.out.write(f"Session #{session.id} saved at stage {session.stage.value}; "
                        f"continue with `advisor session resume {session.id}`.\n")
        r.out.flush()
    finally:
        session.close()
    return 0


# ------------------------------------------------------------------------------- list / show
def cmd_list(args: argparse.Namespace) -> int:
    from advisor.session.store import SessionStore

    with journal() as store:
        records = [r for r in SessionStore(store).list() if args.kind in (None, r.kind)]
    if args.json:
        print_json([r.model_dump(mode="json", exclude={"state"}) for r in records])
        return 0
    sessions = [r for r in records if r.kind == "session"]
    asks = [r for r in records if r.kind == "ask"]
    if args.kind != "ask":
        if sessions:
            print("Reflection sessions:")
        else:
            print('No reflection sessions yet. Start one: advisor session start --topic "..."')
        for r in sessions:
            entry = f" entry #{r.entry_id}" if r.entry_id else ""
            print(f"  #{r.id:<4} {r.created_at:%Y-%m-%d} {r.status:<8} {r.stage:<9} {r.topic}{entry}")
    if args.kind == "ask" or asks:
        if args.kind != "ask":
            print("")
        print("One-off questions (advisor ask):" if asks else 'No one-off questions yet: advisor ask "..."')
        for r in asks:
            print(f"  #{r.id:<4} {r.created_at:%Y-%m-%d} {r.topic}")
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from advisor.session.export import export_markdown
    from advisor.session.store import SessionStore

    with journal() as store:
        ss = SessionStore(store)
        record = ss.get(args.session_id)
        turns = ss.turns(record.id)
        if args.json:
            data = record.model_dump(mode="json")
            data["turns"] = [t.model_dump(mode="json") for t in turns]
            print_json(data)
            return 0
        sys.stdout.write(export_markdown(record, turns))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from advisor.session.export import export_markdown
    from advisor.session.store import SessionStore

    with journal() as store:
        ss = SessionStore(store)
        record = ss.get(args.session_id)
        text = export_markdown(record, ss.turns(record.id))
    if args.output:
        from pathlib import Path

        Path(args.output).write_text(text, encoding="utf-8")
        print(f"wrote session #{record.id} to {args.output}")
    else:
        sys.stdout.write(text)
    return 0

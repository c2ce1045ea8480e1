"""`advisor` entry point: dispatch to a command module, turn AdvisorError into one line and an exit code."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from advisor import __version__
from advisor.errors import AdvisorError

#: Command modules, each with `register(subparsers)`; imported only when the CLI is built.
COMMAND_MODULES = (
    "advisor.cli.journal_cmd",
    "advisor.cli.beliefs_cmd",
    "advisor.cli.transfer_cmd",
    "advisor.cli.config_cmd",
    "advisor.cli.notes_cmd",
    "advisor.cli.kb_cmd",
    "advisor.cli.landscape_cmd",
    "advisor.cli.session_cmd",
    "advisor.cli.search_cmd",
    "advisor.cli.eval_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line (exit 2) instead of a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"advisor: {message} (see `{self.prog} --help`)\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="advisor",
        description=(
            "A terminal advisor for choosing a research direction or career in AI research and "
            "AI safety. With no command, opens the terminal UI."
        ),
    )
    parser.add_argument("--version", action="version", version=f"advisor {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # a command module not written yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:  # the terminal UI: skip building the CLI (it imports every command module)
        try:
            return _run_tui()
        except AdvisorError as exc:
            sys.stderr.write(f"advisor: {exc.message}\n")
            return exc.exit_code
        except KeyboardInterrupt:
            return 130
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if not getattr(args, "func", None):
            if args.command:  # a group like `advisor journal` with no subcommand
                parser.parse_args([args.command, "--help"])
            return _run_tui()
        result = args.func(args)
        return int(result or 0)
    except AdvisorError as exc:
        sys.stderr.write(f"advisor: {exc.message}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("\nadvisor: interrupted; everything you confirmed is saved.\n")
        return 130
    except BrokenPipeError:
        return 0


def _run_tui() -> int:
    from advisor.tui.app import run_app

    return run_app()  # it loads settings itself, after the first paint


if __name__ == "__main__":
    raise SystemExit(main())

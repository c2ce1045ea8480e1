"""The CLI's argument parser: every command module registers its commands on it.

Kept apart from `advisor.cli.main` so that `advisor` with no arguments (the terminal UI) does not
import argparse or any command module.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from advisor import __version__

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

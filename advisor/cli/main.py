"""`advisor` entry point: dispatch to a command module, turn AdvisorError into one line and an exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor.errors import AdvisorError

if TYPE_CHECKING:
    import argparse


def build_parser() -> argparse.ArgumentParser:
    from advisor.cli.parser import build_parser as build

    return build()


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
    from advisor.tui.launch import run_app

    return run_app()  # it loads settings itself, after the first paint


if __name__ == "__main__":
    raise SystemExit(main())

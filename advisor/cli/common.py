"""Small shared pieces of the CLI shell: opening stores from settings, JSON output, prompting."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from advisor.errors import AdvisorError

if TYPE_CHECKING:  # the settings (pydantic-settings) load only for commands that need them
    from advisor.settings import Settings

T = TypeVar("T")


def settings_from_env() -> Settings:
    from advisor.settings import load_settings

    return load_settings()


@contextmanager
def journal(settings: Settings | None = None) -> Iterator[Any]:
    """The journal store for these settings (or, without them, in the data directory the settings
    would name, found without building them), closed afterwards."""
    from advisor.journal.store import JournalStore
    from advisor.paths import JOURNAL_FILE, configured_home, ensure_data_dir

    home = settings.home if settings is not None else configured_home()
    store = JournalStore.open(ensure_data_dir(home) / JOURNAL_FILE)
    try:
        yield store
    finally:
        store.close()


def date_arg(text: str) -> date:
    """An argparse type: a date like 2026-11-23, or argparse's one-line error."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-23") from None


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def model_json(obj: Any) -> Any:
    """A pydantic model (or a list of them) as JSON-able data."""
    if isinstance(obj, list):
        return [model_json(o) for o in obj]
    return obj.model_dump(mode="json") if hasattr(obj, "model_dump") else obj


class Prompter:
    """Line prompts on stdin/stdout that work the same typed or piped. EOF ends input (returns None)."""

    def __init__(self, stdin=None, stdout=None) -> None:
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout

    def say(self, text: str = "") -> None:
        self.stdout.write(text + "\n")
        self.stdout.flush()

    def ask(self, prompt: str) -> str | None:
        self.stdout.write(prompt)
        self.stdout.flush()
        line = self.stdin.readline()
        if not line:
            self.stdout.write("\n")
            return None
        if not self.stdin.isatty():  # echo piped answers so transcripts read like a session
            self.stdout.write(line if line.endswith("\n") else line + "\n")
        return line.rstrip("\r\n")

    def ask_valid(self, prompt: str, parse: Callable[[str], T]) -> T | None:
        """Ask until `parse` accepts the answer (its AdvisorError is shown, then asked again)."""
        while True:
            answer = self.ask(prompt)
            if answer is None:
                return None
            try:
                return parse(answer)
            except AdvisorError as exc:
                self.say(f"  {exc.message}; try again.")

    def confirm(self, prompt: str, default: bool = True) -> bool | None:
        answer = self.ask(prompt + (" [Y/n] " if default else " [y/N] "))
        if answer is None:
            return None
        answer = answer.strip().lower()
        if not answer:
            return default
        return answer in ("y", "yes")

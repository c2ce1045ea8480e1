"""Prompt files (prompts/*.md) loaded at run time and filled with named placeholders.

The system prompt, each stage's instructions, the structured-output prompts and the guide-mode
question banks all live in prompts/ as Markdown, so they can be read and edited without code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from advisor import resources
from advisor.errors import AdvisorError
from advisor.session.passages import PassageLike
from advisor.session.stages import Stage

if TYPE_CHECKING:
    from advisor.journal.models import BeliefView

#: Longest passage text put into a prompt (characters); small models get a smaller budget.
PASSAGE_CHARS = 900


class _Keep(dict[str, str]):
    def __missing__(self, key: str) -> str:  # an unknown placeholder stays as written
        return "{" + key + "}"


def prompts_root(root: Path | None = None) -> Path:
    try:
        return Path(root) if root else resources.prompts_dir()
    except FileNotFoundError as exc:
        raise AdvisorError(str(exc)) from None


@lru_cache(maxsize=64)
def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise AdvisorError(f"prompt file {path} cannot be read: {exc.strerror or exc}") from None


def load(name: str, root: Path | None = None) -> str:
    """The text of prompts/<name> (e.g. 'system.md', 'stages/explore.md')."""
    return _read(prompts_root(root) / name)


def render(template: str, **values: object) -> str:
    """Fill {name} placeholders; unknown ones are left as they are, `{{` is a literal brace."""
    return template.format_map(_Keep({k: "" if v is None else str(v) for k, v in values.items()}))


def format_passages(passages: Sequence[PassageLike], max_chars: int = PASSAGE_CHARS) -> str:
    """Passages as quoted, numbered data with their sources, ready to cite as [1], [2]."""
    if not passages:
        return "(none: the knowledge base has nothing on this; say so if it matters)"
    blocks = []
    for i, p in enumerate(passages, 1):
        text = " ".join(p.text.split())
        if len(text) > max_chars:
            text = text[: max_chars - 1].rstrip() + "…"
        where = f"{p.title}, {p.location}" if p.location else p.title
        kind = "your note" if p.kind == "note" else "curated"
        quoted = "\n".join("> " + line for line in text.splitlines() or [""])
        blocks.append(f"[{i}] {where} ({kind}; {p.source})\n{quoted}")
    return "\n\n".join(blocks)


def format_beliefs(beliefs: Sequence[BeliefView]) -> str:
    if not beliefs:
        return "(none recorded yet)"
    lines = []
    for b in beliefs:
        reason = f" — because {b.reason}" if b.reason else " — (no reason given)"
        lines.append(f"- {b.statement} — {b.credence:g}%{reason}")
    return "\n".join(lines)


def system_prompt(
    *,
    topic: str,
    stage: Stage,
    passages: Sequence[PassageLike] = (),
    beliefs: Sequence[BeliefView] = (),
    passage_chars: int = PASSAGE_CHARS,
    root: Path | None = None,
    memory: Sequence[str] = (),
    guard: str = "",
) -> str:
    """The whole system prompt for one turn: method, stage instructions, beliefs, the user's
    journal where it bears on the message, passages, and any guard for this turn."""
    return render(
        load("system.md", root),
        topic=topic,
        stage_title=stage.title,
        stage_instructions=load(f"stages/{stage.value}.md", root).strip(),
        beliefs=format_beliefs(beliefs),
        memory="\n".join(memory) or "(nothing in the journal bears on this message)",
        passages=format_passages(passages, passage_chars),
        guard=guard,
    ).strip() + "\n"


# ----------------------------------------------------------------------- guide question banks
_SECTION = re.compile(r"^##\s+(\S+)\s*$")


def parse_bank(text: str) -> dict[str, list[str]]:
    """`## name` headings, each followed by `- item` bullets (continuation lines join the item)."""
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        m = _SECTION.match(line)
        if m:
            current = sections.setdefault(m.group(1).lower(), [])
            continue
        if current is None or not line.strip():
            continue
        if line.lstrip().startswith("- "):
            current.append(line.lstrip()[2:].strip())
        elif current:
            current[-1] += " " + line.strip()
    return sections


def guide_bank(name: str, root: Path | None = None) -> dict[str, list[str]]:
    """A guide-mode bank, e.g. guide_bank('explore') or guide_bank('followups')."""
    return parse_bank(load(f"guide/{name}.md", root))


def estimate_tokens(text: str) -> int:
    """A cautious token count with no tokenizer at hand: English runs ~4 characters a token, so
    counting one per 3 characters (plus a message's framing) errs toward leaving room."""
    return len(text) // 3 + 4

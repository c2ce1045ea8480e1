"""The AI-safety subfield map (knowledge/subfields.yaml) and the curated cards' index, as data.

Light on purpose (YAML and file reads only) so the CLI and the TUI can list them instantly.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from pydantic import BaseModel, Field

from advisor.errors import AdvisorError
from advisor.resources import knowledge_dir


class Subfield(BaseModel):
    id: str
    name: str
    card: str
    summary: str
    branch: str = ""
    core_problems: list[str] = Field(default_factory=list)
    methods: list[str] = Field(default_factory=list)
    entry_project: str = ""
    gathers: list[str] = Field(default_factory=list)


class CardInfo(BaseModel):
    path: str  # relative to the knowledge folder
    title: str
    kind: str
    topics: list[str] = Field(default_factory=list)
    headings: list[str] = Field(default_factory=list)


def _root(root: Path | None) -> Path:
    return Path(root) if root else knowledge_dir()


def load_subfields(root: Path | None = None) -> list[Subfield]:
    path = _root(root) / "subfields.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise AdvisorError(f"cannot read the subfield map {path}: {exc}") from None
    return [Subfield.model_validate(item) for item in data]


def find_subfield(ref: str, root: Path | None = None) -> Subfield:
    ref_l = ref.strip().lower()
    subfields = load_subfields(root)
    for s in subfields:
        if ref_l in (s.id, s.name.lower()):
            return s
    matches = [s for s in subfields if ref_l in s.id or ref_l in s.name.lower()]
    if len(matches) == 1:
        return matches[0]
    ids = ", ".join(s.id for s in subfields)
    raise AdvisorError(f"no single subfield matches {ref!r}; the map has: {ids}")


def list_cards(root: Path | None = None) -> list[CardInfo]:
    """Every curated card with its title, kind, topics and section headings."""
    base = _root(root)
    cards = []
    for path in sorted(base.rglob("*.md")):
        if path.name.lower() == "readme.md":
            continue
        text = path.read_text(encoding="utf-8")
        match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.S)
        if not match:
            continue
        meta = yaml.safe_load(match.group(1)) or {}
        cards.append(
            CardInfo(
                path=str(path.relative_to(base)),
                title=str(meta.get("title", path.stem)),
                kind=str(meta.get("kind", "")),
                topics=[str(t) for t in meta.get("topics") or []],
                headings=re.findall(r"^## (.+)$", match.group(2), re.M),
            )
        )
    return cards

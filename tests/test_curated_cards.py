"""The curated base as shipped: every card well-formed and cited, the subfield map consistent with the cards."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from advisor.resources import knowledge_dir

KINDS = {"strategy", "field", "subfield", "career-path", "epistemics"}
ROOT = knowledge_dir()
CARDS = sorted(p for p in ROOT.rglob("*.md") if p.name.lower() != "readme.md")


def split(card: Path) -> tuple[dict, str]:
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", card.read_text(encoding="utf-8"), re.S)
    assert match, f"{card}: no front matter"
    return yaml.safe_load(match.group(1)), match.group(2)


def test_there_are_at_least_30_cards_covering_every_kind():
    kinds = Counter(split(c)[0]["kind"] for c in CARDS)
    assert len(CARDS) >= 30
    assert set(kinds) == KINDS


@pytest.mark.parametrize("card", CARDS, ids=lambda p: str(p.relative_to(ROOT)))
def test_card_front_matter_and_sections(card):
    meta, body = split(card)
    assert meta.get("title") and meta.get("kind") in KINDS
    assert isinstance(meta.get("topics"), list) and meta["topics"]
    assert isinstance(meta.get("sources"), list) and meta["sources"]
    for source in meta["sources"]:
        for field in ("author", "title", "where", "date"):
            assert str(source.get(field, "")).strip(), f"source lacks {field}"
    headings = re.findall(r"^## (.+)$", body, re.M)
    assert headings, "a card needs ## sections (citations point at them)"
    if card.parent.name == "careers" and meta["kind"] == "career-path":
        assert any(h.startswith("Questions to ask") for h in headings)


def test_subfield_map_matches_the_subfield_cards():
    entries = yaml.safe_load((ROOT / "subfields.yaml").read_text(encoding="utf-8"))
    fields = ("id", "name", "card", "summary", "core_problems", "methods", "entry_project", "gathers")
    for entry in entries:
        assert all(entry.get(f) for f in fields), entry.get("id")
        assert (ROOT / entry["card"]).is_file(), entry["card"]
        assert split(ROOT / entry["card"])[0]["kind"] == "subfield"
    subfield_cards = {str(c.relative_to(ROOT)) for c in CARDS if split(c)[0]["kind"] == "subfield"}
    assert subfield_cards == {e["card"] for e in entries}
    ids = {e["id"] for e in entries}
    for core in ("interpretability", "ai-control", "model-organisms", "scalable-oversight"):
        assert core in ids


def test_subfields_and_cards_from_the_cli(cli):
    import json

    listing = json.loads(cli("subfields", "--json").out)
    assert {s["id"] for s in listing} >= {"interpretability", "ai-control"}
    detail = cli("subfields", "control")
    assert detail.code == 0 and "An entry project:" in detail.out and "subfields/ai-control.md" in detail.out
    bad = cli("subfields", "astrology")
    assert bad.code != 0 and "no single subfield matches" in bad.err and "Traceback" not in bad.err
    careers = json.loads(cli("cards", "--kind", "career-path", "--json").out)
    assert careers and all(c["kind"] == "career-path" for c in careers)
    assert all("Questions to ask people in this path" in c["headings"] for c in careers if c["path"] != "careers/value-over-replacement.md" and c["path"] != "careers/career-conversations.md")

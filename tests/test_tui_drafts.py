"""The TUI's drafts file: kept across launches, private, and robust to a corrupt file."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.tui.drafts import Drafts


def test_drafts_persist_and_clear(tmp_path: Path) -> None:
    path = tmp_path / "d" / "drafts.json"
    d = Drafts(path)
    d.set("a", {"statement": "x", "credence": ""})
    d.set("b", "hello")
    assert json.loads(path.read_text()) == {"a": {"statement": "x", "credence": ""}, "b": "hello"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = Drafts(path)
    assert again.get("b") == "hello"
    again.set("b", "")  # an emptied draft is removed
    again.set("a", {"statement": "", "credence": None})
    assert json.loads(path.read_text()) == {}


def test_drafts_survive_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    path.write_text("{not json")
    d = Drafts(path)
    assert d.get("x") is None
    d.set("x", "y")
    assert Drafts(path).get("x") == "y"

"""The retrieval bench's question sets point at passages that exist.

A card edit that renames a section would otherwise make the bench count right answers as misses
without anyone noticing. Answers in the seed essays live outside the repository, so the bench
checks those lines itself when it loads the essays (bench/bench_retrieval.py); here only their form.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from support import REPO

SETS = [REPO / "bench" / "questions.json", REPO / "bench" / "questions_test.json"]


def _headings(path: Path) -> list[str]:
    if path.suffix == ".yaml":
        return [entry["name"] for entry in yaml.safe_load(path.read_text())]
    return [m.group(1).strip() for m in re.finditer(r"^## (.+)$", path.read_text(), re.M)]


@pytest.mark.parametrize("qset", SETS, ids=lambda p: p.name)
def test_every_answer_names_an_existing_passage(qset):
    questions = json.loads(qset.read_text())
    assert len(questions) >= 50
    texts = [q["q"] for q in questions]
    assert len(set(map(str.lower, texts))) == len(texts), "duplicate questions"
    for q in questions:
        assert q["answers"], q["q"]
        for answer in q["answers"]:
            file = answer["file"]
            if file.startswith("knowledge/"):
                path = REPO / file
                assert path.is_file(), (q["q"], file)
                assert any(h.startswith(answer["heading"]) for h in _headings(path)), (q["q"], answer)
            else:
                assert re.fullmatch(r"seeds/[0-9]{3}_[0-9a-f]{16}\.txt", file), (q["q"], file)
                assert answer["lines"] and all(isinstance(n, int) and n >= 1 for n in answer["lines"]), (q["q"], answer)


def test_the_test_set_does_not_repeat_the_dev_set():
    dev, test = ({q["q"].strip().lower() for q in json.loads(p.read_text())} for p in SETS)
    assert not dev & test

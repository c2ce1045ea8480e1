"""What the tests share that is not a fixture: paths, the in-repo corpus, one settings builder,
and a seeded journal. Fakes live in fakes.py; fixtures in conftest.py."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FIXED = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)

# A small corpus of the project's own writing: essay-like notes on the product's themes
# (tests/corpus/notes) and questions labelled with the passages that answer them
# (tests/corpus/questions.json). The knowledge-base tests add these notes, so they read nothing
# from outside the repository.
KB_CORPUS = REPO / "tests" / "corpus"
KB_NOTES = KB_CORPUS / "notes"
# where the corpus answers "what do members of a research field share?": its definition passage
KB_FIELD_NOTE = KB_NOTES / "research-fields.txt"
KB_FIELD_TITLE = "Notes on what makes a research field"
KB_FIELD_LOCATION = "line 5"
KB_FIELD_TEXT = "a research field is a community of people who share two things, a short list of problems"

KB_CARDS = {
    "interpretability.md": """---
title: Mechanistic interpretability
kind: subfield
topics: [interpretability, alignment]
sources:
  - {author: Example Author, title: A primer, where: "https://example.org/primer", date: "2024"}
---

## What it is

Mechanistic interpretability reverse-engineers the circuits inside neural networks: which
features a model represents and how its weights compute them, using probes, sparse
autoencoders and activation patching.

## Core problems

Superposition makes single neurons polysemantic, so features must be recovered from directions
in activation space rather than from individual units.
""",
    "governance.md": """---
title: AI governance careers
kind: career-path
topics: [governance, policy]
sources: []
---

## Who it suits

People who like institutions, law and negotiation: compute governance, standards bodies,
export controls and legislative staff roles shape how frontier labs are regulated.

## First steps

Read policy briefs, apply to fellowships in government, and learn enough machine learning to be
credible with technical staff.
""",
    "calibration.md": """---
title: Calibrated forecasting
kind: epistemics
topics: [epistemics]
sources: []
---

## Why it matters

When you choose a research direction you are betting on forecasts; tracking probabilities and
scoring them with the Brier score shows whether your confidence is well placed.
""",
}


def make_settings(home: Path, *, provider: str = "guide", cards: Path | None = None, **sections: Any) -> Any:
    """Settings for a test: a private home, guide mode unless told otherwise, and any sections given
    as dicts (`model={...}`, `knowledge={...}`); `cards` points the curated base at a test folder."""
    from advisor.settings import Settings

    model = {"provider": provider, **sections.pop("model", {})}
    knowledge = dict(sections.pop("knowledge", {}))
    if cards is not None:
        knowledge["curated_dir"] = cards
    return Settings(home=home, model=model, knowledge=knowledge, **sections)


def kb_make_settings(home: Path, cards: Path, **knowledge: object) -> Any:
    """Settings for the knowledge-base tests: the test cards, and knowledge settings as given."""
    return make_settings(home, cards=cards, knowledge=knowledge)


def seed_journal(store: Any) -> None:
    """Two person entries (one complete), three beliefs with histories; all timestamps fixed."""
    e1 = store.create_entry("Coffee with Sam about lab safety teams", with_whom="Sam", medium="coffee",
                            occurred_on=date(2025, 11, 2))
    store.add_pre_belief(e1.id, "Working at a frontier lab speeds up capabilities", 70, "they ship products")
    store.add_pre_belief(e1.id, "I would learn faster at a lab than in a PhD", 60, "better mentors")
    store.rate_post(e1.id, 1, 55, "Sam's team does mostly evals")
    store.rate_post(e1.id, 2, 75, "the mentorship there is real")
    store.complete_post(e1.id)
    e2 = store.create_entry("Call with Priya on interpretability PhDs", with_whom="Priya", medium="call",
                            occurred_on=date(2025, 12, 10))
    store.add_pre_belief(e2.id, "I would learn faster at a lab than in a PhD", 65, "")
    store.add_pre_belief(e2.id, "Interpretability will be useful for safety by 2030", 40, "unclear path")
    with store.transaction() as conn:
        for table in ("entries", "beliefs", "ratings"):
            conn.execute(f"UPDATE {table} SET created_at = ?", (FIXED.isoformat(),))
        conn.execute("UPDATE entries SET post_completed_at = ? WHERE post_completed_at IS NOT NULL",
                     (FIXED.isoformat(),))


def without_progress(stderr: str) -> str:
    """stderr without the progress lines that indexing or starting a model writes to a pipe
    ("advisor: progress: ...", at least every 2 s): what is left are warnings and errors."""
    return "".join(ln for ln in stderr.splitlines(keepends=True) if not ln.startswith("advisor: progress: "))

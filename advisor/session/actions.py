"""Next actions for the summary, each tied to a named uncertainty and small enough for this week:
a question from a career card put to someone in that path, a subfield's entry project, or a
short written answer to a question the user left open.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from advisor.session.relevance import Scorer, best

QUESTIONS_HEADING = "Questions to ask people in this path"
#: Most actions the summary proposes.
MAX_ACTIONS = 3


#: The heading that makes a career card a path one can be "on" (not a topic such as value over replacement).
PATH_HEADING = "What the path is"


@dataclass(frozen=True)
class CardQuestion:
    path: str  # the career card's title
    question: str
    is_path: bool = True  # False for a card about choosing (value over replacement), not a path


def card_questions(curated: Path | None) -> list[CardQuestion]:
    """Every "Questions to ask people in this path" bullet of the career cards."""
    from advisor.knowledge.landscape import list_cards
    from advisor.resources import knowledge_dir

    root = Path(curated) if curated else knowledge_dir()
    out = []
    try:
        cards = [c for c in list_cards(curated) if c.kind == "career-path" and QUESTIONS_HEADING in c.headings]
        for card in cards:
            text = (root / card.path).read_text(encoding="utf-8")
            m = re.search(rf"^## {QUESTIONS_HEADING}\s*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
            for line in (m.group(1) if m else "").splitlines():
                if line.strip().startswith("- "):
                    out.append(CardQuestion(card.title, line.strip()[2:].strip(), PATH_HEADING in card.headings))
    except Exception:  # noqa: BLE001 - no cards, no card questions: the other actions remain
        return []
    return out


def _subfield_projects(curated: Path | None) -> list[tuple[str, str]]:
    from advisor.knowledge.landscape import load_subfields

    try:
        return [(s.name, s.entry_project) for s in load_subfields(curated) if s.entry_project]
    except Exception:  # noqa: BLE001 - no map, no entry projects
        return []


def _short_name(name: str) -> str:
    return re.sub(r"\s*\(.*?\)", "", name).split(" and ")[0].lower()


def path_phrase(path: str) -> str:
    """A career card's title inside a sentence: lower case but for acronyms ("an AI lab")."""
    return " ".join(w if w[1:2].isupper() else w.lower() for w in path.split())


def ask_line(card: CardQuestion, why: str) -> str:
    if not card.is_path:
        return (f"This week, ask someone in a role you are weighing (a question from “{card.path}”): "
                f"“{card.question}” ({why}).")
    return f"This week, ask someone on the path of {path_phrase(card.path)}: “{card.question}” ({why})."


def next_actions(open_questions: list[str], uncertain: list[tuple[str, float]], scorer: Scorer,
                 curated: Path | None) -> list[str]:
    """Up to three actions: one per open question, then one per belief nearest 50%, each naming
    the uncertainty it tests."""
    cards = card_questions(curated)
    projects = _subfield_projects(curated)
    actions: list[str] = []
    used: set[str] = set()

    def ask_someone(topic: str) -> CardQuestion | None:
        fresh = [c for c in cards if c.question not in used]
        ranked = best(scorer, topic, [f"{c.path}: {c.question}" for c in fresh])
        if ranked and ranked[0][1] >= scorer.threshold * 0.8:
            chosen = fresh[ranked[0][0]]
            used.add(chosen.question)
            return chosen
        return None

    for q in open_questions[:2]:
        card = ask_someone(q)
        if card:
            actions.append(ask_line(card, f"it bears on your open question “{q}”"))
        else:
            actions.append(f"Before the week is out, spend 20 minutes writing your best answer to “{q}”, "
                           f"then check it with one person who would know; note whether it changes your decision.")
    for statement, credence in uncertain:
        if len(actions) >= MAX_ACTIONS:
            break
        low = statement.lower()
        project = next(((n, p) for n, p in projects if _short_name(n) in low), None)
        if project:
            actions.append(f"This weekend, try the {project[0]} entry project: {project[1]} "
                           f"(a cheap test of “{statement}”, now {credence:g}%).")
            continue
        card = ask_someone(statement)
        if card:
            actions.append(ask_line(card, f"a test of “{statement}”, now {credence:g}%"))
        else:
            actions.append(f"This week, name one observation that would move “{statement}” (now {credence:g}%) "
                           f"by 20 points, and look for it.")
    return actions[:MAX_ACTIONS]

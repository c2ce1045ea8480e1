"""List questions ("what subfields are there?", "which career paths?") answered from the subfield
map and the career cards themselves, with what the base says about neglect when it is asked."""

from __future__ import annotations

import re
from pathlib import Path

from advisor.session.answers import Answer, Search, quote_best
from advisor.session.relevance import Scorer, split_sentences
from advisor.session.store import Citation

NEGLECT = re.compile(r"\b(neglect\w*|underrated|crowded|under-?explored|few people|gaps?)\b", re.I)
SIZE_CUES = re.compile(r"\b(smaller|very small|aspirational|underrated|neglect\w*|room for|don't yet exist|"
                       r"few (people|researchers)|newcomer)\b", re.I)


def list_answer(question: str, curated: Path | None, search: Search, scorer: Scorer) -> Answer | None:
    """A list question answered from the subfield map or the career cards; None if neither fits."""
    low = question.lower()
    if re.search(r"sub-?fields?|research areas|areas of|branches|agendas", low):
        answer = _subfields(curated)
        if answer is not None and NEGLECT.search(question):
            _neglect(answer, question, search, scorer)
        return answer
    if re.search(r"career|paths?|roles|jobs|kinds of work", low):
        return _careers(curated)
    return None


def _subfields(curated: Path | None) -> Answer | None:
    from advisor.knowledge.landscape import load_subfields

    try:
        subfields = load_subfields(curated)
    except Exception:  # noqa: BLE001 - a missing or broken map: answer from passages instead
        return None
    if not subfields:
        return None
    answer = Answer(grounded=True)
    answer.citations.append(Citation(n=1, title="AI-safety subfield map", source="knowledge/subfields.yaml"))
    answer.lines.append(f"The subfield map holds {len(subfields)} empirical AI-safety subfields [1]:")
    answer.lines += [f"- {s.name}: {s.summary}" for s in subfields]
    return answer


def _neglect(answer: Answer, question: str, search: Search, scorer: Scorer) -> None:
    """What the base says about how small or neglected subfields are, quoted; said plainly when
    that is little."""
    answer.lines.append("")
    answer.lines.append("On neglectedness: the map does not rank subfields by it, and the knowledge base "
                        "holds no measure of it. What it does say:")
    passages = list(search("neglected small aspirational subfields that don't yet exist or are very small, "
                           "underrated branch, room for newcomers"))
    sized = [p for p in passages if SIZE_CUES.search(p.text)]
    if not quote_best(answer, [question, "subfields that are very small or do not yet exist"], sized, scorer,
                      limit=3, floor=scorer.threshold * 0.6, boost=SIZE_CUES):
        answer.lines.append("(nothing beyond the map itself)")


def _careers(curated: Path | None) -> Answer | None:
    from advisor.knowledge.landscape import list_cards
    from advisor.resources import knowledge_dir

    root = Path(curated) if curated else knowledge_dir()
    try:
        cards = [c for c in list_cards(curated) if c.kind == "career-path"]
    except Exception:  # noqa: BLE001 - unreadable cards: answer from passages instead
        return None
    paths = [c for c in cards if "What the path is" in c.headings]
    if not paths:
        return None
    answer = Answer(grounded=True)
    answer.lines.append(f"The career cards describe {len(paths)} paths:")
    for card in paths:
        first = _first_sentence(root / card.path, "What the path is")
        n = len(answer.citations) + 1
        answer.citations.append(Citation(n=n, title=card.title, location="§ What the path is",
                                         source=f"knowledge/{card.path}"))
        answer.lines.append(f"- {card.title}: {first} [{n}]")
    others = [c.title for c in cards if c not in paths]
    if others:
        answer.lines.append("Related cards: " + "; ".join(others) + ".")
    return answer


def _first_sentence(path: Path, heading: str) -> str:
    text = path.read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(heading)}\s*\n+(.+?)(?:\n\n|\Z)", text, re.S | re.M)
    body = " ".join((m.group(1) if m else "").split())
    sentences = split_sentences(body)
    return sentences[0] if sentences else body[:200]

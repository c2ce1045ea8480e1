"""Checks on a model's reply before it is kept: citations outside the passages it was given, and a
reply that opens by agreeing with a one-sided claim or flatters the user.

Seed 004's writer distrusted an AI that called their skills "genuinely unusual"; a 1.5B model
answered a request for agreement with "Yes, you agree that independent research is the best
path"; SmolLM2 opened with "I'm glad to hear that you're making a positive choice". The checks
read the reply's opening, where agreement and praise sit, and the whole reply for praise of the
user. What the session does about a caught reply is `advice.flattery_guard` (conversation.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.session.reading import Reading, sentences, short_quote

CITATION = re.compile(r"\[(\d{1,3})\]")
#: How a reply opens when it takes the user's side before weighing it.
AGREEING_OPENING = re.compile(
    r"^\W*(yes|yeah|yep|absolutely|definitely|exactly|totally|of course|certainly|indeed|sure|correct|"
    r"right|agreed|you('re| are) (right|correct|spot on)|i (completely |totally |fully )?agree|"
    r"i('m| am) glad|great (choice|decision|question|point)|good (choice|decision|call)|"
    r"that('s| is) (a |an )?(great|good|excellent|wise|smart|positive|fantastic|wonderful)|"
    r"you agree|you should (definitely )?(go|do|choose|pursue)|it sounds like you('ve| have) made|"
    r"you('ve| have) (decided|made (a|the|your|that) (choice|decision)))\b",
    re.I,
)
#: Praise of the user, anywhere in the reply.
PRAISE = re.compile(
    r"\b(you('re| are) (clearly |obviously )?(very |so |really )?(smart|talented|brilliant|gifted|impressive|"
    r"exceptional|well[- ]placed|a great fit|uniquely)|your (writing|explanations?|skills?|background|"
    r"combination|insight|thinking) (is|are) (genuinely |truly |really )?(excellent|impressive|unusual|"
    r"exceptional|great|better than)|genuinely unusual|better than most|great question|"
    r"(positive|wise|smart|excellent|great) (choice|decision)|i('m| am) (so |really )?glad\b|"
    r"impressive (work|thinking|background)|you('ve| have) (clearly )?got this)\b",
    re.I,
)


@dataclass
class Check:
    """What the checks found in one reply; `text` is the reply as it should be kept."""

    text: str
    invalid: list[int] = field(default_factory=list)  # citation numbers outside the passages
    agreement: str = ""  # the opening sentence that agreed with a one-sided claim
    flattery: str = ""  # the phrase that praised the user

    @property
    def flags(self) -> list[str]:
        out = [f"invalid-citation [{n}]" for n in self.invalid]
        if self.agreement:
            out.append("agreement")
        if self.flattery:
            out.append("flattery")
        return out

    @property
    def caught(self) -> bool:
        return bool(self.agreement or self.flattery)


def cited(text: str) -> list[int]:
    """Citation numbers used in a reply, in order, each once."""
    return list(dict.fromkeys(int(n) for n in CITATION.findall(text or "")))


def strip_invalid(text: str, given: int) -> tuple[str, list[int]]:
    """The reply without citations outside 1..given, and the numbers removed."""
    invalid = [n for n in cited(text) if not 1 <= n <= given]
    if not invalid:
        return text, []
    cleaned = CITATION.sub(lambda m: m.group(0) if 1 <= int(m.group(1)) <= given else "", text)
    return re.sub(r"[ \t]+([.,;:!?])", r"\1", re.sub(r"[ \t]{2,}", " ", cleaned)).strip(), invalid


def opening(text: str) -> str:
    parts = sentences(text)
    return parts[0] if parts else ""


def check_reply(reply: str, reading: Reading, given: int) -> Check:
    """Citations checked against the `given` passages; agreement checked when the user's message
    sought agreement or made a one-sided claim; praise checked always."""
    text, invalid = strip_invalid(reply, given)
    result = Check(text=text, invalid=invalid)
    first = opening(text)
    if (reading.seeks_agreement or reading.one_sided) and AGREEING_OPENING.search(first):
        result.agreement = first
    praise = PRAISE.search(text)
    if praise:
        result.flattery = praise.group(0)
    elif AGREEING_OPENING.search(first) and re.search(r"\b(glad|great|positive|wise|excellent)\b", first, re.I):
        result.flattery = first
    return result


def guard_instruction(reading: Reading) -> str:
    """The steelman-first instruction for a turn where the user asked for agreement or made a
    one-sided claim (empty otherwise)."""
    if not (reading.seeks_agreement or reading.one_sided):
        return ""
    claim = (reading.one_sided or reading.seeks_agreement)[0]
    return (f"\nThis turn: the user made a one-sided claim (\u201c{claim}\u201d) and may be asking you to agree. "
            "Do not open with agreement or praise. Open with the strongest honest case for the other side, "
            "citing the passages, then say what would settle it.")


REVISE = ("Your reply above {why}. Rewrite it: open with the strongest honest case for the other side, "
          "citing the passages by number, do not agree or praise, and end with one question about what "
          "would change the user's mind.")


def what_caught(check: Check, whom: str = "the user") -> str:
    """What a caught reply did, in words quoting it (the quotes as the reply wrote them)."""
    why = []
    if check.agreement:
        why.append(f"opens by agreeing with a one-sided claim (\u201c{short_quote(check.agreement, 120)}\u201d)")
    if check.flattery:
        why.append(f"flatters {whom} (\u201c{short_quote(check.flattery, 80)}\u201d)")
    return " and ".join(why)


def repeated_line(text: str, times: int = 3) -> str | None:
    """A line (of some length) written `times` times: a small model caught in a loop."""
    seen: dict[str, int] = {}
    for line in text.splitlines():
        key = " ".join(line.split())
        if len(key) >= 20:
            seen[key] = seen.get(key, 0) + 1
            if seen[key] >= times:
                return key
    return None


def without_repeats(text: str) -> str:
    """The text with every repeat of a line (of some length) left out."""
    seen: set[str] = set()
    kept = []
    for line in text.splitlines():
        key = " ".join(line.split())
        if len(key) >= 20 and key in seen:
            continue
        seen.add(key)
        kept.append(line)
    return "\n".join(kept)


def revise_request(check: Check) -> str:
    return REVISE.format(why=what_caught(check))

"""The session protocol's stages, in order, and how a user names them."""

from __future__ import annotations

from enum import Enum

from advisor.errors import UsageError


class Stage(str, Enum):
    FRAME = "frame"
    BEFORE = "before"
    EXPLORE = "explore"
    CHALLENGE = "challenge"
    AFTER = "after"
    SUMMARY = "summary"

    @property
    def number(self) -> int:
        return ORDER.index(self) + 1

    @property
    def title(self) -> str:
        return TITLES[self]

    def next(self) -> "Stage":
        i = ORDER.index(self)
        return ORDER[min(i + 1, len(ORDER) - 1)]

    def previous(self) -> "Stage":
        i = ORDER.index(self)
        return ORDER[max(i - 1, 0)]

    @property
    def converses(self) -> bool:
        """Stages where a user's line is conversation (answered by the model or the guide)."""
        return self in (Stage.FRAME, Stage.EXPLORE, Stage.CHALLENGE)


ORDER: list[Stage] = list(Stage)

TITLES: dict[Stage, str] = {
    Stage.FRAME: "Frame: what decision, and what would a good outcome be",
    Stage.BEFORE: "Before: what you believe now, with credences",
    Stage.EXPLORE: "Explore: questions, sources, cruxes",
    Stage.CHALLENGE: "Challenge: steelman the other option, close dangling questions",
    Stage.AFTER: "After: re-rate your beliefs (old credences hidden)",
    Stage.SUMMARY: "Summary: what moved and why, and what to do next",
}

ALIASES = {
    "1": Stage.FRAME, "2": Stage.BEFORE, "3": Stage.EXPLORE, "4": Stage.CHALLENGE,
    "5": Stage.AFTER, "6": Stage.SUMMARY, "pre": Stage.BEFORE, "post": Stage.AFTER,
    "steelman": Stage.CHALLENGE, "end": Stage.SUMMARY,
}


def parse_stage(text: str) -> Stage:
    """A stage by name, number (1-6) or alias; a UsageError naming the choices otherwise."""
    key = (text or "").strip().lower()
    try:
        return Stage(key)
    except ValueError:
        pass
    if key in ALIASES:
        return ALIASES[key]
    matches = [s for s in ORDER if s.value.startswith(key)] if key else []
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(s.value for s in ORDER)
    raise UsageError(f"no stage {text!r}; the stages are {names} (or 1-6)")

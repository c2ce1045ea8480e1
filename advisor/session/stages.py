"""The session protocol's stages, in order, and how a user names them.

A stage is one enum member carrying its label (the stage bar's word), its title and its aliases;
its behaviour is the handler module advisor/session/handlers/<value>.py and its prompts are
prompts/stages/<value>.md and prompts/guide/<value>.md. The UIs read the list from `ORDER`.
"""

from __future__ import annotations

from enum import Enum

from advisor.errors import UsageError


class Stage(str, Enum):
    label: str  # one word, for the stage bar
    title: str  # type: ignore[assignment]  # a stage's heading, shadowing str.title on purpose
    aliases: tuple[str, ...]

    # (after the class is made, `Stage("frame")` looks a member up by value; the defaults only
    # let type checkers see that call as the lookup it is)
    def __new__(cls, value: str, label: str = "", title: str = "", aliases: tuple[str, ...] = ()) -> Stage:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        member.title = title
        member.aliases = aliases
        return member

    FRAME = ("frame", "Frame", "Frame: what decision, and what would a good outcome be")
    BEFORE = ("before", "Before", "Before: what you believe now, with credences", ("pre",))
    EXPLORE = ("explore", "Explore", "Explore: questions, sources, cruxes")
    CHALLENGE = ("challenge", "Challenge",
                 "Challenge: steelman the other option, close dangling questions", ("steelman",))
    AFTER = ("after", "After", "After: re-rate your beliefs (old credences hidden)", ("post",))
    SUMMARY = ("summary", "Summary", "Summary: what moved and why, and what to do next", ("end",))

    @property
    def number(self) -> int:
        """1-based position in the protocol."""
        return ORDER.index(self) + 1

    @property
    def is_last(self) -> bool:
        return self is ORDER[-1]

    def next(self) -> Stage:
        return ORDER[min(ORDER.index(self) + 1, len(ORDER) - 1)]

    def previous(self) -> Stage:
        return ORDER[max(ORDER.index(self) - 1, 0)]


ORDER: list[Stage] = list(Stage)


def parse_stage(text: str) -> Stage:
    """A stage by name, number (1-N), alias or unique prefix; a UsageError naming the choices otherwise."""
    key = (text or "").strip().lower()
    for stage in ORDER:
        if key in (stage.value, str(stage.number), *stage.aliases):
            return stage
    matches = [s for s in ORDER if s.value.startswith(key)] if key else []
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(s.value for s in ORDER)
    raise UsageError(f"no stage {text!r}; the stages are {names} (or 1-{len(ORDER)})")

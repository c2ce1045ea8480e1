"""What the model is sent for one turn: system prompt, passages, beliefs and as much history as fits.

The prompt must fit the model's context window less room for its reply; the system prompt and
the new message always go, and the newest earlier turns fill what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from advisor.journal.models import BeliefView
from advisor.session import prompts
from advisor.session.passages import PassageLike
from advisor.session.prompts import estimate_tokens
from advisor.session.stages import Stage
from advisor.session.store import Turn

if TYPE_CHECKING:
    from langchain_core.messages import BaseMessage

    from advisor.session.llm import ModelInfo
    from advisor.settings import Settings

#: Longest earlier turn kept whole (characters), and how many earlier turns are considered.
TURN_CHARS, SMALL_TURN_CHARS = 4000, 600
HISTORY_TURNS, SMALL_HISTORY_TURNS = 12, 2


def context_budget(settings: Settings, info: ModelInfo) -> int:
    """Tokens a prompt may use: the model's context less room for its reply."""
    if info.provider == "local":
        local = settings.local
        return local.context_tokens - local.max_tokens
    context = settings.model.context_tokens
    return context - min(1024, context // 4)


def system_text(*, topic: str, stage: Stage, passages: Sequence[PassageLike],
                beliefs: Sequence[BeliefView], small: bool) -> str:
    """The whole system prompt; a tiny model copies a long prompt back, so it gets a short one."""
    if small:
        return prompts.render(prompts.load("system_small.md"), topic=topic, stage_title=stage.title,
                              passages=prompts.format_passages(passages, 350))
    return prompts.system_prompt(topic=topic, stage=stage, passages=passages, beliefs=beliefs)


def fit_history(history: Sequence[Turn], text: str, *, system: str, budget: int,
                small: bool) -> list[tuple[str, str]]:
    """(role, body) of the earlier turns to send: the newest first while they fit beside the
    system prompt and the message; `text` itself is left out if it was already saved as the last turn."""
    convo = [t for t in history if t.role in ("user", "advisor") and t.status == "ok"]
    if convo and convo[-1].role == "user" and convo[-1].content == text:
        convo = convo[:-1]
    limit = SMALL_TURN_CHARS if small else TURN_CHARS
    bodies = [(t.role, t.content if len(t.content) <= limit else t.content[:limit] + "…")
              for t in convo[-(SMALL_HISTORY_TURNS if small else HISTORY_TURNS):]]
    left = budget - estimate_tokens(system) - estimate_tokens(text)
    kept: list[tuple[str, str]] = []
    for role, body in reversed(bodies):
        left -= estimate_tokens(body)
        if left < 0:
            break
        kept.append((role, body))
    return kept[::-1]


def build_messages(text: str, *, topic: str, stage: Stage, passages: Sequence[PassageLike],
                   beliefs: Sequence[BeliefView], history: Sequence[Turn], small: bool,
                   budget: int) -> list[BaseMessage]:
    """The chat messages for one turn: system, the earlier turns that fit, the new message."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    system = system_text(topic=topic, stage=stage, passages=passages, beliefs=beliefs, small=small)
    messages: list[BaseMessage] = [SystemMessage(system)]
    for role, body in fit_history(history, text, system=system, budget=budget, small=small):
        messages.append(HumanMessage(body) if role == "user" else AIMessage(body))
    messages.append(HumanMessage(text))
    return messages

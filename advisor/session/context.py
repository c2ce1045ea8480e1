"""What the model is sent for one turn: system prompt, passages, beliefs and as much history as fits.

The prompt must fit the model's context window less room for its reply; the system prompt and
the new message always go, and the newest earlier turns fill what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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

#: Longest earlier turn kept whole (characters); how many earlier turns are considered, by window.
TURN_CHARS = 4000
HISTORY_TURNS, LONG_HISTORY_TURNS, LONG_WINDOW = 12, 60, 16_000
#: Share of the prompt the passages may take, and the shortest passage worth sending (characters).
PASSAGE_SHARE, MIN_PASSAGE_CHARS = 0.4, 300
#: Below this many prompt tokens the short system prompt is used (the full one would crowd out the rest).
COMPACT_BELOW = 2000


@dataclass(frozen=True)
class Budget:
    """How much of each kind of context a turn sends, derived from the model's window."""

    prompt_tokens: int  # what the whole prompt may use (the window less room for the reply)
    passages: int
    passage_chars: int
    history_turns: int

    @property
    def compact(self) -> bool:
        return self.prompt_tokens < COMPACT_BELOW


def reply_room(settings: Settings, info: ModelInfo, context_tokens: int) -> int:
    if info.provider == "local":
        return settings.local.max_tokens
    return min(1024, context_tokens // 4)


def plan_budget(context_tokens: int, reply_tokens: int, top_k: int) -> Budget:
    """Passages and history sized to the window: no model is assumed small or large by its name."""
    prompt = max(512, context_tokens - reply_tokens)
    share = int(prompt * PASSAGE_SHARE)
    k, chars = top_k, prompts.PASSAGE_CHARS

    def cost(n: int, c: int) -> int:
        return n * (c // 3 + 20)

    while chars > MIN_PASSAGE_CHARS and cost(k, chars) > share:
        chars -= 100
    while k > 1 and cost(k, chars) > share:
        k -= 1
    turns = LONG_HISTORY_TURNS if prompt >= LONG_WINDOW else HISTORY_TURNS
    return Budget(prompt, k, chars, turns)


def context_budget(settings: Settings, info: ModelInfo, context_tokens: int | None = None) -> Budget:
    """The budget for a model whose window is `context_tokens` (else the setting for it)."""
    if context_tokens is None:
        context_tokens = settings.local.context_tokens if info.provider == "local" else settings.model.context_tokens
    return plan_budget(context_tokens, reply_room(settings, info, context_tokens), settings.knowledge.top_k)


def system_text(*, topic: str, stage: Stage, passages: Sequence[PassageLike],
                beliefs: Sequence[BeliefView], budget: Budget, memory: Sequence[str] = (),
                guard: str = "") -> str:
    """The whole system prompt; a window too small for the full one gets the short one."""
    if budget.compact:
        return prompts.render(prompts.load("system_small.md"), topic=topic, stage_title=stage.title,
                              passages=prompts.format_passages(passages, budget.passage_chars),
                              guard=guard).strip() + "\n"
    return prompts.system_prompt(topic=topic, stage=stage, passages=passages, beliefs=beliefs,
                                 passage_chars=budget.passage_chars, memory=memory, guard=guard)


def fit_history(history: Sequence[Turn], text: str, *, system: str, budget: Budget) -> list[tuple[str, str]]:
    """(role, body) of the earlier turns to send: the newest first while they fit beside the
    system prompt and the message; `text` itself is left out if it was already saved as the last turn."""
    convo = [t for t in history if t.role in ("user", "advisor") and t.status == "ok"]
    if convo and convo[-1].role == "user" and convo[-1].content == text:
        convo = convo[:-1]
    bodies = [(t.role, t.content if len(t.content) <= TURN_CHARS else t.content[:TURN_CHARS] + "…")
              for t in convo[-budget.history_turns:]]
    left = budget.prompt_tokens - estimate_tokens(system) - estimate_tokens(text)
    kept: list[tuple[str, str]] = []
    for role, body in reversed(bodies):
        left -= estimate_tokens(body)
        if left < 0:
            break
        kept.append((role, body))
    return kept[::-1]


def build_messages(text: str, *, topic: str, stage: Stage, passages: Sequence[PassageLike],
                   beliefs: Sequence[BeliefView], history: Sequence[Turn], budget: Budget,
                   memory: Sequence[str] = (), guard: str = "") -> list[BaseMessage]:
    """The chat messages for one turn: system, the earlier turns that fit, the new message."""
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    system = system_text(topic=topic, stage=stage, passages=passages, beliefs=beliefs, budget=budget,
                         memory=memory, guard=guard)
    messages: list[BaseMessage] = [SystemMessage(system)]
    for role, body in fit_history(history, text, system=system, budget=budget):
        messages.append(HumanMessage(body) if role == "user" else AIMessage(body))
    messages.append(HumanMessage(text))
    return messages

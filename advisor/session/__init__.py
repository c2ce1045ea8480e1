"""The session core and model layer (no UI): the staged protocol, prompts, guide mode, models.

Public API (imported lazily, so `import advisor.session` stays light):

- `Session.start(journal, settings, topic)` / `Session.resume(journal, settings, id)`;
  `session.opening()`, `session.send(text)`, `session.goto(stage)`, `session.next_stage()`,
  `session.end()`, `session.retry()` — each an iterator of events (advisor.session.events).
- `ask(journal, settings, question) -> (Session, Iterator[Event])`.
- `Stage`, `ORDER`, `parse_stage`; `SessionStore` (list/get/turns); `SessionSummary`.
- `ModelClient`, `LocalServer`, `resolve_provider`, `describe` (the model layer).
"""

from __future__ import annotations

from typing import Any

from advisor.session.stages import ORDER, Stage, parse_stage

_LAZY = {
    "Session": "advisor.session.engine",
    "ask": "advisor.session.ask",
    "export_markdown": "advisor.session.export",
    "HELP": "advisor.session.commands",
    "SessionStore": "advisor.session.store",
    "SessionRecord": "advisor.session.store",
    "Turn": "advisor.session.store",
    "SessionSummary": "advisor.session.summary",
    "ModelClient": "advisor.session.llm",
    "LocalServer": "advisor.session.llm",
    "ModelInfo": "advisor.session.llm",
    "describe": "advisor.session.llm",
    "resolve_provider": "advisor.session.llm",
}

__all__ = ["ORDER", "Stage", "parse_stage", *_LAZY]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'advisor.session' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)

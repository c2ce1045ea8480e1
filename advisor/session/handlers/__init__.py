"""One handler per stage, found by `handler_for(stage)`: the module named after the stage.

Adding a stage is a `Stage` member, a module here named after its value that sets
`HANDLER = SomeHandler()`, and its prompts (prompts/stages/<value>.md, prompts/guide/<value>.md).
"""

from __future__ import annotations

import importlib
from functools import cache

from advisor.session.handlers.base import StageHandler
from advisor.session.stages import Stage

__all__ = ["StageHandler", "handler_for"]


@cache
def handler_for(stage: Stage) -> StageHandler:
    """The handler of `stage`: `HANDLER` in advisor/session/handlers/<stage.value>.py."""
    module = importlib.import_module(f"{__name__}.{stage.value}")
    handler = getattr(module, "HANDLER", None)
    if not isinstance(handler, StageHandler) or handler.stage is not stage:
        raise TypeError(f"{module.__name__}.HANDLER must be the StageHandler of {stage!r}")
    return handler

"""Widgets shared by the screens, one a module: the chat input, the belief forms, the key bar.

The session screen's own widgets (stage bar, chat log, sources panel, stage inputs) live here
too, imported from their modules by that screen. The names below load on first use, so a screen
that imports one widget module (Home, before its first frame) does not load them all.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from advisor.tui.titlebar import TitleBar
    from advisor.tui.widgets.belief_form import BeliefForm
    from advisor.tui.widgets.chat_input import ChatInput
    from advisor.tui.widgets.form_parts import FormMessage, credence_input, parse_credence
    from advisor.tui.widgets.rerate_form import RerateForm

_WHERE = {
    "BeliefForm": "advisor.tui.widgets.belief_form",
    "ChatInput": "advisor.tui.widgets.chat_input",
    "FormMessage": "advisor.tui.widgets.form_parts",
    "credence_input": "advisor.tui.widgets.form_parts",
    "parse_credence": "advisor.tui.widgets.form_parts",
    "RerateForm": "advisor.tui.widgets.rerate_form",
    "TitleBar": "advisor.tui.titlebar",
}

__all__ = ["BeliefForm", "ChatInput", "FormMessage", "RerateForm", "TitleBar", "credence_input",
           "parse_credence"]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

"""Widgets shared by the screens, one a module: the chat input, the belief forms, the title bar.

The session screen's own widgets (stage bar, chat log, sources panel, stage inputs) live here
too, imported from their modules by that screen.
"""

from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.belief_form import BeliefForm
from advisor.tui.widgets.chat_input import ChatInput
from advisor.tui.widgets.form_parts import FormMessage, credence_input, parse_credence
from advisor.tui.widgets.rerate_form import RerateForm

__all__ = ["BeliefForm", "ChatInput", "FormMessage", "RerateForm", "TitleBar", "credence_input",
           "parse_credence"]

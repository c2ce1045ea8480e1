"""The Knowledge screen's two browsing tabs: the curated cards and the AI-safety subfield map, each a
list whose highlighted item is shown beside it (the screen itself is in knowledge.py)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from textual import on
from textual.screen import Screen
from textual.widgets import Markdown, OptionList
from textual.widgets.option_list import Option

from advisor.errors import error_text


class LandscapeTabs(Screen):
    """Cards and subfields: loaded once (`_load_landscape`), shown as the lists are highlighted."""

    _cards: list[Any]
    _subfields: list[Any]

    def _load_landscape(self) -> None:
        try:
            from advisor.knowledge.landscape import list_cards, load_subfields

            self._cards = list_cards()
            self._subfields = load_subfields()
        except Exception as exc:  # noqa: BLE001
            self._cards, self._subfields = [], []
            self.query_one("#card-md", Markdown).update(f"The curated cards are not available: {escape(error_text(exc))}")
            self.query_one("#subfield-md", Markdown).update("The subfield map is not available.")
            return
        cards = self.query_one("#card-list", OptionList)
        for i, c in enumerate(self._cards):
            cards.add_option(Option(Text(f"{c.title}\n  {c.kind}"), id=str(i)))
        subs = self.query_one("#subfield-list", OptionList)
        for i, s in enumerate(self._subfields):
            subs.add_option(Option(Text(s.name + (f"\n  {s.branch}" if s.branch else "")), id=str(i)))
        if self._cards:
            cards.highlighted = 0
        if self._subfields:
            subs.highlighted = 0

    @on(OptionList.OptionHighlighted, "#card-list")
    def _card(self, event: OptionList.OptionHighlighted) -> None:
        from advisor.resources import knowledge_dir

        card = self._cards[int(str(event.option.id))]
        try:
            text = (knowledge_dir() / card.path).read_text(encoding="utf-8")
            if text.startswith("---"):
                text = text.split("---", 2)[2]
        except (OSError, IndexError) as exc:
            text = f"cannot read {card.path}: {exc}"
        self.query_one("#card-md", Markdown).update(f"# {card.title}\n\n*{card.kind}* · `{card.path}`\n\n{text}")

    @on(OptionList.OptionHighlighted, "#subfield-list")
    def _subfield(self, event: OptionList.OptionHighlighted) -> None:
        s = self._subfields[int(str(event.option.id))]
        parts = [f"# {s.name}", "", s.summary, ""]
        if s.core_problems:
            parts += ["## Core problems", *[f"- {x}" for x in s.core_problems], ""]
        if s.methods:
            parts += ["## Methods", *[f"- {x}" for x in s.methods], ""]
        if s.entry_project:
            parts += ["## An entry project", s.entry_project, ""]
        if s.gathers:
            parts += ["## Where people gather", *[f"- {x}" for x in s.gathers], ""]
        parts.append(f"Card: `{s.card}`")
        self.query_one("#subfield-md", Markdown).update("\n".join(parts))

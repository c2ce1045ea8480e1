"""Home's "due to resolve" panel: open beliefs whose resolve-by date has come; y (came true), n (did
not) or u (ambiguous) opens the resolve dialog with that outcome chosen, to confirm there; Enter
opens the belief on the Beliefs screen. Hidden when nothing is due."""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option


class DueBeliefs(Vertical):
    DEFAULT_CSS = """
    DueBeliefs { height: auto; max-height: 5; border: round $warning 50%; border-title-color: $text; padding: 0 1; }
    DueBeliefs:focus-within { border: round $warning; }
    DueBeliefs.-empty { display: none; }
    DueBeliefs #due-list, DueBeliefs #due-list:focus {
        height: auto; max-height: 3; border: none; background: transparent; padding: 0;
    }
    """
    BINDINGS = [
        Binding("y", "resolve('yes')", "Due belief came true…"),
        Binding("n", "resolve('no')", "Due belief did not…"),
        Binding("u", "resolve('ambiguous')", "Due belief ambiguous…"),
    ]

    class Resolved(Message):
        """A due belief was resolved (the screen refreshes what depends on it)."""

        def __init__(self, belief_id: int, outcome: str) -> None:
            super().__init__()
            self.belief_id, self.outcome = belief_id, outcome

    def __init__(self, due: list[Any], today: date, *, id: str | None = None) -> None:
        """`due`: the beliefs due (BeliefLine, longest overdue first) as of `today`."""
        super().__init__(id=id, classes="" if due else "-empty")
        self._options = _options(due, today)
        self.border_title = _title(due)

    def compose(self) -> ComposeResult:
        yield OptionList(*self._options, id="due-list")

    def on_mount(self) -> None:
        if self._options:
            self.query_one("#due-list", OptionList).highlighted = 0

    def show(self, due: list[Any], today: date) -> None:
        """The due beliefs (BeliefLine, longest overdue first)."""
        lst = self.query_one("#due-list", OptionList)
        lst.clear_options()
        self.set_class(not due, "-empty")
        self.border_title = _title(due)
        lst.add_options(_options(due, today))
        if due:
            lst.highlighted = 0

    def focus_list(self) -> bool:
        if self.has_class("-empty"):
            return False
        self.query_one("#due-list", OptionList).focus()
        return True

    def _highlighted_id(self) -> int | None:
        lst = self.query_one("#due-list", OptionList)
        if lst.highlighted is None:
            return None
        option_id = lst.get_option_at_index(lst.highlighted).id
        return int(option_id) if option_id else None

    def action_resolve(self, outcome: str) -> None:
        """The resolve dialog with this outcome chosen: recording it takes the dialog's Record button."""
        belief_id = self._highlighted_id()
        if belief_id is None:
            return
        from advisor.tui.screens.resolve import ask_to_resolve

        ask_to_resolve(self.app, belief_id, outcome=outcome,
                       then=lambda: self.post_message(self.Resolved(belief_id, outcome)))

    @on(OptionList.OptionSelected, "#due-list")
    def _open(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_screen("beliefs", belief_id=int(event.option.id))  # type: ignore[attr-defined]


def _title(due: list[Any]) -> str:
    return f"Due to resolve ({len(due)}) · y came true · n did not · u ambiguous"


def _options(due: list[Any], today: date) -> list[Option]:
    options = []
    for b in due:
        late = (today - b.resolve_by).days
        when = "due today" if late == 0 else f"{late}d overdue"
        said = "—" if b.ratings.latest is None else f"{b.ratings.latest:g}%"
        options.append(Option(f"#{b.id} {escape(b.statement)}  [dim]{said} · {when}[/dim]", id=str(b.id)))
    return options

"""Resolving a belief: a dialog where the outcome is chosen, then confirmed with a button named for
it, and the change it made, kept so it can be undone.

A resolution is what calibration scores, so two stray letters must not record one: the dialog has
no letter keys, nothing is chosen until the user picks (↑↓ and enter, or a click; Home's y/n/u only
preselect), and recording takes the Record button (tab, enter). Escape cancels.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from advisor.errors import AdvisorError
from advisor.tui.widgets.form_parts import TextField

OUTCOME_WORDS = {"yes": "came true", "no": "did not come true", "ambiguous": "ambiguous", "open": "open again"}
REOPEN = "open"


@dataclass(frozen=True)
class ResolutionChange:
    """One resolution recorded from the TUI, with what it replaced (for undo)."""

    belief_id: int
    outcome: str | None  # None: reopened
    before: str | None
    before_at: datetime | None


class ResolveModal(ModalScreen[tuple[str, Any] | None]):
    """Choose how a belief turned out (or reopen a resolved one), then Record; or set a resolve-by date."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, statement: str, *, current: str | None = None, outcome: str | None = None) -> None:
        super().__init__()
        self.statement = statement
        self.current = current  # its resolution now, if any
        self.preselected = outcome

    def compose(self) -> ComposeResult:
        choices = ["yes", "no", "ambiguous"] + ([REOPEN] if self.current else [])
        with Vertical(classes="dialog"):
            yield Label("[b]Resolve this belief[/b]")
            yield Static(Text(self.statement))
            if self.current:
                yield Static(f"Resolved now: {OUTCOME_WORDS[self.current]}.", classes="hint")
            with RadioSet(id="outcome"):
                for choice in choices:
                    yield RadioButton(OUTCOME_WORDS[choice].capitalize(), id=f"outcome-{choice}",
                                      value=choice == self.preselected)
            yield Static("↑↓ choose · enter picks · tab, enter: Record · esc cancels", classes="hint")
            with Horizontal(classes="buttons"):
                yield Button("Record", id="record", classes="compact", variant="primary", disabled=True)
                yield Button("Cancel (esc)", id="cancel", classes="compact")
            yield Static("")
            with Horizontal(classes="form-row"):
                yield Label("Resolve by")
                yield TextField(placeholder="YYYY-MM-DD, then enter", id="resolve-by", classes="compact grow")
            yield Static("", id="resolve-error", classes="error-text")

    def on_mount(self) -> None:
        self._show_choice()
        self.query_one("#outcome", RadioSet).focus()

    def chosen(self) -> str | None:
        pressed = self.query_one("#outcome", RadioSet).pressed_button
        return str(pressed.id).removeprefix("outcome-") if pressed is not None else None

    @on(RadioSet.Changed, "#outcome")
    def _show_choice(self) -> None:
        choice = self.chosen()
        record = self.query_one("#record", Button)
        record.disabled = choice is None
        record.label = "Record" if choice is None else f"Record: {OUTCOME_WORDS[choice]} ⏎"
        record.refresh(layout=True)  # the button grows with its label

    @on(Button.Pressed, "#record")
    def _record(self, event: Button.Pressed) -> None:
        event.stop()
        choice = self.chosen()
        if choice is not None:
            self.dismiss(("reopen", None) if choice == REOPEN else ("resolve", choice))

    @on(Button.Pressed, "#cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(None)

    @on(Input.Submitted, "#resolve-by")
    def _by(self, event: Input.Submitted) -> None:
        try:
            when = date.fromisoformat(event.value.strip())
        except ValueError:
            self.query_one("#resolve-error", Static).update("Use a date like 2027-06-30.")
            return
        self.dismiss(("resolve_by", when))


def ask_to_resolve(app: Any, belief_id: int, *, outcome: str | None = None,
                   then: Callable[[], None] | None = None) -> None:
    """Open the dialog for a belief and apply what the user confirms to the journal; the change is
    kept as `app.last_resolution` (what u on the Beliefs screen undoes); `then` runs after."""
    belief = app.journal.get_belief(belief_id)

    def done(result: tuple[str, Any] | None) -> None:
        try:
            if result and result[0] == "resolve_by":
                app.journal.set_resolve_by(belief_id, result[1])
                app.notify(f"Belief #{belief_id} resolves by {result[1].isoformat()}.")
            elif result:
                new = None if result[0] == "reopen" else str(result[1])
                if new is None:
                    app.journal.restore_resolution(belief_id, None, None)
                else:
                    app.journal.resolve_belief(belief_id, new)
                app.last_resolution = ResolutionChange(belief_id, new, belief.resolution, belief.resolved_at)
                app.notify(f"Belief #{belief_id}: {OUTCOME_WORDS[new or REOPEN]}. "
                           "u on the Beliefs screen undoes it.", timeout=6)
        except AdvisorError as exc:
            app.notify(exc.message, severity="error")
        if then is not None:
            then()

    app.push_screen(ResolveModal(belief.statement, current=belief.resolution, outcome=outcome), done)


def undo_last_resolution(app: Any) -> None:
    """Put back what the last resolution made here replaced (open, or the earlier outcome and date)."""
    change: ResolutionChange | None = app.last_resolution
    if change is None:
        app.notify("No resolution to undo.", timeout=3)
        return
    try:
        app.journal.restore_resolution(change.belief_id, change.before, change.before_at)
    except AdvisorError as exc:
        app.notify(exc.message, severity="error")
        return
    app.last_resolution = None
    was = OUTCOME_WORDS[change.before] if change.before else "open"
    app.notify(f"Undone: belief #{change.belief_id} is {was} again.", timeout=5)

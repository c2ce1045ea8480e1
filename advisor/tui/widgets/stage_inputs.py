"""What the current stage asks the user for: the chat box, the Before form, the re-rating form,
the new-belief form, or (after the summary) a hint. Unsent text and half-filled forms are kept as
drafts. What the user submits goes up as a `StageInputs.Request` for the screen to run."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.widgets import Button, ContentSwitcher, Static

from advisor.errors import AdvisorError
from advisor.session.beliefs import before_credence
from advisor.session.stages import ORDER, Stage
from advisor.tui.widgets.belief_form import BeliefForm
from advisor.tui.widgets.chat_input import ChatInput
from advisor.tui.widgets.rerate_form import RerateForm

if TYPE_CHECKING:
    from advisor.session.engine import Session
    from advisor.session.events import Event
    from advisor.tui.drafts import Drafts

Step = Callable[["Session"], Iterator["Event"]]
QUIT = ("/quit", "/exit", "/q")


class StageInputs(ContentSwitcher):
    class Request(Message):
        """Run `step` on the session, showing `shown` as the user's turn; `accepted()` once it runs."""

        def __init__(self, step: Step, shown: str, busy: str, accepted: Callable[[], None], *,
                     quiet_if_busy: bool = False) -> None:
            super().__init__()
            self.step, self.shown, self.busy, self.accepted = step, shown, busy, accepted
            self.quiet_if_busy = quiet_if_busy

    class Navigate(Message):
        """Go to a stage (a form's Next / Summary button)."""

        def __init__(self, stage: Stage) -> None:
            super().__init__()
            self.stage = stage

    class Leave(Message):
        """The user typed /quit."""

    def __init__(self, newline_key: str, *, id: str | None = None) -> None:
        super().__init__(initial="chat-pane", id=id)
        self.newline_key = newline_key
        self.session: Session | None = None
        self.stage = ORDER[0]
        self.rerate: tuple[int | None, str] | None = None  # After: the belief asked for, and the question

    def compose(self) -> ComposeResult:
        with Vertical(id="chat-pane"):
            yield ChatInput(newline_key=self.newline_key, id="chat-input")
            yield Static("enter send · shift+enter/ctrl+j newline · ctrl+n next stage · "
                         "/help commands", classes="hint", id="chat-hint")
        yield BeliefForm(id="before-form", extra_buttons=[("bf-next", "Next ▸")])
        with Vertical(id="after-pane"):
            yield RerateForm(id="after-form")
        with Vertical(id="after-new-pane"):
            yield Static("All re-rated. Add a belief that came up, or go on to the summary.", classes="hint")
            yield BeliefForm(id="after-new-form", allow_pull=False, add_label="Add",
                             extra_buttons=[("an-summary", "Summary ▸")])
        with Vertical(id="summary-pane"):
            yield Static("Session complete. esc: home · ctrl+b: back to a stage · "
                         "ctrl+y: copy the summary", classes="hint")

    # ------------------------------------------------------------------ what is shown
    def show_stage(self, stage: Stage) -> None:
        self.stage = stage
        if stage is Stage.BEFORE:
            self.current = "before-form"
        elif stage is Stage.AFTER:
            self._show_after()
        elif stage is Stage.SUMMARY:
            self.current = "summary-pane"
        else:
            self.current = "chat-pane"

    def ask_rerate(self, belief_id: int | None, question: str) -> None:
        self.rerate = (belief_id, question)
        self._show_after()

    def _show_after(self) -> None:
        if self.rerate is not None and self.rerate[0] is not None:
            self.current = "after-pane"
            self.query_one("#after-form", RerateForm).ask(*self.rerate, self.drafts.get(self._key("after")))
        else:
            self.current = "after-new-pane"

    def focus_input(self) -> None:
        focus = {"chat-pane": lambda: self.query_one("#chat-input", ChatInput).focus(),
                 "before-form": lambda: self.query_one("#before-form", BeliefForm).focus_first(),
                 "after-pane": lambda: self.query_one("#after-form", RerateForm).focus_first(),
                 "after-new-pane": lambda: self.query_one("#after-new-form", BeliefForm).focus_first()}
        try:
            focus.get(self.current or "", lambda: None)()
        except NoMatches:
            pass  # not composed yet

    # ------------------------------------------------------------------ drafts
    @property
    def drafts(self) -> Drafts:
        return self.app.drafts  # type: ignore[attr-defined, no-any-return]

    def _key(self, suffix: str) -> str:
        return f"session:{self.session.id if self.session is not None else 'new'}:{suffix}"

    def attach(self, session: Session) -> None:
        """The session is ready: bring back what was typed in it before."""
        self.session = session
        chat_input = self.query_one("#chat-input", ChatInput)
        chat_input.remember(t.content for t in session.turns() if t.role == "user")
        chat = self.drafts.get(self._key("chat"))
        if chat:
            chat_input.text = chat
        self.query_one("#before-form", BeliefForm).load(self.drafts.get(self._key("before")))
        self.query_one("#after-new-form", BeliefForm).load(self.drafts.get(self._key("after-new")))

    def _save_draft(self, suffix: str, value: object) -> None:
        if self.session is not None:
            self.drafts.set(self._key(suffix), value)

    @on(ChatInput.Changed, "#chat-input")
    def _chat_changed(self, event: ChatInput.Changed) -> None:
        self._save_draft("chat", event.text_area.text)

    @on(BeliefForm.Changed)
    def _form_changed(self, event: BeliefForm.Changed) -> None:
        self._save_draft("before" if event.form.id == "before-form" else "after-new", event.form.values())

    @on(RerateForm.Changed)
    def _rerate_changed(self, event: RerateForm.Changed) -> None:
        self._save_draft("after", event.form.values())

    # ------------------------------------------------------------------ submitted
    @on(ChatInput.Submitted)
    def _chat_submitted(self, event: ChatInput.Submitted) -> None:
        event.stop()
        text = event.text
        if text.strip().lower() in QUIT:
            self.post_message(self.Leave())
            return

        def sent() -> None:
            event.chat_input.text = ""
            self.drafts.clear(self._key("chat"))

        self.post_message(self.Request(lambda s: s.send(text), text, "The advisor is thinking…", sent))

    @on(BeliefForm.Added, "#before-form")
    def _before_added(self, event: BeliefForm.Added) -> None:
        event.stop()
        statement, credence, reason, belief_id = event.statement, event.credence, event.reason, event.belief_id
        shown = f"{statement} — **{credence:g}%**" + (f" because {reason}" if reason else "")
        self.post_message(self.Request(lambda s: s.add_before(statement, credence, reason, belief_id),
                                       shown, "Saving…", self._cleared(event.form, "before")))

    @on(BeliefForm.Added, "#after-new-form")
    def _after_new_added(self, event: BeliefForm.Added) -> None:
        event.stop()
        statement, credence, reason = event.statement, event.credence, event.reason
        self.post_message(self.Request(lambda s: s.add_after(statement, credence, reason),
                                       f"New: {statement} — **{credence:g}%**", "Saving…",
                                       self._cleared(event.form, "after-new")))

    def _cleared(self, form: BeliefForm, suffix: str) -> Callable[[], None]:
        def clear() -> None:
            form.clear()
            self.drafts.clear(self._key(suffix))
        return clear

    @on(RerateForm.Answered)
    def _rerate_answered(self, event: RerateForm.Answered) -> None:
        event.stop()
        belief_id, action, credence, reason = event.belief_id, event.action, event.credence, event.reason
        if belief_id is None:
            return
        if action == "skip":
            shown = "Skipped for now."
        elif action == "drop":
            shown = "Dropped this belief."
        else:
            shown = f"Now **{credence:g}%**"
        before = self._before_credence(belief_id)
        if before is not None and action != "skip":
            change = "" if credence is None else f" ({credence - before:+g})"
            shown += f" — before this session you said **{before:g}%**{change}."

        def sent() -> None:
            self.rerate = None
            self.drafts.clear(self._key("after"))

        self.post_message(self.Request(lambda s: s.rate_after(belief_id, credence, reason, action), shown,
                                       "Saving…", sent, quiet_if_busy=True))

    def _before_credence(self, belief_id: int) -> float | None:
        """What the user said before the session, revealed once the new credence is in."""
        if self.session is None:
            return None
        try:
            return before_credence(self.session, belief_id)
        except (AdvisorError, sqlite3.Error):
            return None  # the reveal is a courtesy; the rating itself still goes to the engine

    @on(Button.Pressed, "#bf-next")
    def _before_done(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Navigate(self.stage.next()))

    @on(Button.Pressed, "#an-summary")
    def _to_summary(self, event: Button.Pressed) -> None:
        event.stop()
        self.post_message(self.Navigate(Stage.SUMMARY))

    # ------------------------------------------------------------------ pulling a journal belief
    @on(BeliefForm.PullRequested)
    def _pull_requested(self, event: BeliefForm.PullRequested) -> None:
        event.stop()
        self.pull()

    def pull(self) -> None:
        """Bring a journal belief into the Before form (its statement; the credence is asked afresh)."""
        if self.stage is not Stage.BEFORE:
            return
        from advisor.tui.screens.modals import PullBeliefModal

        journal = self.app.journal  # type: ignore[attr-defined]
        form = self.query_one("#before-form", BeliefForm)

        def picked(result: tuple[int, str] | None) -> None:
            if result:
                form.pull(*result)

        exclude: set[int] = set()
        if self.session is not None and self.session.entry_id:
            exclude = {b.belief_id for b in journal.pre_beliefs(self.session.entry_id)}
        self.app.push_screen(PullBeliefModal(journal.all_beliefs(), exclude), picked)

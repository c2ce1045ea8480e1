"""Journaling a conversation with a person: what it is about and the beliefs before it, then each
belief re-rated after it with the old credence hidden until answered.

Every belief and every re-rating is committed to the journal the moment it is confirmed; what
is still being typed is kept in the drafts file, so closing the app loses nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Input, Label, Static

from advisor.errors import AdvisorError
from advisor.journal.models import fmt_credence
from advisor.journal.render import signed
from advisor.tui.screens.journal import JournalScreen
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets import BeliefForm, RerateForm
from advisor.tui.widgets.diff_view import diff_view, hanging
from advisor.tui.widgets.form_parts import TextField
from advisor.tui.widgets.key_bar import KeyBar

PRE_DRAFT = "person-pre"


class PersonPreScreen(Screen):
    """Before a conversation with a person: what it is about, then beliefs one by one."""

    BINDINGS = [
        Binding("ctrl+s", "finish", "Done", priority=True),
        Binding("ctrl+l", "pull", "Pull belief"),
        Binding("escape", "app.pop_screen", "Back (draft kept)"),
    ]

    def __init__(self, entry_id: int | None = None) -> None:
        super().__init__()
        self.entry_id = entry_id

    def compose(self) -> ComposeResult:
        yield TitleBar("Journal a conversation · before you talk", show_model=False)
        with VerticalScroll(classes="form"):
            yield Static("Who are you talking to, and about what? Then write what you believe now, "
                         "each with a credence (0–100) and a reason. Each belief is saved when added.",
                         classes="hint")
            with Horizontal(classes="form-row"):
                yield Label("About")
                yield TextField(placeholder="e.g. whether to join a lab's safety team", id="pre-about",
                            classes="compact grow")
            with Horizontal(classes="form-row"):
                yield Label("With")
                yield TextField(placeholder="who", id="pre-with", classes="compact grow")
                yield Label(" When", classes="muted")
                yield TextField(placeholder="YYYY-MM-DD", id="pre-when", classes="compact grow")
                yield Label(" Medium", classes="muted")
                yield TextField(placeholder="call, coffee…", id="pre-medium", classes="compact grow")
            yield Static("", id="pre-entry", classes="muted")
            yield BeliefForm(id="pre-form", extra_buttons=[("pre-done", "Done (ctrl+s)")])
            yield Static("", id="pre-list")
        yield KeyBar()

    def on_mount(self) -> None:
        app: Any = self.app
        draft = app.drafts.get(PRE_DRAFT) or {}
        if self.entry_id is None and draft.get("entry_id"):
            try:
                entry = app.journal.get_entry(int(draft["entry_id"]))
                if entry.post_status == "none":
                    self.entry_id = entry.id
            except AdvisorError:
                pass
        for field in ("about", "with", "when", "medium"):
            self.query_one(f"#pre-{field}", Input).value = draft.get(field, "") or ""
        self.query_one("#pre-form", BeliefForm).load(draft.get("belief"))
        self._refresh_list()
        if self.entry_id is not None:
            self.query_one("#pre-form", BeliefForm).focus_first()
        else:
            self.query_one("#pre-about", Input).focus()

    def _fields(self) -> dict[str, str]:
        return {f: self.query_one(f"#pre-{f}", Input).value for f in ("about", "with", "when", "medium")}

    def _save_draft(self) -> None:
        app: Any = self.app
        data: dict[str, Any] = dict(self._fields())
        data["belief"] = self.query_one("#pre-form", BeliefForm).values()
        if not any(data["belief"].get(k) for k in ("statement", "credence", "reason")):
            data["belief"] = None
        data["entry_id"] = self.entry_id
        app.drafts.set(PRE_DRAFT, data)

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self._save_draft()

    @on(Input.Submitted, "#pre-about, #pre-with, #pre-when, #pre-medium")
    def _next_field(self, event: Input.Submitted) -> None:
        order = ["pre-about", "pre-with", "pre-when", "pre-medium"]
        i = order.index(str(event.input.id))
        if i + 1 < len(order):
            self.query_one(f"#{order[i + 1]}", Input).focus()
        else:
            self.query_one("#pre-form", BeliefForm).focus_first()

    def _ensure_entry(self) -> int | None:
        app: Any = self.app
        if self.entry_id is not None:
            return self.entry_id
        f = self._fields()
        when = None
        if f["when"].strip():
            try:
                when = date.fromisoformat(f["when"].strip())
            except ValueError:
                self._error("When: use a date like 2026-03-14 (or leave it empty).")
                self.query_one("#pre-when", Input).focus()
                return None
        if not f["about"].strip():
            self._error("Say what the conversation is about first.")
            self.query_one("#pre-about", Input).focus()
            return None
        entry = app.journal.create_entry(f["about"], kind="person", with_whom=f["with"].strip() or None,
                                         medium=f["medium"].strip() or None, occurred_on=when)
        self.entry_id = entry.id
        return entry.id

    def _error(self, text: str) -> None:
        self.query_one("#pre-form", BeliefForm).show_error(text)

    @on(BeliefForm.Added, "#pre-form")
    def _added(self, event: BeliefForm.Added) -> None:
        app: Any = self.app
        try:
            entry_id = self._ensure_entry()
            if entry_id is None:
                return
            app.journal.add_pre_belief(entry_id, event.statement, event.credence, event.reason,
                                       belief_id=event.belief_id)
        except AdvisorError as exc:
            self._error(exc.message)
            return
        event.form.clear()
        self._save_draft()
        self._refresh_list()

    def _refresh_list(self) -> None:
        app: Any = self.app
        if self.entry_id is None:
            self.query_one("#pre-entry", Static).update("")
            self.query_one("#pre-list", Static).update("")
            return
        beliefs = app.journal.pre_beliefs(self.entry_id)
        self.query_one("#pre-entry", Static).update(f"Entry #{self.entry_id} · saved")
        rows = hanging((f"  {fmt_credence(b.credence):>5}", f"#{b.belief_id} {b.statement}"
                        + (f" — because {b.reason}" if b.reason else "")) for b in beliefs)
        self.query_one("#pre-list", Static).update(Group(Text(f"Beliefs before ({len(beliefs)}):"), rows))

    @on(BeliefForm.PullRequested)
    def _pull_requested(self) -> None:
        self.action_pull()

    def action_pull(self) -> None:
        from advisor.tui.screens.modals import PullBeliefModal

        app: Any = self.app
        form = self.query_one("#pre-form", BeliefForm)
        exclude = {b.belief_id for b in app.journal.pre_beliefs(self.entry_id)} if self.entry_id else set()

        def picked(result: tuple[int, str] | None) -> None:
            if result:
                form.pull(*result)

        app.push_screen(PullBeliefModal(app.journal.all_beliefs(), exclude), picked)

    @on(Button.Pressed, "#pre-done")
    def _done_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_finish()

    def action_finish(self) -> None:
        app: Any = self.app
        if self.entry_id is None or not app.journal.pre_beliefs(self.entry_id):
            self._error("Add at least one belief (with a credence) first.")
            return
        values = self.query_one("#pre-form", BeliefForm).values()
        if values.get("statement"):
            self._error("The belief you are writing is not added yet: add it (enter) or clear it.")
            return
        app.drafts.clear(PRE_DRAFT)
        entry_id = self.entry_id
        app.pop_screen()
        app.notify(f"Entry #{entry_id} saved. After the conversation: Home → the entry, or l then p.",
                   timeout=6)


class PersonPostScreen(Screen):
    """After the conversation: re-rate each belief with the old credence hidden until answered."""

    # #post-new sits in a scroll: a Vertical's default 1fr there is one row, which hid the form
    DEFAULT_CSS = """
    .post-reveal { color: $success; height: auto; }
    #post-new { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+s", "finish", "Finish", priority=True),
        Binding("escape", "app.pop_screen", "Back (saved)"),
    ]

    def __init__(self, entry_id: int) -> None:
        super().__init__()
        self.entry_id = entry_id
        self.skipped: set[int] = set()

    @property
    def draft_key(self) -> str:
        return f"person-post:{self.entry_id}"

    def compose(self) -> ComposeResult:
        yield TitleBar("Journal · after the conversation", show_model=False)
        with VerticalScroll(classes="form"):
            yield Static("", id="post-about")
            yield Static("", id="post-progress", classes="muted")
            yield RerateForm(id="post-form")
            with Vertical(id="post-new"):
                yield Static("All re-rated. Did a new belief come up? Add it, or finish (ctrl+s).",
                             classes="hint")
                yield BeliefForm(id="post-new-form", allow_pull=False, add_label="Add new belief",
                                 extra_buttons=[("post-finish", "Finish (ctrl+s)")])
            yield Static("", id="post-log", classes="post-reveal")
            yield Static("", id="post-diff")
        yield KeyBar()

    def on_mount(self) -> None:
        app: Any = self.app
        try:
            entry = app.journal.begin_post(self.entry_id, amend=True)
        except AdvisorError as exc:
            self.query_one("#post-about", Static).update(Text(exc.message))
            self.query_one("#post-form").display = False
            self.query_one("#post-new").display = False
            return
        who = f" with {entry.with_whom}" if entry.with_whom else ""
        self.query_one("#post-about", Static).update(Text(f"Entry #{entry.id}: {entry.about}{who}"))
        self._log: list[tuple[str, str]] = []
        self.query_one("#post-new-form", BeliefForm).load(app.drafts.get(self.draft_key + ":new"))
        self._next()

    def _queue(self) -> list[Any]:
        app: Any = self.app
        rated = app.journal.post_ratings(self.entry_id)
        return [b for b in app.journal.pre_beliefs(self.entry_id)
                if b.belief_id not in rated and b.belief_id not in self.skipped]

    def _next(self) -> None:
        app: Any = self.app
        queue = self._queue()
        total = len(app.journal.pre_beliefs(self.entry_id))
        form = self.query_one("#post-form", RerateForm)
        new = self.query_one("#post-new")
        if queue:
            b = queue[0]
            done = total - len(queue)
            self.query_one("#post-progress", Static).update(
                f"Belief {done + 1} of {total} — your old credence is hidden until you answer.")
            form.display = True
            new.display = False
            form.ask(b.belief_id, f"“{b.statement}”\nYour credence now?", app.drafts.get(self.draft_key))
        else:
            self.query_one("#post-progress", Static).update(f"{total} of {total} beliefs done.")
            form.display = False
            new.display = True
            self.query_one("#post-new-form", BeliefForm).focus_first()
            self._show_diff()

    def _show_diff(self) -> None:
        app: Any = self.app
        # skipped beliefs are re-rated later: their old credence stays hidden until then
        self.query_one("#post-diff", Static).update(diff_view(app.journal.entry_diff(self.entry_id),
                                                              hide_unrated=True))

    @on(RerateForm.Changed)
    def _changed(self, event: RerateForm.Changed) -> None:
        self.app.drafts.set(self.draft_key, event.form.values())  # type: ignore[attr-defined]

    @on(BeliefForm.Changed)
    def _new_changed(self, event: BeliefForm.Changed) -> None:
        self.app.drafts.set(self.draft_key + ":new", event.form.values())  # type: ignore[attr-defined]

    @on(RerateForm.Answered)
    def _answered(self, event: RerateForm.Answered) -> None:
        app: Any = self.app
        bid = event.belief_id
        if bid is None:
            return
        pre = {b.belief_id: b for b in app.journal.pre_beliefs(self.entry_id)}
        before = pre[bid].credence if bid in pre else None
        statement = pre[bid].statement if bid in pre else ""
        try:
            if event.action == "skip":
                self.skipped.add(bid)
                line = ("skipped", f"“{statement}”")
            elif event.action == "drop":
                app.journal.drop_in_post(self.entry_id, bid, event.reason)
                line = (f"dropped (was {fmt_credence(before)})", f"“{statement}”")
            else:
                app.journal.rate_post(self.entry_id, bid, event.credence, event.reason)
                change = signed(event.credence - before) if before is not None else ""
                line = (f"{fmt_credence(before)} → {fmt_credence(event.credence)} ({change})", f"“{statement}”")
        except AdvisorError as exc:
            app.notify(exc.message, severity="error")
            return
        app.drafts.clear(self.draft_key)
        self._log.append(line)
        # a long statement wraps under itself, not at column 1
        self.query_one("#post-log", Static).update(Group(
            Text("Revealed after you answered:"), hanging(("  " + lead, text) for lead, text in self._log)))
        self._next()

    @on(BeliefForm.Added, "#post-new-form")
    def _new_added(self, event: BeliefForm.Added) -> None:
        app: Any = self.app
        try:
            app.journal.add_post_belief(self.entry_id, event.statement, event.credence, event.reason,
                                        belief_id=event.belief_id)
        except AdvisorError as exc:
            event.form.show_error(exc.message)
            return
        event.form.clear()
        app.drafts.clear(self.draft_key + ":new")
        self._show_diff()

    @on(Button.Pressed, "#post-finish")
    def _finish_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_finish()

    def action_finish(self) -> None:
        app: Any = self.app
        if not app.journal.post_ratings(self.entry_id):
            app.notify("Re-rate at least one belief first (or esc to come back later).", severity="warning")
            return
        entry = app.journal.complete_post(self.entry_id)
        app.drafts.clear(self.draft_key)
        app.pop_screen()
        if isinstance(app.screen, JournalScreen):
            app.screen.entry_id = self.entry_id
        else:
            app.open_screen("journal", entry_id=self.entry_id)
        if entry.post_status == "complete":
            app.notify(f"Entry #{self.entry_id} complete.", timeout=4)
        else:
            left = len(app.journal.unrated_beliefs(self.entry_id))
            app.notify(f"Entry #{self.entry_id} saved; {left} belief(s) not re-rated yet (p to finish).", timeout=6)

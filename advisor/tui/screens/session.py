"""A reflection session: the six-stage protocol as a guided flow over advisor.session.Session.

The engine runs in a thread worker (it may call a model, search the knowledge base, or load a
local model); its chunks reach the UI through `call_from_thread`. Text chunks stream into a
Markdown widget as they arrive. The stage is always visible; the user moves with ctrl+n/ctrl+b,
by clicking a stage, or by typing /next, /back, /stage NAME.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, ContentSwitcher, Footer, Markdown, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets import BeliefForm, ChatInput, RerateForm

STAGES = ["frame", "before", "explore", "challenge", "after", "summary"]
STAGE_NAMES = {"frame": "Frame", "before": "Before", "explore": "Explore", "challenge": "Challenge",
               "after": "After", "summary": "Summary"}
CONVERSE = {"frame", "explore", "challenge"}


class StageLabel(Static):
    def __init__(self, stage: str) -> None:
        number = STAGES.index(stage) + 1
        super().__init__(f"{number} {STAGE_NAMES[stage]}", classes="stage", id=f"stage-{stage}")
        self.stage = stage

    def on_click(self, event: events.Click) -> None:
        self.screen.goto(self.stage)  # type: ignore[attr-defined]


class ChatMessage(Vertical, can_focus=True):
    """One message in the log; focus it and press c to copy it."""

    BINDINGS = [Binding("c", "copy", "Copy message")]

    def __init__(self, role: str, text: str = "", *, markdown: bool = True) -> None:
        super().__init__(classes=f"msg -{role}")
        self.role = role
        self.text = text
        self.use_markdown = markdown
        self.stage = ""

    def compose(self) -> ComposeResult:
        who = {"user": "You", "advisor": "Advisor", "notice": "", "error": "⚠ Problem", "stage": ""}[self.role]
        if who:
            yield Static(who, classes="who")
        if self.use_markdown:
            yield Markdown(getattr(self, "display_text", None) or self.text)
        else:
            yield Static(Text(self.text), classes="body")

    async def append(self, piece: str) -> None:
        self.text += piece
        await self.query_one(Markdown).append(piece)

    def action_copy(self) -> None:
        self.app.copy_to_clipboard(self.text)
        self.app.notify("Copied the message to the clipboard.", timeout=2)


class SessionScreen(Screen):
    """A session from framing to summary; `topic` starts a new one, `resume_id` continues one."""

    BINDINGS = [
        Binding("ctrl+n", "next_stage", "Next stage", priority=True),
        Binding("ctrl+b", "prev_stage", "Prev stage", priority=True),
        Binding("ctrl+r", "retry", "Retry", priority=True),
        Binding("ctrl+y", "copy_reply", "Copy reply", priority=True, show=False),
        Binding("ctrl+o", "toggle_sources", "Sources", priority=True),
        Binding("ctrl+l", "pull", "Pull belief", show=False),
        Binding("escape", "escape", "Stop/Back"),
    ]

    def __init__(self, topic: str | None = None, resume_id: int | None = None) -> None:
        super().__init__()
        self.topic = topic
        self.resume_id = resume_id
        self.session: Any = None
        self.stage = "frame"
        self.busy = False
        self._streaming: ChatMessage | None = None
        self._citations: list[dict[str, Any]] = []
        self._last_reply = ""
        self._after_prompt: tuple[int | None, str] | None = None
        self._error_pending = False

    # ------------------------------------------------------------------ layout
    def compose(self) -> ComposeResult:
        yield TitleBar(f"Session · {self.topic or 'resuming…'}")
        with Horizontal(id="stagebar"):
            for stage in STAGES:
                yield StageLabel(stage)
        with Horizontal(id="session-body"):
            with Vertical(id="conversation"):
                yield VerticalScroll(id="log")
                yield Static("", id="busy", classes="-idle")
                with ContentSwitcher(initial="chat-pane", id="inputs"):
                    with Vertical(id="chat-pane"):
                        app: Any = self.app
                        yield ChatInput(newline_key=app.settings.ui.newline_key, id="chat-input")
                        yield Static("enter send · shift+enter/ctrl+j newline · ctrl+n next stage · "
                                     "/help commands", classes="hint", id="chat-hint")
                    yield BeliefForm(id="before-form", extra_buttons=[("bf-next", "Next ▸")])
                    with Vertical(id="after-pane"):
                        yield RerateForm(id="after-form")
                    with Vertical(id="after-new-pane"):
                        yield Static("All re-rated. Add a belief that came up, or go on to the summary.",
                                     classes="hint")
                        yield BeliefForm(id="after-new-form", allow_pull=False,
                                         add_label="Add",
                                         extra_buttons=[("an-summary", "Summary ▸")])
                    with Vertical(id="summary-pane"):
                        yield Static("Session complete. esc: home · ctrl+b: back to a stage · "
                                     "ctrl+y: copy the summary", classes="hint")
            with Vertical(id="sources"):
                yield Static("[b]Sources[/b]", id="sources-title")
                yield OptionList(id="source-list")
                yield Static("", id="source-preview")
        yield Footer()

    def on_mount(self) -> None:
        self._set_stage(self.stage)
        self._set_busy(True, "Starting the session…")
        self.run_engine("open")

    def on_resize(self, event: events.Resize) -> None:
        self.query_one("#sources").set_class(event.size.width < 70, "-hidden")

    @property
    def draft_key(self) -> str:
        sid = self.session.id if self.session is not None else "new"
        return f"session:{sid}"

    # ------------------------------------------------------------------ engine (worker thread)
    @work(thread=True, exclusive=True, group="session")
    def run_engine(self, op: str, arg: Any = None) -> None:
        app: Any = self.app
        worker = get_current_worker()
        chunks = None
        try:
            if self.session is None:
                retriever = app.knowledge_or_none()
                self.session = app.session_factory(
                    settings=app.settings, journal_path=app.journal.path, topic=self.topic,
                    resume_id=self.resume_id, retriever=retriever,
                )
                app.call_from_thread(self._session_ready)
            s = self.session
            chunks = {
                "open": lambda: s.opening(),
                "send": lambda: s.send(arg),
                "goto": lambda: s.goto(arg),
                "retry": lambda: s.retry(),
                "add_before": lambda: s.add_before(**arg),
                "rate_after": lambda: s.rate_after(**arg),
                "add_after": lambda: s.add_after(**arg),
            }[op]()
            for chunk in chunks:
                if worker.is_cancelled:
                    chunks.close()  # the engine saves a partial reply
                    app.call_from_thread(self._add, "notice", "Stopped. What was written so far is saved.")
                    break
                app.call_from_thread(self._handle, chunk)
        except Exception as exc:  # noqa: BLE001 - shown as a message with retry, never a traceback
            message = getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
            is_model = type(exc).__name__ == "ModelError"
            app.call_from_thread(self._show_error, message, is_model or self.session is None)
        finally:
            app.call_from_thread(self._done)

    def _session_ready(self) -> None:
        s = self.session
        self.topic = s.topic
        self.query_one(TitleBar).set_title(f"Session #{s.id} · {s.topic}")
        self.query_one(TitleBar).refresh_model(s.info.provider, s.info.label)
        self._set_stage(s.stage.value)
        self._restore_drafts()
        if self.resume_id is not None:
            self._replay()

    def _replay(self) -> None:
        """Show the saved conversation of a resumed session."""
        for turn in self.session.turns()[-40:]:
            role = {"user": "user", "advisor": "advisor"}.get(turn.role, "notice")
            if turn.status == "error":
                role = "notice"
            self._add(role, turn.content)
            if turn.citations:
                self._set_sources([c.model_dump() for c in turn.citations])

    def _done(self) -> None:
        self._set_busy(False)
        self._streaming = None
        if self.session is not None:
            self._set_stage(self.session.stage.value)
        self._focus_input()

    # ------------------------------------------------------------------ chunks (UI thread)
    async def _handle(self, event: Any) -> None:
        from advisor.session.events import (
            Done, ErrorEvent, Message, Prompt, Sources, StageOpened, SummaryReady, TextDelta)

        if isinstance(event, TextDelta):
            if self._streaming is None:
                self._streaming = ChatMessage("advisor", "")
                self._streaming.stage = self.stage
                await self.query_one("#log", VerticalScroll).mount(self._streaming)
                self._set_busy(True, "The advisor is writing… (esc stops)")
            await self._streaming.append(event.text)
            self._scroll_end()
        elif isinstance(event, Done):
            if self._streaming is not None:
                self._last_reply = self._streaming.text
            self._streaming = None
        elif isinstance(event, Message):
            msg = self._add("advisor", event.text)
            self._last_reply = msg.text
            if event.citations:
                self._set_sources([c.model_dump() for c in event.citations])
        elif isinstance(event, Sources):
            self._set_sources([c.model_dump() for c in event.citations])
        elif isinstance(event, StageOpened):
            self._add("stage", "── " + event.text + " ──", markdown=False)
            self._set_stage(event.stage.value)
        elif isinstance(event, Prompt):
            if self.stage == "after":
                self._after_prompt = (event.belief_id, event.text)
                self._show_after()
            self._add("advisor", event.text)
        elif isinstance(event, ErrorEvent):
            self._show_error(event.text, True)
        elif isinstance(event, SummaryReady):
            self._add("advisor", event.text)
            self._last_reply = event.text
            self._show_diff()
        else:  # Notice
            self._add("notice", event.text, markdown=False)

    def _add(self, role: str, text: str, markdown: bool | None = None) -> ChatMessage:
        use_md = markdown if markdown is not None else role in ("advisor", "user")
        msg = ChatMessage(role, text, markdown=use_md)
        if use_md and role == "advisor":  # whole messages keep their line breaks in Markdown
            msg.display_text = _hard_breaks(text)
        msg.stage = self.stage
        self.query_one("#log", VerticalScroll).mount(msg)
        self._scroll_end()
        return msg

    def _scroll_end(self) -> None:
        self.query_one("#log", VerticalScroll).scroll_end(animate=False)

    def _show_error(self, text: str, retry: bool) -> None:
        self._error_pending = retry
        hint = "  ctrl+r retries (your message is saved)." if retry and self.session is not None else ""
        if self.session is None:
            hint = "  ctrl+r tries again; esc goes back."
        self._add("error", text + hint, markdown=False)
        self.app.notify(text, title="advisor", severity="error", timeout=6)

    def _show_diff(self) -> None:
        s = self.session
        if s is None or not s.entry_id:
            return
        try:
            from advisor.journal.render import format_diff

            diff = s.journal.entry_diff(s.entry_id)
        except Exception:  # noqa: BLE001
            return
        self._add("notice", format_diff(diff), markdown=False)

    # ------------------------------------------------------------------ stage display
    def _set_stage(self, stage: str) -> None:
        if stage not in STAGES:
            return
        self.stage = stage
        current = STAGES.index(stage)
        for i, name in enumerate(STAGES):
            label = self.query_one(f"#stage-{name}", StageLabel)
            label.set_class(i == current, "-current")
            label.set_class(i < current, "-done")
        self._hide_before_credences(stage == "after")
        switcher = self.query_one("#inputs", ContentSwitcher)
        if stage == "before":
            switcher.current = "before-form"
        elif stage == "after":
            self._show_after()
        elif stage == "summary":
            switcher.current = "summary-pane"
        else:
            switcher.current = "chat-pane"
        if not self.busy:
            self._focus_input()

    def _hide_before_credences(self, hide: bool) -> None:
        """While re-rating, the Before stage's messages (which hold the old credences) are hidden."""
        hidden = 0
        for msg in self.query(ChatMessage):
            if msg.stage == "before" and msg.role in ("user", "advisor"):
                msg.display = not hide
                hidden += hide
        notice = self.query("#hidden-notice")
        if hide and hidden and not notice:
            note = ChatMessage("notice", "(Your Before answers are hidden while you re-rate, so your old "
                                         "credences cannot anchor you. The summary shows them.)", markdown=False)
            note.id = "hidden-notice"
            note.stage = "after"
            self.query_one("#log", VerticalScroll).mount(note)
        elif not hide and notice:
            notice.remove()

    def _show_after(self) -> None:
        switcher = self.query_one("#inputs", ContentSwitcher)
        prompt = self._after_prompt
        if prompt is not None and prompt[0] is not None:
            switcher.current = "after-pane"
            draft = self.app.drafts.get(self.draft_key + ":after")  # type: ignore[attr-defined]
            self.query_one("#after-form", RerateForm).ask(prompt[0], prompt[1], draft)
        else:
            switcher.current = "after-new-pane"

    def _focus_input(self) -> None:
        current = self.query_one("#inputs", ContentSwitcher).current
        try:
            if current == "chat-pane":
                self.query_one("#chat-input", ChatInput).focus()
            elif current == "before-form":
                self.query_one("#before-form", BeliefForm).focus_first()
            elif current == "after-pane":
                self.query_one("#after-form", RerateForm).focus_first()
            elif current == "after-new-pane":
                self.query_one("#after-new-form", BeliefForm).focus_first()
        except Exception:  # noqa: BLE001
            pass

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.busy = busy
        label = self.query_one("#busy", Static)
        label.update(("⋯ " + text) if busy else "")
        label.set_class(not busy, "-idle")

    def _set_sources(self, citations: list[dict[str, Any]]) -> None:
        self._citations = citations
        lst = self.query_one("#source-list", OptionList)
        lst.clear_options()
        for c in citations:
            kind = "own note" if c.get("kind") == "note" else "curated"
            where = f" · {c['location']}" if c.get("location") else ""
            lst.add_option(Option(Text(f"[{c.get('n', '?')}] {c.get('title', '')}\n    {kind}{where}"),
                                  id=str(c.get("chunk_id") or c.get("n"))))
        self.query_one("#source-preview", Static).update(
            "enter: show passage · c: copy" if citations else "")

    # ------------------------------------------------------------------ drafts
    def _restore_drafts(self) -> None:
        drafts: Any = self.app.drafts  # type: ignore[attr-defined]
        chat = drafts.get(self.draft_key + ":chat")
        if chat:
            self.query_one("#chat-input", ChatInput).text = chat
        self.query_one("#before-form", BeliefForm).load(drafts.get(self.draft_key + ":before"))
        self.query_one("#after-new-form", BeliefForm).load(drafts.get(self.draft_key + ":after-new"))

    @on(ChatInput.Changed, "#chat-input")
    def _chat_changed(self, event: ChatInput.Changed) -> None:
        if self.session is not None:
            self.app.drafts.set(self.draft_key + ":chat", event.text_area.text)  # type: ignore[attr-defined]

    @on(BeliefForm.Changed)
    def _form_changed(self, event: BeliefForm.Changed) -> None:
        if self.session is None:
            return
        suffix = ":before" if event.form.id == "before-form" else ":after-new"
        self.app.drafts.set(self.draft_key + suffix, event.form.values())  # type: ignore[attr-defined]

    @on(RerateForm.Changed)
    def _rerate_changed(self, event: RerateForm.Changed) -> None:
        if self.session is not None:
            self.app.drafts.set(self.draft_key + ":after", event.form.values())  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ user input
    def _run(self, op: str, arg: Any, shown: str) -> bool:
        """Hand structured form input to the engine (no text round trip), showing `shown`."""
        if not self._ready_for_input():
            return False
        self._add("user", shown)
        self._set_busy(True, "Saving…")
        self.run_engine(op, arg)
        return True

    def _ready_for_input(self) -> bool:
        if self.busy:
            self.app.notify("Wait for the advisor to finish (esc stops it).", timeout=3)
            return False
        if self.session is None:
            self.app.notify("The session is not ready yet.", timeout=3)
            return False
        return True

    def _send(self, text: str) -> bool:
        if not self._ready_for_input():
            return False
        self._add("user", text)
        self._set_busy(True, "The advisor is thinking…")
        self.run_engine("send", text)
        return True

    @on(ChatInput.Submitted)
    def _chat_submitted(self, event: ChatInput.Submitted) -> None:
        text = event.text
        if text.strip().lower() in ("/quit", "/exit", "/q"):
            self.app.pop_screen()
            return
        if self._send(text):
            event.chat_input.text = ""
            self.app.drafts.clear(self.draft_key + ":chat")  # type: ignore[attr-defined]

    @on(BeliefForm.Added, "#before-form")
    def _before_added(self, event: BeliefForm.Added) -> None:
        shown = f"{event.statement} — **{event.credence:g}%**" + (f" because {event.reason}" if event.reason else "")
        args = {"statement": event.statement, "credence": event.credence, "reason": event.reason,
                "belief_id": event.belief_id}
        if self._run("add_before", args, shown):
            event.form.clear()
            self.app.drafts.clear(self.draft_key + ":before")  # type: ignore[attr-defined]

    @on(BeliefForm.Added, "#after-new-form")
    def _after_new_added(self, event: BeliefForm.Added) -> None:
        args = {"statement": event.statement, "credence": event.credence, "reason": event.reason}
        if self._run("add_after", args, f"New: {event.statement} — **{event.credence:g}%**"):
            event.form.clear()
            self.app.drafts.clear(self.draft_key + ":after-new")  # type: ignore[attr-defined]

    @on(RerateForm.Answered)
    def _after_answered(self, event: RerateForm.Answered) -> None:
        if self.busy:
            return
        before = self._pre_credence(event.belief_id)
        if event.action == "skip":
            shown = "Skipped for now."
        elif event.action == "drop":
            shown = "Dropped this belief."
        else:
            shown = f"Now **{event.credence:g}%**"
        if before is not None and event.action != "skip":
            change = "" if event.credence is None else f" ({event.credence - before:+g})"
            shown += f" — before this session you said **{before:g}%**{change}."
        self._after_prompt = None
        args = {"belief_id": event.belief_id, "credence": event.credence, "reason": event.reason,
                "action": event.action}
        if self._run("rate_after", args, shown):
            self.app.drafts.clear(self.draft_key + ":after")  # type: ignore[attr-defined]

    def _pre_credence(self, belief_id: int | None) -> float | None:
        s = self.session
        if s is None or belief_id is None or not s.entry_id:
            return None
        try:
            for b in s.journal.pre_beliefs(s.entry_id):
                if b.belief_id == belief_id:
                    return b.credence
        except Exception:  # noqa: BLE001
            return None
        return None

    @on(Button.Pressed, "#bf-next")
    def _before_done(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_next_stage()

    @on(Button.Pressed, "#an-summary")
    def _to_summary(self, event: Button.Pressed) -> None:
        event.stop()
        self.goto("summary")

    @on(BeliefForm.PullRequested)
    def _pull_requested(self, event: BeliefForm.PullRequested) -> None:
        self.action_pull()

    def action_pull(self) -> None:
        if self.stage != "before":
            return
        from advisor.tui.screens.modals import PullBeliefModal

        app: Any = self.app
        form = self.query_one("#before-form", BeliefForm)

        def picked(result: tuple[int, str] | None) -> None:
            if result:
                form.pull(*result)

        exclude: set[int] = set()
        s = self.session
        if s is not None and s.entry_id:
            exclude = {b.belief_id for b in app.journal.pre_beliefs(s.entry_id)}
        app.push_screen(PullBeliefModal(app.journal.all_beliefs(), exclude), picked)

    @on(OptionList.OptionSelected, "#source-list")
    def _source_selected(self, event: OptionList.OptionSelected) -> None:
        c = self._citations[event.option_index] if event.option_index < len(self._citations) else {}
        self.load_passage(c)

    @work(thread=True, exclusive=True, group="passage")
    def load_passage(self, citation: dict[str, Any]) -> None:
        app: Any = self.app
        text = ""
        try:
            kb = app.knowledge()
            passage = kb.wrapped.get_passage(citation.get("chunk_id", ""))
            text = passage.text if passage is not None else ""
        except Exception:  # noqa: BLE001
            text = ""
        cite = f"{citation.get('title', '')}, {citation.get('location', '')} ({citation.get('source', '')})"
        app.call_from_thread(self._show_passage, text, cite)

    def _show_passage(self, text: str, cite: str) -> None:
        self._passage = (text + "\n— " + cite) if text else cite
        self.query_one("#source-preview", Static).update(Text(self._passage[:600] + "\n(c copies)"))

    def on_key(self, event: events.Key) -> None:
        if event.key == "c" and self.focused is self.query_one("#source-list", OptionList):
            text = getattr(self, "_passage", "")
            if not text and self._citations:
                idx = self.query_one("#source-list", OptionList).highlighted or 0
                c = self._citations[idx]
                text = f"{c.get('title', '')}, {c.get('location', '')} ({c.get('source', '')})"
            if text:
                self.app.copy_to_clipboard(text)
                self.app.notify("Copied the passage.", timeout=2)
            event.stop()

    # ------------------------------------------------------------------ navigation actions
    def goto(self, stage: str) -> None:
        if self.busy or self.session is None:
            self.app.notify("Wait for the advisor to finish first.", timeout=3)
            return
        if stage == self.stage and stage != "summary":
            return
        self._set_busy(True, f"Opening {STAGE_NAMES[stage]}…")
        self.run_engine("goto", stage)

    def action_next_stage(self) -> None:
        i = STAGES.index(self.stage)
        if i < len(STAGES) - 1:
            self.goto(STAGES[i + 1])

    def action_prev_stage(self) -> None:
        i = STAGES.index(self.stage)
        if i > 0:
            self.goto(STAGES[i - 1])

    def action_retry(self) -> None:
        if self.busy:
            return
        self._set_busy(True, "Trying again…")
        self.run_engine("retry" if self.session is not None else "open")

    def action_copy_reply(self) -> None:
        if self._last_reply:
            self.app.copy_to_clipboard(self._last_reply)
            self.app.notify("Copied the last reply.", timeout=2)
        else:
            self.app.notify("No reply to copy yet.", timeout=2)

    def action_toggle_sources(self) -> None:
        self.query_one("#sources").toggle_class("-hidden")

    def action_escape(self) -> None:
        if self.busy:
            self.workers.cancel_group(self, "session")
            self._set_busy(True, "Stopping…")
            return
        self.app.pop_screen()

    def on_unmount(self) -> None:
        self.workers.cancel_group(self, "session")
        s = self.session
        if s is not None and not self.busy:
            try:
                s.close()
                s.journal.close()
            except Exception:  # noqa: BLE001
                pass

    def palette_commands(self) -> list[tuple[str, str, Any]]:
        out: list[tuple[str, str, Any]] = [
            ("Session: next stage", "ctrl+n", self.action_next_stage),
            ("Session: previous stage", "ctrl+b", self.action_prev_stage),
            ("Session: retry the last message", "ctrl+r", self.action_retry),
            ("Session: copy the last reply", "ctrl+y", self.action_copy_reply),
            ("Session: show/hide sources", "ctrl+o", self.action_toggle_sources),
        ]
        for stage in STAGES:
            out.append((f"Session: go to stage {STAGE_NAMES[stage]}", f"stage {STAGES.index(stage) + 1}/6",
                        lambda stage=stage: self.goto(stage)))
        return out


def _hard_breaks(text: str) -> str:
    """Single newlines in engine messages are line breaks, not Markdown soft wraps."""
    import re

    return re.sub(r"(?<!\n)\n(?!\n)", "  \n", text)

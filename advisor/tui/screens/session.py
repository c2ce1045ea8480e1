"""A reflection session: the staged protocol as a guided flow over advisor.session.Session.

The screen wires widgets that each own one job (stage bar, chat log, stage inputs, sources) to a
runner that steps the engine in a thread; the engine's events are shown here as they arrive. The
user moves with ctrl+n/ctrl+b, by clicking a stage, or by typing /next, /back, /stage NAME.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen

from advisor.session.events import ErrorEvent, Event, Message, Prompt, Sources, StageOpened, TextDelta
from advisor.session.stages import ORDER, Stage
from advisor.tui.session_runner import SessionRunner, Step
from advisor.tui.titlebar import TitleBar
from advisor.tui.widgets.busy_line import BusyLine
from advisor.tui.widgets.chat_log import RETRY_HINT, ChatLog
from advisor.tui.widgets.key_bar import KeyBar
from advisor.tui.widgets.sources_panel import SourcesPanel
from advisor.tui.widgets.stage_bar import StageBar
from advisor.tui.widgets.stage_inputs import StageInputs

if TYPE_CHECKING:
    from advisor.session.engine import Session

#: Turns shown again when a session is resumed.
REPLAYED_TURNS = 40


class SessionScreen(Screen[None]):
    """A session from framing to summary; `topic` starts a new one, `resume_id` continues one."""

    DEFAULT_CSS = """
    #stagebar { height: 1; padding: 0 1; background: $boost; }
    #stagebar .stage { width: auto; padding: 0 1; color: $text-muted; }
    #stagebar .stage.-done { color: $success; }
    #stagebar .stage.-current { background: $primary; color: $text; text-style: bold; }
    #session-body { height: 1fr; }
    #conversation { width: 1fr; }
    #log { height: 1fr; padding: 0 1; }
    #sources { width: 34; border-left: vkey $primary 40%; padding: 0 1; }
    #sources.-empty, #sources.-hidden { display: none; }
    #sources OptionList { height: 1fr; border: none; background: transparent; }
    #source-preview { height: auto; max-height: 10; color: $text-muted; }
    .msg { height: auto; margin: 0 0 1 0; }
    .msg:focus { background: $boost; }
    .msg .who { text-style: bold; height: 1; }
    .msg.-user .who { color: $accent; }
    .msg.-advisor .who { color: $success; }
    .msg.-notice { color: $text-muted; }
    .msg.-error { color: $error; }
    .msg.-stage { color: $primary; text-style: bold; }
    .msg Markdown { margin: 0; padding: 0; }
    .msg Markdown > *:last-child { margin-bottom: 0; }
    #inputs { height: auto; max-height: 14; border-top: solid $primary 40%; padding: 0 1; }
    #inputs > * { height: auto; }
    #chat-hint { height: 1; text-wrap: nowrap; text-overflow: ellipsis; }
    #busy { height: 1; color: $warning; }
    #busy.-idle { display: none; }
    """

    BINDINGS = [
        Binding("ctrl+n", "next_stage", "Next stage", priority=True),
        Binding("ctrl+b", "prev_stage", "Prev stage", priority=True),
        Binding("ctrl+r", "retry", "Retry", priority=True),
        Binding("ctrl+y", "copy_reply", "Copy reply", priority=True, show=False),
        Binding("ctrl+o", "toggle_sources", "Sources", priority=True),
        Binding("ctrl+l", "pull", "Pull belief", show=False),
        # one key, and the bar says which of the two it does now: stop a reply, or leave
        Binding("escape", "stop", "Stop the reply"),
        Binding("escape", "back", "Back"),
    ]
    #: below this width the sources panel stays closed until ctrl+o: the log needs the room, and
    #: each reply names its sources itself
    SOURCES_MIN_WIDTH = 100

    def __init__(self, topic: str | None = None, resume_id: int | None = None) -> None:
        super().__init__()
        self.topic = topic
        self.runner = SessionRunner(self, self, topic=topic, resume_id=resume_id)
        self.stage = ORDER[0]
        self._busy = False
        self.sources_wanted: bool | None = None  # None: open when the screen is wide enough

    @property
    def busy(self) -> bool:
        return self._busy

    @busy.setter
    def busy(self, value: bool) -> None:
        self._busy = value
        self.refresh_bindings()  # esc: Stop while a reply is written, Back otherwise

    @property
    def session(self) -> Session | None:
        return self.runner.session

    def compose(self) -> ComposeResult:
        yield TitleBar(f"Session · {self.topic or 'resuming…'}")
        yield StageBar(id="stagebar")
        with Horizontal(id="session-body"):
            with Vertical(id="conversation"):
                yield ChatLog(id="log")
                yield BusyLine(id="busy")
                yield StageInputs(self.app.settings.ui.newline_key, id="inputs")  # type: ignore[attr-defined]
            yield SourcesPanel(id="sources")
        yield KeyBar()

    def on_mount(self) -> None:
        self._set_stage(self.stage)
        self._start("Starting the session…", lambda s: s.opening())

    def on_resize(self, event: events.Resize) -> None:
        self._place_sources()

    def _place_sources(self) -> None:
        wanted = self.sources_wanted
        if wanted is None:
            wanted = self.size.width >= self.SOURCES_MIN_WIDTH
        self.query_one(SourcesPanel).set_class(not wanted, "-hidden")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "stop":
            return self.busy
        if action == "back":
            return not self.busy
        return True

    def _start(self, busy: str, step: Step) -> None:
        self.busy = True
        self.query_one(BusyLine).show(busy)
        self.runner.run(step)

    # ------------------------------------------------------------------ the runner's view
    def session_ready(self, session: Session) -> None:
        self.topic = session.topic
        self.query_one(TitleBar).set_title(f"Session #{session.id} · {session.topic}")
        self.query_one(TitleBar).refresh_model(session.info.provider, session.info.label)
        if session.info.warning:
            self.query_one(ChatLog).reworded[session.info.warning] = model_notice(session.info)
        self._set_stage(session.stage)
        self.query_one(StageInputs).attach(session)
        if self.runner.resume_id is not None:
            citations = self.query_one(ChatLog).replay(session.turns()[-REPLAYED_TURNS:])
            if citations:
                self.query_one(SourcesPanel).show(citations)

    async def show(self, event: Event) -> None:
        """The log shows the conversation; the stage, the forms and the sources follow the events."""
        await self.query_one(ChatLog).show(event)
        match event:
            case TextDelta():
                self.query_one(BusyLine).show("The advisor is writing… (esc stops)")
            case StageOpened(stage=stage):
                self._set_stage(stage)
            case Prompt(text=text, belief_id=belief_id) if self.stage is Stage.AFTER:
                self.query_one(StageInputs).ask_rerate(belief_id, text)
            case Message(citations=citations) | Sources(citations=citations) if citations:
                self.query_one(SourcesPanel).show(citations)
            case ErrorEvent(text=text):
                self.app.notify(text, title="advisor", severity="error", timeout=6)

    def stopped(self) -> None:
        self.query_one(ChatLog).add("notice", "Stopped. What was written so far is saved.")

    def failed(self, message: str, retryable: bool) -> None:
        if self.session is None:
            hint = "  ctrl+r tries again; esc goes back."
        else:
            hint = RETRY_HINT if retryable else ""
        self.query_one(ChatLog).error(message, hint)
        self.app.notify(message, title="advisor", severity="error", timeout=6)

    def step_done(self) -> None:
        self.busy = False
        self.query_one(BusyLine).clear()
        self.query_one(ChatLog).end_stream()
        if self.session is not None:
            self._set_stage(self.session.stage)
        self.query_one(StageInputs).focus_input()

    def _set_stage(self, stage: Stage) -> None:
        self.stage = stage
        self.query_one(ChatLog).stage = stage
        self.query_one(StageBar).show(stage)
        self.query_one(ChatLog).hide_answers_of(Stage.BEFORE, stage is Stage.AFTER)
        inputs = self.query_one(StageInputs)
        inputs.show_stage(stage)
        if not self.busy:
            inputs.focus_input()

    # ------------------------------------------------------------------ what the widgets ask for
    @on(StageInputs.Request)
    def _request(self, request: StageInputs.Request) -> None:
        if self.busy and request.quiet_if_busy:
            return
        if self.busy:
            self.app.notify("Wait for the advisor to finish (esc stops it).", timeout=3)
        elif self.session is None:
            self.app.notify("The session is not ready yet.", timeout=3)
        else:
            self.query_one(ChatLog).add("user", request.shown)
            self._start(request.busy, request.step)
            request.accepted()

    @on(StageBar.Selected)
    @on(StageInputs.Navigate)
    def _navigate(self, event: StageBar.Selected | StageInputs.Navigate) -> None:
        self.goto(event.stage)

    @on(StageInputs.Leave)
    def _leave(self) -> None:
        self.app.pop_screen()

    def goto(self, stage: Stage) -> None:
        session = self.session
        if self.busy or session is None:
            self.app.notify("Wait for the advisor to finish first.", timeout=3)
            return
        if session.already_at(stage):
            return
        self._start(f"Opening {stage.label}…", lambda s: s.goto(stage))

    # ------------------------------------------------------------------ actions
    def action_next_stage(self) -> None:
        if not self.stage.is_last:
            self.goto(self.stage.next())

    def action_prev_stage(self) -> None:
        if self.stage is not ORDER[0]:
            self.goto(self.stage.previous())

    def action_retry(self) -> None:
        if not self.busy:
            self._start("Trying again…", (lambda s: s.retry()) if self.session is not None else (lambda s: s.opening()))

    def action_copy_reply(self) -> None:
        reply = self.query_one(ChatLog).last_reply
        if reply:
            self.app.copy_to_clipboard(reply)
            self.app.notify("Copied the last reply.", timeout=2)
        else:
            self.app.notify("No reply to copy yet.", timeout=2)

    def action_toggle_sources(self) -> None:
        self.sources_wanted = self.query_one(SourcesPanel).has_class("-hidden")
        self._place_sources()

    def action_pull(self) -> None:
        self.query_one(StageInputs).pull()

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_stop(self) -> None:
        if self.busy:
            self.runner.cancel()
            self.query_one(BusyLine).show("Stopping…")

    def on_unmount(self) -> None:
        self.runner.cancel()
        session = self.session
        if session is not None and not self.busy:
            try:
                session.close()
                session.journal.close()
            except Exception:  # noqa: BLE001 - fault boundary: leaving the screen must not fail
                pass

    def palette_commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        out: list[tuple[str, str, Callable[[], object]]] = [
            ("Session: next stage", "ctrl+n", self.action_next_stage),
            ("Session: previous stage", "ctrl+b", self.action_prev_stage),
            ("Session: retry the last message", "ctrl+r", self.action_retry),
            ("Session: copy the last reply", "ctrl+y", self.action_copy_reply),
            ("Session: show/hide sources", "ctrl+o", self.action_toggle_sources),
        ]
        for stage in ORDER:
            out.append((f"Session: go to stage {stage.label}", f"stage {stage.number}/{len(ORDER)}",
                        partial(self.goto, stage)))
        return out


def model_notice(info: object) -> str:
    """The model warning as this screen words it: the keys that change the model, not commands."""
    provider, label = getattr(info, "provider", ""), getattr(info, "label", "")
    change = "To choose a model: ctrl+p, then Settings."
    if provider == "guide":
        return ("Guide mode: no language model answers, so you get passages from the knowledge base "
                f"and the protocol's questions. {change}")
    return f"{label} is a small offline model: its advice is weak and can be wrong. {change}"

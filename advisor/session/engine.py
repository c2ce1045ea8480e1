"""The session: the staged protocol over a journal, a retriever and a model (or guide mode).

A UI is a shell over `Session`: it shows `opening()`, feeds each line the user types to
`send(text)` and renders the events that come back (advisor/session/events.py; text streams as
the model writes). What each stage does is its handler's (advisor/session/handlers/); slash
commands are a table (advisor/session/commands.py). Every turn is committed as it happens; the
user's message is saved before the model is called.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal

from advisor.errors import AdvisorError, ModelError, StorageError, UsageError
from advisor.session.commands import run_command
from advisor.session.conversation import converse
from advisor.session.events import ErrorEvent, Event, Notice, StageOpened
from advisor.session.export import export_markdown
from advisor.session.guide import Guide
from advisor.session.handlers import after, before, handler_for
from advisor.session.llm import ModelClient, ModelInfo, describe
from advisor.session.retrieval import Knowledge, Retriever
from advisor.session.stages import ORDER, Stage, parse_stage
from advisor.session.store import (
    Citation,
    Role,
    SessionKind,
    SessionRecord,
    SessionState,
    SessionStore,
    ToolCall,
    Turn,
    TurnStatus,
)
from advisor.session.summary import SessionSummary

if TYPE_CHECKING:
    from advisor.journal.store import JournalStore
    from advisor.settings import Settings

Counter = Literal["guide_counter", "before_counter"]


class Session:
    """One advisor session. Build with `Session.start(...)` or `Session.resume(...)`."""

    def __init__(self, journal: JournalStore, settings: Settings, record: SessionRecord, *,
                 client: ModelClient | None = None, retriever: Retriever | None = None,
                 info: ModelInfo | None = None) -> None:
        self.journal = journal
        self.settings = settings
        self.store = SessionStore(journal)
        self.record = record
        self.info = info or (client.info if client else describe(settings))
        self._client = client
        self.knowledge = Knowledge(settings, retriever)
        self.guide = Guide()

    # ------------------------------------------------------------------ construction
    @classmethod
    def start(cls, journal: JournalStore, settings: Settings, topic: str, *,
              kind: SessionKind = "session", client: ModelClient | None = None,
              retriever: Retriever | None = None, stage: Stage = ORDER[0]) -> Session:
        info = client.info if client else describe(settings)
        record = SessionStore(journal).create(topic, stage.value, kind=kind, provider=info.provider,
                                              model_label=info.label)
        return cls(journal, settings, record, client=client, retriever=retriever, info=info)

    @classmethod
    def resume(cls, journal: JournalStore, settings: Settings, session_id: int, *,
               client: ModelClient | None = None, retriever: Retriever | None = None) -> Session:
        record = SessionStore(journal).get(session_id)
        session = cls(journal, settings, record, client=client, retriever=retriever)
        if record.provider != session.info.provider or record.model_label != session.info.label:
            session.record = session.store.update(record.id, provider=session.info.provider,
                                                  model_label=session.info.label)
        return session

    def close(self) -> None:
        if self._client is not None:
            self._client.close()

    # ------------------------------------------------------------------ state
    @property
    def id(self) -> int:
        return self.record.id

    @property
    def topic(self) -> str:
        return self.record.topic

    @property
    def stage(self) -> Stage:
        return Stage(self.record.stage)

    @property
    def entry_id(self) -> int | None:
        return self.record.entry_id

    @property
    def complete(self) -> bool:
        return self.record.status == "complete"

    @property
    def summary(self) -> SessionSummary | None:
        return SessionSummary.model_validate(self.record.summary) if self.record.summary else None

    @property
    def state(self) -> SessionState:
        return self.record.state

    def turns(self) -> list[Turn]:
        return self.store.turns(self.id)

    def said_in_stage(self) -> list[str]:
        """What the user has written in the current stage, so a question they answered is not asked."""
        return [t.content for t in self.turns() if t.role == "user" and t.stage == self.stage.value]

    def save_state(self, **fields: object) -> None:
        """Store `state` (and any other record fields given) now."""
        self.record = self.store.update(self.id, state=self.record.state, **fields)

    def bump(self, counter: Counter) -> int:
        """A counter's value, then one more (saved with the next `save_state`)."""
        value = self.state.get(counter, 0)
        self.state[counter] = value + 1
        return value

    def say(self, text: str, role: Role = "advisor", citations: tuple[Citation, ...] = (),
            status: TurnStatus = "ok", *, tool_calls: list[ToolCall] | None = None,
            flags: list[str] | None = None) -> Turn:
        """Save one turn of this stage, at once (with the tools called for it and any flags)."""
        return self.store.add_turn(self.id, self.stage.value, role, text, list(citations), status,
                                   tool_calls=tool_calls, flags=flags)

    @property
    def client(self) -> ModelClient | None:
        """The model (built on first use), or None in guide mode."""
        if self.info.provider == "guide":
            return None
        if self._client is None:
            self._client = ModelClient(self.settings, info=self.info)
        return self._client

    # ------------------------------------------------------------------ opening
    def opening(self) -> Iterator[Event]:
        """What to show first: the model notice, then the current stage (new) or a recap (resumed)."""
        if self.info.warning:
            yield Notice(self.info.warning)
        if not self.turns():
            self.save_state(stage=self.stage.value)
            yield from self._enter(self.stage)
            return
        yield Notice(f"Resuming session #{self.id} “{self.topic}” at stage "
                     f"{self.stage.number} ({self.stage.value}).")
        last = [t for t in self.turns() if t.role != "notice" and t.status == "ok"]
        if last and last[-1].role == "user":
            yield Notice(f"Your last message had no answer yet: “{last[-1].content}”. /retry to send it again.")
        elif last:
            yield Notice("Last from the advisor:\n" + last[-1].content)
        yield from handler_for(self.stage).resumed(self)

    # ------------------------------------------------------------------ input
    def send(self, text: str) -> Iterator[Event]:
        """Handle one line from the user: a /command or a message for the current stage."""
        text = (text or "").strip()
        if not text:
            return
        if text.startswith("/"):
            yield from self._guarded(lambda: run_command(self, text))
        else:
            yield from self._guarded(lambda: handler_for(self.stage).message(self, text))

    def add_before(self, statement: str, credence: object, reason: str = "",
                   belief_id: int | None = None) -> Iterator[Event]:
        """A Before belief from a form: no text parsing, so any statement is taken as written."""
        def step() -> Iterator[Event]:
            self._require(Stage.BEFORE, "before-beliefs are added in the Before stage")
            return before.add_from_form(self, statement, credence, reason, belief_id)
        yield from self._guarded(step)

    def rate_after(self, belief_id: int, credence: object = None, reason: str = "",
                   action: str = "rate") -> Iterator[Event]:
        """Re-rate (or `drop`, or `skip`) one Before belief in the After stage, from a form."""
        def step() -> Iterator[Event]:
            self._require(Stage.AFTER, "beliefs are re-rated in the After stage")
            return after.rate_from_form(self, belief_id, credence, reason, action)
        yield from self._guarded(step)

    def add_after(self, statement: str, credence: object, reason: str = "") -> Iterator[Event]:
        """A belief that appeared during the session, from a form (After stage)."""
        def step() -> Iterator[Event]:
            self._require(Stage.AFTER, "new beliefs are added in the After stage")
            return after.add_from_form(self, statement, credence, reason)
        yield from self._guarded(step)

    def _require(self, stage: Stage, mistake: str) -> None:
        if self.stage is not stage:
            raise UsageError(mistake)

    def _guarded(self, step: Callable[[], Iterator[Event]]) -> Iterator[Event]:
        """Run a step; a user mistake becomes an error event and a saved notice, and the session goes on."""
        try:
            yield from step()
        except (ModelError, StorageError):
            raise
        except AdvisorError as exc:
            self.say(exc.message, role="notice", status="error")
            yield ErrorEvent(exc.message, type(exc))

    # ------------------------------------------------------------------ moving between stages
    def goto(self, stage: Stage | str) -> Iterator[Event]:
        """Move to a stage (any direction) and show what it asks."""
        target = stage if isinstance(stage, Stage) else parse_stage(stage)
        if self.already_at(target):
            yield Notice(f"Already at stage {target.number} ({target.value}).")
            return
        self.save_state(stage=target.value)
        yield from self._enter(target)

    def already_at(self, stage: Stage) -> bool:
        """True when going to `stage` would do nothing: the session is there, and it is not a stage
        that runs again (the summary is rewritten)."""
        return stage is self.stage and not handler_for(stage).reenters

    def next_stage(self) -> Iterator[Event]:
        if self.stage.is_last:
            yield Notice("This is the last stage; /quit to leave.")
            return
        yield from self.goto(self.stage.next())

    def end(self) -> Iterator[Event]:
        yield from self.goto(ORDER[-1])

    def _enter(self, stage: Stage) -> Iterator[Event]:
        yield StageOpened(stage)
        yield from handler_for(stage).enter(self)

    def retry(self) -> Iterator[Event]:
        """Answer the last user message again (it was saved before the failed call)."""
        users = [t for t in self.turns() if t.role == "user" and t.status != "error"]
        if not users:
            yield Notice("Nothing to retry.")
            return
        last = users[-1]
        yield from converse(self, last.content, handler_for(Stage(last.stage)), saved=True)

    # ------------------------------------------------------------------ reports
    def status_text(self) -> str:
        lines = [f"Session #{self.id}: {self.topic}",
                 f"Stage {self.stage.number}/{len(ORDER)}: {self.stage.title}",
                 f"Model: {self.info.label}"]
        if self.entry_id:
            pre = self.journal.pre_beliefs(self.entry_id)
            post = self.journal.post_ratings(self.entry_id)
            lines.append(f"Journal entry #{self.entry_id}: {len(pre)} before, {len(post)} after")
        return "\n".join(lines)

    def export_markdown(self) -> str:
        return export_markdown(self.record, self.turns())

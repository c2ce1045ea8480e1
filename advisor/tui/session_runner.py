"""Runs the session engine off the UI thread: it may call a model, search the knowledge base or
load a local model. The session is built on the first step; each event reaches the view on the
UI thread, in order, before the next is made (so a stopped reply stops where the user saw it)."""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from typing import TYPE_CHECKING, Protocol

from textual.worker import get_current_worker

from advisor.errors import ModelError, error_text

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from advisor.session.engine import Session
    from advisor.session.events import Event

Step = Callable[["Session"], Iterator["Event"]]


class SessionView(Protocol):
    """What the runner tells the screen, always on the UI thread."""

    def session_ready(self, session: Session) -> None: ...
    async def show(self, event: Event) -> None: ...
    def stopped(self) -> None: ...
    def failed(self, message: str, retryable: bool) -> None: ...
    def step_done(self) -> None: ...


class SessionRunner:
    """One session's engine, stepped in a thread worker of `node` (one step at a time)."""

    def __init__(self, node: DOMNode, view: SessionView, *, topic: str | None, resume_id: int | None) -> None:
        self.node = node
        self.view = view
        self.topic = topic
        self.resume_id = resume_id
        self.session: Session | None = None

    def run(self, step: Step) -> None:
        self.node.run_worker(lambda: self._work(step), thread=True, exclusive=True, group="session")

    def cancel(self) -> None:
        self.node.workers.cancel_group(self.node, "session")

    def _open(self) -> Session:
        app = self.node.app
        return app.session_factory(  # type: ignore[attr-defined, no-any-return]
            settings=app.settings, journal_path=app.journal.path,  # type: ignore[attr-defined]
            topic=self.topic, resume_id=self.resume_id,
            retriever=app.knowledge_or_none(),  # type: ignore[attr-defined]
        )

    def _work(self, step: Step) -> None:
        app = self.node.app
        worker = get_current_worker()
        try:
            if self.session is None:
                self.session = self._open()
                app.call_from_thread(self.view.session_ready, self.session)
            events = step(self.session)
            for event in events:
                if worker.is_cancelled:
                    if isinstance(events, Generator):
                        events.close()  # the engine saves a partial reply
                    app.call_from_thread(self.view.stopped)
                    break
                app.call_from_thread(self.view.show, event)
        except Exception as exc:  # noqa: BLE001 - fault boundary: shown as a message with retry, never a traceback
            message = error_text(exc)
            app.call_from_thread(self.view.failed, message, isinstance(exc, ModelError) or self.session is None)
        finally:
            app.call_from_thread(self.view.step_done)

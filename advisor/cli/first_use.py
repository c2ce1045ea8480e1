"""What a question needs before it can be answered, done up front with progress on stderr: the
knowledge base brought up to date (on a new home: the curated cards indexed) and the local model
started. Without this the first `advisor ask` sat silent for over a minute.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from advisor.cli.progress import QUIET_CHECK_S, ProgressDisplay
from advisor.errors import AdvisorError

if TYPE_CHECKING:
    from advisor.knowledge import KnowledgeBase
    from advisor.session.llm import ModelClient
    from advisor.settings import Settings


@contextmanager
def prepared(settings: Settings) -> Iterator[tuple[KnowledgeBase, ModelClient | None]]:
    """(the knowledge base, a started local model client or None) for a session or an ask.

    A failure here is left for the session to meet and report as it does (a knowledge base that
    cannot be read is a notice; a model that cannot start is an error with /retry)."""
    from advisor.knowledge import KnowledgeBase
    from advisor.session.llm import ModelClient, describe

    client: ModelClient | None = None
    kb = KnowledgeBase(settings)
    try:
        with ProgressDisplay("getting ready", check_after=QUIET_CHECK_S) as display:
            try:
                kb.prepare(progress=display)
            except AdvisorError:
                pass
            info = describe(settings)
            if info.provider == "local":
                client = ModelClient(settings, info=info)
                display.status(f"starting the local model {info.label}")
                try:
                    client.chat()
                except AdvisorError:
                    pass
        yield kb, client
    finally:
        if client is not None:
            client.close()
        kb.close()

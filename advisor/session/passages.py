"""What the session needs of a retrieved passage, and the citations it keeps of them.

Any object with these fields will do (advisor.knowledge.models.Passage has them all), so the
session does not depend on how the knowledge base is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from advisor.session.store import Citation


class PassageLike(Protocol):
    """A piece of the knowledge base as the session quotes and cites it."""

    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def location(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def chunk_id(self) -> str: ...


def citations_for(passages: Sequence[PassageLike]) -> tuple[Citation, ...]:
    """Numbered citations [1], [2], ... in the order the passages were given to the model."""
    return tuple(Citation(n=i, title=p.title, location=p.location, source=p.source, kind=p.kind,
                          chunk_id=p.chunk_id)
                 for i, p in enumerate(passages, 1))


def citation_line(c: Citation) -> str:
    """`[n] Title, location (source)`: how a citation reads in a list."""
    return f"[{c.n}] {c.title}" + (f", {c.location}" if c.location else "") + (f" ({c.source})" if c.source else "")


def sources_text(citations: Sequence[Citation]) -> str:
    return "Sources:\n" + "\n".join("  " + citation_line(c) for c in citations)

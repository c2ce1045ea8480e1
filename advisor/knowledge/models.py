"""Plain data returned by the knowledge base (pydantic, no heavy imports)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

from pydantic import BaseModel, Field, model_validator

Kind = Literal["curated", "note"]
State = Literal["indexed", "changed", "missing", "failed"]


class Passage(BaseModel):
    """One retrieved chunk, with what a citation needs."""

    text: str
    score: float = Field(
        description="Late-interaction similarity (0-1) for passages the second stage re-ranked; "
        "otherwise the fused (RRF) score in hybrid mode, cosine or BM25 in the others."
    )
    title: str
    source: str = Field(
        description="Where the words come from: for a note, the file it was added from (its copy in "
        "ADVISOR_HOME when it was typed); for a curated card, its file among the cards (strategy/x.md)."
    )
    kind: Kind
    chunk_id: str
    location: str = Field(description='Human-readable place for citations, e.g. "§ Core problems".')
    topics: list[str] = Field(default_factory=list)
    card_kind: str | None = Field(default=None, description="For curated cards: strategy, field, ...")
    note_id: str | None = None
    owner: Literal["mine", "team"] | None = Field(
        default=None, description="For notes: one of yours (mine), or one a team member shared (team)."
    )
    added_by: str | None = Field(default=None, description="For team notes: the member who shared it.")
    lines: tuple[int, int] | None = Field(default=None, description="First and last line (page, for a PDF) it spans.")
    draws_on: list[str] = Field(default_factory=list, description="For a card: the works it summarises.")
    snippet: str = Field(default="", description="The sentences that best match the question.")
    marks: list[tuple[int, int]] = Field(
        default_factory=list, description="Character spans of the question's words in `snippet`."
    )
    source_passage: Passage | None = Field(
        default=None,
        description="For a card drawn from one of your notes: that note's passage best matching the question.",
    )

    def place(self) -> str:
        """Where in its source: the section and, for a note, its lines ("§ Plan, lines 3–9")."""
        if self.kind != "note" or self.lines is None or not self.location.startswith("§ "):
            return self.location
        a, b = self.lines
        return f"{self.location}, " + (f"line {a}" if a == b else f"lines {a}–{b}")

    def citation(self) -> str:
        if self.kind == "note":
            return f"{self.title}, {self.place()} ({self.source})"
        drawn = f"; draws on {'; '.join(self.draws_on)}" if self.draws_on else ""
        return f"{self.title}, {self.location} (curated card {self.source}{drawn})"


class NoteInfo(BaseModel):
    id: str
    title: str
    path: str = Field(description="The note's copy in ADVISOR_HOME/notes.")
    origin: str | None = Field(default=None, description="Where it was added from (a path, 'stdin', 'editor').")
    chunks: int = 0
    size: int = 0
    added_at: str | None = None
    status: str = "indexed"
    warning: str | None = None
    shared: str | None = Field(
        default=None, description="With the team: 'uploaded', or 'pending' until the server is reached."
    )


class AddOutcome(BaseModel):
    path: str = Field(description="What the user gave (a path, or '-' for stdin).")
    outcome: Literal["added", "updated", "unchanged", "failed"]
    note_id: str | None = None
    title: str | None = None
    chunks: int = 0
    message: str | None = Field(default=None, description="Why it failed, or why it was skipped.")
    warning: str | None = None


class AddReport(BaseModel):
    items: list[AddOutcome] = Field(default_factory=list)

    @property
    def failed(self) -> list[AddOutcome]:
        return [i for i in self.items if i.outcome == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def count(self, outcome: str) -> int:
        return sum(1 for i in self.items if i.outcome == outcome)


class SourceStatus(BaseModel):
    source_id: str
    kind: Kind
    title: str
    path: str
    state: State
    detail: str | None = None
    chunks: int = 0


class ReindexReport(BaseModel):
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    failed: list[SourceStatus] = Field(default_factory=list)
    chunks: int = 0
    seconds: float = 0.0


Phase = Literal["checking", "waiting", "loading", "indexing", "done"]


class Progress(BaseModel):
    """A progress report of an indexing run: `done` of `total` bytes of source text, files and
    chunks done, the rate and an estimate of the time left. `line()` is how it reads everywhere
    (the CLI's bar or lines, the TUI's status bar), so they all show the same counts."""

    done: int
    total: int
    current: str = ""
    unit: str = "bytes"
    phase: Phase = "indexing"
    files_done: int = 0
    files_total: int = 0
    chunks_done: int = 0
    elapsed_s: float = 0.0
    rate: float | None = Field(default=None, description="Chunks indexed per second.")
    eta_s: float | None = Field(default=None, description="Seconds left, estimated from the bytes done.")

    @property
    def fraction(self) -> float:
        return 1.0 if self.total <= 0 else min(1.0, self.done / self.total)

    def counts(self) -> str:
        """Files and chunks done, rate and ETA: "12/400 files · 96 chunks · 31.0 chunks/s · ETA 2m05s"."""
        parts = [PHASE_LABELS[self.phase]]
        if self.files_total:
            parts.append(f"{self.files_done:,}/{self.files_total:,} files")
        if self.phase in ("indexing", "done"):
            parts.append(f"{self.chunks_done:,} chunks")
            if self.rate is not None:
                parts.append(f"{self.rate:.1f} chunks/s")
            if self.eta_s is not None and self.phase == "indexing":
                parts.append(f"ETA {duration(self.eta_s)}")
        return " · ".join(parts)

    def line(self) -> str:
        """The counts, the share done and the file being read."""
        pct = f" · {self.fraction:.0%}" if self.total > 0 and self.phase == "indexing" else ""
        return self.counts() + pct + (f" · {self.current}" if self.current else "")


PHASE_LABELS: dict[str, str] = {
    "checking": "checking files",
    "waiting": "waiting for another advisor to finish indexing",
    "loading": "loading the embedding model",
    "indexing": "indexing",
    "done": "indexed",
}


def duration(seconds: float) -> str:
    """12s, 3m05s, 1h02m."""
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s // 3600}h{s % 3600 // 60:02d}m"


ProgressCallback = Callable[[Progress], None]


class IndexedSource(BaseModel):
    """One indexed source (a curated card or a note), for stores derived from the index."""

    source_id: str
    kind: Kind
    title: str
    path: str
    added_at: str | None = None
    stamp: str = Field(description="Changes whenever the source's passages may have changed.")


class NoteRecord(BaseModel):
    """A note as a backup holds it: its file, byte for byte, and what the index knew of it."""

    id: str
    file: str = Field(pattern=r"^[0-9a-f]{8}-[^/\\\x00]+$",
                      description="Its file name in the notes folder (`<id>-<slug><suffix>`).")
    title: str
    origin: str | None = Field(default=None, description="Where it was added from (a path, 'stdin', 'editor').")
    added_at: str | None = None
    text: str | None = Field(default=None, description="The file's content, when it is UTF-8 text.")
    data_base64: str | None = Field(default=None, description="The file's bytes otherwise (a PDF).")

    @model_validator(mode="after")
    def _has_content(self) -> NoteRecord:
        if self.text is None and self.data_base64 is None:
            raise ValueError("a note needs its text or its data")
        return self

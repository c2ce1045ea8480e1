"""Shared builders for the TUI tests (fake knowledge base, session factory, seeded journal),
plus unit tests of the drafts file."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

from advisor.knowledge.models import AddOutcome, Passage, ReindexReport, SourceStatus
from advisor.tui.drafts import Drafts

FIXED = datetime(2026, 1, 15, 9, 30, tzinfo=timezone.utc)


class FakeKB:
    """A knowledge base with fixed statuses and passages; records what was added."""

    def __init__(self) -> None:
        self.added_text: list[tuple[str, str | None]] = []
        self.added_paths: list[list[str]] = []
        self.notes: list[SourceStatus] = []
        self.passages = [
            Passage(text="Labs differ in how much their safety teams can influence decisions.", score=1.0,
                    title="Research roles at AI labs", source="knowledge/careers/lab.md", kind="curated",
                    chunk_id="curated:careers/lab.md#0", location="§ Things to watch"),
            Passage(text="My advisor said interpretability needs more engineers.", score=0.5,
                    title="Notes from office hours", source="notes/abcd1234-office-hours.md", kind="note",
                    chunk_id="note:abcd1234#0", location="¶ 1"),
        ]

    def status(self) -> list[SourceStatus]:
        curated = [
            SourceStatus(source_id=f"curated:{name}.md", kind="curated", title=title, path=f"knowledge/{name}.md",
                         state="indexed", chunks=4)
            for name, title in (("careers/lab", "Research roles at AI labs"),
                                ("field/what-is-a-field", "What a research field is"),
                                ("subfields/interp", "Mechanistic interpretability"))
        ]
        return curated + self.notes

    def search(self, query: str, k: int | None = None, kind: Any = None, topics: Any = None) -> list[Passage]:
        return self.passages[: k or 5]

    def add_text(self, text: str, title: str | None = None, origin: str = "stdin") -> AddOutcome:
        self.added_text.append((text, title))
        title = title or text.splitlines()[0][:40]
        self.notes.append(SourceStatus(source_id="note:0000beef", kind="note", title=title,
                                       path="notes/0000beef.md", state="indexed", chunks=1))
        return AddOutcome(path="-", outcome="added", note_id="0000beef", title=title, chunks=1)

    def add_paths(self, paths: list[str], progress: Any = None) -> Any:
        from advisor.knowledge.models import AddReport, Progress

        self.added_paths.append([str(p) for p in paths])
        if progress:
            progress(Progress(done=50, total=100, current="x.md"))
            progress(Progress(done=100, total=100, current="x.md"))
        return AddReport(items=[AddOutcome(path=str(paths[0]), outcome="added", note_id="1234abcd", chunks=2)])

    def reindex(self, full: bool = False, progress: Any = None) -> ReindexReport:
        return ReindexReport(unchanged=3)

    def remove_note(self, note_id: str) -> Any:
        self.notes = [n for n in self.notes if n.source_id != "note:" + note_id]


class FakeRetriever:
    def __init__(self, kb: FakeKB) -> None:
        self.kb = kb
        self.queries: list[str] = []

    def search(self, query: str, k: int | None = None, kind: Any = None, topics: Any = None) -> list[Passage]:
        self.queries.append(query)
        return self.kb.search(query, k)


def make_settings(tmp_path: Path, **overrides: Any) -> Any:
    from advisor.settings import Settings

    return Settings(home=tmp_path / "home", model={"provider": "guide"}, **overrides)


def make_app(tmp_path: Path, *, chat: Any = None, kb: FakeKB | None = None, settings: Any = None) -> Any:
    """An AdvisorApp over a fresh journal, a fake knowledge base, and (optionally) a fake chat model."""
    from advisor.journal.store import JournalStore
    from advisor.settings import ensure_home
    from advisor.tui.app import AdvisorApp

    settings = settings or make_settings(tmp_path)
    ensure_home(settings)
    store = JournalStore.open(settings.journal_path)
    kb = kb or FakeKB()
    retriever = FakeRetriever(kb)

    def factory(*, settings: Any, journal_path: Path, topic: str | None = None, resume_id: int | None = None,
                retriever_arg: Any = None, **_: Any) -> Any:
        from advisor.session.engine import Session
        from advisor.session.llm import ModelClient, ModelInfo

        client = None
        if chat is not None:
            client = ModelClient(settings, chat=chat, info=ModelInfo("openai", "fake-model"))
        own = JournalStore.open(journal_path)
        if resume_id is not None:
            return Session.resume(own, settings, resume_id, client=client, retriever=retriever)
        return Session.start(own, settings, topic or "", client=client, retriever=retriever)

    app = AdvisorApp(settings, journal=store, knowledge=kb, session_factory=factory, auto_index=False)
    app.fake_retriever = retriever  # type: ignore[attr-defined]
    return app


def seed_journal(store: Any) -> None:
    """Two person entries (one complete), three beliefs with histories; all timestamps fixed."""
    e1 = store.create_entry("Coffee with Sam about lab safety teams", with_whom="Sam", medium="coffee",
                            occurred_on=date(2025, 11, 2))
    store.add_pre_belief(e1.id, "Working at a frontier lab speeds up capabilities", 70, "they ship products")
    store.add_pre_belief(e1.id, "I would learn faster at a lab than in a PhD", 60, "better mentors")
    store.rate_post(e1.id, 1, 55, "Sam's team does mostly evals")
    store.rate_post(e1.id, 2, 75, "the mentorship there is real")
    store.complete_post(e1.id)
    e2 = store.create_entry("Call with Priya on interpretability PhDs", with_whom="Priya", medium="call",
                            occurred_on=date(2025, 12, 10))
    store.add_pre_belief(e2.id, "I would learn faster at a lab than in a PhD", 65, "")
    store.add_pre_belief(e2.id, "Interpretability will be useful for safety by 2030", 40, "unclear path")
    with store.transaction() as conn:
        for table in ("entries", "beliefs", "ratings"):
            conn.execute(f"UPDATE {table} SET created_at = ?", (FIXED.isoformat(),))
        conn.execute("UPDATE entries SET post_completed_at = ? WHERE post_completed_at IS NOT NULL",
                     (FIXED.isoformat(),))


# ------------------------------------------------------------------------------- drafts
def test_drafts_persist_and_clear(tmp_path: Path) -> None:
    path = tmp_path / "d" / "drafts.json"
    d = Drafts(path)
    d.set("a", {"statement": "x", "credence": ""})
    d.set("b", "hello")
    assert json.loads(path.read_text()) == {"a": {"statement": "x", "credence": ""}, "b": "hello"}
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    again = Drafts(path)
    assert again.get("b") == "hello"
    again.set("b", "")  # an emptied draft is removed
    again.set("a", {"statement": "", "credence": None})
    assert json.loads(path.read_text()) == {}


def test_drafts_survive_a_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "drafts.json"
    path.write_text("{not json")
    d = Drafts(path)
    assert d.get("x") is None
    d.set("x", "y")
    assert Drafts(path).get("x") == "y"

"""advisor.history's search on real parts: the journal and sessions in SQLite, notes and cards in
a real knowledge base (catalog, Chroma, the embedder); the index kept in step, rebuilt when lost."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from support import kb_make_settings, seed_journal

from advisor.errors import UsageError
from advisor.history.index import INDEX_FILE
from advisor.history.search import HistorySearch
from advisor.journal.store import JournalStore
from advisor.knowledge import KnowledgeBase
from advisor.session.store import SessionStore


@pytest.fixture
def home(tmp_path: Path, kb_cards_dir: Path, kb_embedder):
    settings = kb_make_settings(tmp_path / "home", kb_cards_dir)
    store = JournalStore.open(settings.journal_path)
    seed_journal(store)
    kb = KnowledgeBase(settings, embedder=kb_embedder)
    search = HistorySearch.for_settings(settings, store, kb)
    yield settings, store, kb, search
    search.close()
    kb.close()
    store.close()


def _targets(report):
    return [r.target for r in report.results]


def test_a_word_in_a_reason_a_turn_and_a_note_finds_each_once_with_what_opens_it(home):
    _, store, kb, search = home
    sessions = SessionStore(store)
    s = sessions.create("lab or PhD", "explore")
    sessions.add_turn(s.id, "explore", "user", "My worry is the sabbatical would stall my interpretability work.")
    sessions.add_turn(s.id, "explore", "advisor", "What would a good year look like?")
    e = store.create_entry("Lunch with Ana")
    store.add_pre_belief(e.id, "A year out costs little", 30, "a sabbatical is common in academia")
    kb.add_text("Ana took a sabbatical before joining a safety team.", title="Ana's path")
    report = search.search("sabbatical")
    by_target = {r.target: r for r in report.results}
    assert set(by_target) == {f"session:{s.id}", f"entry:{e.id}", f"note:{kb.list_notes()[0].id}"}
    assert by_target[f"session:{s.id}"].open == f"advisor session show {s.id}"
    assert by_target[f"session:{s.id}"].place == "you, explore"
    assert by_target[f"entry:{e.id}"].open == f"advisor journal show {e.id}"
    assert by_target[f"note:{kb.list_notes()[0].id}"].open.startswith("advisor notes show ")
    for r in report.results:  # each snippet marks the word it matched
        assert r.marks and all(r.snippet[a:b].lower() == "sabbatical" for a, b in r.marks)
    assert [r.score for r in report.results] == sorted((r.score for r in report.results), reverse=True)


def test_beliefs_entries_and_kinds_and_dates_filter(home):
    search = home[3]
    statement = search.search("frontier lab capabilities")
    assert _targets(statement)[:2] == ["belief:1", "entry:1"]  # the statement itself, then where it was said
    assert _targets(search.search("mentorship", kind="journal")) == ["entry:1"]  # a post reason
    assert _targets(search.search("mentorship", kind="belief")) == []
    # seeded entries happened on 2025-11-02 and 2025-12-10
    assert _targets(search.search("lab", kind="journal", since=date(2025, 12, 1))) == ["entry:2"]
    assert len(search.search("lab", limit=1).results) == 1
    with pytest.raises(UsageError):
        search.search("   ")
    with pytest.raises(UsageError, match="unknown kind"):
        search.search("lab", kind="tweet")


def test_the_index_follows_every_change_and_is_rebuilt_when_lost(home):
    settings, store, kb, search = home
    assert search.search("quokka").results == []
    sessions = SessionStore(store)
    s = sessions.create("odd animals", "explore")
    sessions.add_turn(s.id, "explore", "user", "A quokka smiles.")
    assert _targets(search.search("quokka")) == [f"session:{s.id}"]
    note = kb.add_text("The quokka lives on Rottnest Island.", title="Quokkas")
    assert f"note:{note.note_id}" in _targets(search.search("quokka"))
    kb.remove_note(note.note_id)
    assert _targets(search.search("quokka")) == [f"session:{s.id}"]
    # derived data: a damaged index file is rebuilt from the stores, not trusted
    search.close()
    (settings.index_dir / INDEX_FILE).write_bytes(b"this is not a database" * 100)
    again = HistorySearch.for_settings(settings, store, kb)
    try:
        assert _targets(again.search("quokka")) == [f"session:{s.id}"]
    finally:
        again.close()
    search.index = HistorySearch.for_settings(settings, store, kb).index  # for the fixture's close()


def test_a_match_by_meaning_alone_is_found_and_said_so(home):
    _, _, kb, search = home
    kb.add_text("I could live on a stipend of 2000 a month for a year.", title="Money")
    report = search.search("salary and finances")  # no word in common with the note
    found = {r.target: r for r in report.results}
    note = [r for r in found.values() if r.kind == "note"]
    assert note and note[0].semantic and note[0].marks == []


def test_without_a_knowledge_base_the_journal_and_sessions_are_still_searched(tmp_path):
    from support import make_settings

    settings = make_settings(tmp_path / "home")
    with JournalStore.open(settings.journal_path) as store:
        seed_journal(store)

        class BrokenKB:
            def indexed_sources(self):
                from advisor.errors import StorageError

                raise StorageError("the search index is corrupt")

        search = HistorySearch.for_settings(settings, store, BrokenKB())  # type: ignore[arg-type]
        try:
            report = search.search("mentorship")
        finally:
            search.close()
    assert _targets(report) == ["entry:1"]
    assert report.warnings == ["notes and cards were not searched: the search index is corrupt"]

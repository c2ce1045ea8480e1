"""Home's rows read with sqlite3 alone (advisor.journal.rows, advisor.session.recent,
advisor.tui.home_data) are the store's rows; a journal whose schema is not current is not read
that way (the store migrates it first), and reading it changes nothing in the file."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

from advisor.journal.migrations import MIGRATIONS, applied_migrations, migrate
from advisor.journal.rows import open_current
from advisor.journal.store import JournalStore
from advisor.session.store import SessionStore
from advisor.tui.home_data import read_current, read_home_data

TODAY = date(2026, 11, 25)


def populated(path) -> None:
    """Entries with pre and post ratings, a drop, a resolution, beliefs due and not, sessions."""
    with JournalStore.open(path) as store:
        first = store.create_entry("Coffee with an evals lead", with_whom="Sam")
        store.add_pre_belief(first.id, "Evals work is as useful as interpretability", 40, "few do it well")
        store.add_pre_belief(first.id, "I would learn faster at a big lab", 60, "mentors",
                             resolve_by=TODAY - timedelta(days=3))
        store.add_pre_belief(first.id, "Independent work gets little feedback", 70, "",
                             resolve_by=TODAY + timedelta(days=30))
        store.rate_post(first.id, 1, 30, "her team struggles to hire")
        store.rate_post(first.id, 2, 75, "pairing")
        store.drop_in_post(first.id, 3, "not sure it matters")
        store.complete_post(first.id)
        second = store.create_entry("Call with a grantmaker", occurred_on=TODAY)
        store.add_pre_belief(second.id, "", 55, "again", belief_id=1)
        store.add_pre_belief(second.id, "Policy work needs a technical background", 20.5, "",
                             resolve_by=TODAY)
        store.resolve_belief(4, "no")
        sessions = SessionStore(store)
        done = sessions.create("Lab or independent", "frame")
        sessions.update(done.id, status="complete", entry_id=first.id)
        sessions.create("What subfield first", "explore")
        sessions.create("a one-off question", "explore", kind="ask")


def test_the_light_rows_are_the_stores_rows(tmp_path) -> None:
    path = tmp_path / "journal.db"
    populated(path)
    data = read_current(path, TODAY)
    assert data is not None
    with JournalStore.open(path) as store:
        assert data == read_home_data(store.conn, TODAY)  # the same through the store's connection
        summaries = store.list_beliefs()
        assert [(b.id, b.statement, b.resolve_by, b.resolution) for b in data.beliefs] == [
            (s.belief.id, s.belief.statement, s.belief.resolve_by, s.belief.resolution) for s in summaries]
        assert [(r.latest, r.times_rated, r.last_change, r.last_rated_at, r.dropped, r.history)
                for r in (b.ratings for b in data.beliefs)] == [
            (s.latest, s.times_rated, s.last_change, s.last_rated_at, s.dropped, s.history) for s in summaries]
        assert [b.id for b in data.due] == [s.belief.id for s in store.due_beliefs(TODAY)] == [2]
        assert [(e.id, e.about, e.with_whom, e.post_status, e.created_at) for e in data.entries] == [
            (e.id, e.about, e.with_whom, e.post_status, e.created_at) for e in store.list_entries()]
        recent = SessionStore(store).recent(30)
        assert [(s.id, s.topic, s.stage, s.status, s.entry_id, s.updated_at) for s in data.sessions] == [
            (s.id, s.topic, s.stage, s.status, s.entry_id, s.updated_at) for s in recent]
    assert [b.ratings.history for b in data.beliefs][:3] == [[40, 30, 55], [60, 75], [70]]
    assert data.beliefs[2].ratings.dropped and data.beliefs[3].resolution == "no"
    assert [s.topic for s in data.sessions] == ["What subfield first", "Lab or independent"]


def test_an_older_journal_is_left_to_the_store_and_not_touched(tmp_path) -> None:
    """Before m005, an entry whose post left a belief unrated was stored "complete": read as it is,
    Home would say "done"; the store's migration makes it "in progress". So it is not read as it is."""
    path = tmp_path / "journal.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:3])
    conn.executescript("""
        INSERT INTO entries (id, about, created_at, post_status, post_completed_at)
            VALUES (1, 'half', '2025-01-01T00:00:00+00:00', 'complete', '2025-01-02T00:00:00+00:00');
        INSERT INTO beliefs (id, statement, created_at) VALUES (1, 'a', '2025-01-01'), (2, 'b', '2025-01-01');
        INSERT INTO ratings (entry_id, belief_id, phase, credence, created_at) VALUES
            (1, 1, 'pre', 10, '2025-01-01'), (1, 2, 'pre', 20, '2025-01-01'), (1, 1, 'post', 30, '2025-01-02');
    """)
    conn.close()
    before = path.read_bytes()
    assert open_current(path) is None and read_current(path, TODAY) is None
    assert path.read_bytes() == before
    with JournalStore.open(path) as store:
        assert applied_migrations(store.conn) == [m.__name__ for m in MIGRATIONS]
        data = read_home_data(store.conn, TODAY)
    assert [(e.id, e.post_status) for e in data.entries] == [(1, "in_progress")]


def test_a_newer_journal_or_none_is_not_read(tmp_path) -> None:
    assert read_current(tmp_path / "missing.db", TODAY) is None and not (tmp_path / "missing.db").exists()
    path = tmp_path / "journal.db"
    with JournalStore.open(path) as store:
        store.conn.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    assert read_current(path, TODAY) is None  # the store refuses it, with the reason


def test_session_tables_from_before_their_own_migrations_are_left_to_the_store(tmp_path) -> None:
    """A journal with sessions but no `_session_migrations` (made by the journal's old m004) is not
    read as it is; one that never had a session lists none."""
    path = tmp_path / "journal.db"
    with JournalStore.open(path) as store:
        store.create_entry("no session yet")
    data = read_current(path, TODAY)
    assert data is not None and data.sessions == [] and [e.about for e in data.entries] == ["no session yet"]
    with JournalStore.open(path) as store:
        SessionStore(store).create("a session", "frame")
        store.conn.execute("DROP TABLE _session_migrations")
    assert read_current(path, TODAY) is None

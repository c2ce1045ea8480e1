"""The session store owns its tables: its own migration list, journals from before that still open,
and sessions that travel with the journal through export and import."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from advisor.errors import StorageError, UsageError
from advisor.journal import migrations as journal_migrations
from advisor.journal.migrations import MIGRATIONS, applied_migrations, migrate
from advisor.journal.store import JournalStore
from advisor.journal.transfer import export_data, import_data
from advisor.session.migrations import TABLE as SESSION_TABLE
from advisor.session.migrations import migrate_sessions
from advisor.session.store import Citation, SessionStore

T0 = "2026-01-01T00:00:00+00:00"


def m004_sessions_turns(conn: sqlite3.Connection) -> None:
    """The journal's migration m004 as it shipped, when the journal made the session tables."""
    conn.execute(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'session' CHECK (kind IN ('session', 'ask')),
            topic TEXT NOT NULL,
            stage TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'complete')),
            provider TEXT NOT NULL DEFAULT '',
            model_label TEXT NOT NULL DEFAULT '',
            entry_id INTEGER REFERENCES entries(id) ON DELETE SET NULL,
            state TEXT NOT NULL DEFAULT '{}',
            summary TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    conn.execute(
        """
        CREATE TABLE turns (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            stage TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('user', 'advisor', 'notice')),
            content TEXT NOT NULL,
            citations TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL DEFAULT 'ok' CHECK (status IN ('ok', 'error', 'partial')),
            created_at TEXT NOT NULL
        )
        """
    )
    conn.execute("CREATE INDEX turns_by_session ON turns (session_id, id)")


OLD_JOURNAL_MIGRATIONS = [*MIGRATIONS[:3], m004_sessions_turns]


def old_journal(path: Path) -> None:
    """A journal written by the release whose journal migrations made the session tables."""
    conn = sqlite3.connect(path, isolation_level=None)
    assert migrate(conn, OLD_JOURNAL_MIGRATIONS, handed_over=()) == [m.__name__ for m in OLD_JOURNAL_MIGRATIONS]
    conn.execute("INSERT INTO entries (id, kind, about, created_at) VALUES (1, 'advisor', 'lab or PhD', ?)", (T0,))
    conn.execute(
        "INSERT INTO sessions (id, topic, stage, entry_id, state, created_at, updated_at)"
        " VALUES (1, 'lab or PhD', 'explore', 1, '{\"questions\": [\"Who mentors me?\"]}', ?, ?)", (T0, T0))
    conn.execute("INSERT INTO turns (session_id, stage, role, content, citations, created_at)"
                 " VALUES (1, 'explore', 'user', 'What do safety teams do?', '[]', ?)", (T0,))
    conn.execute("INSERT INTO turns (session_id, stage, role, content, citations, created_at)"
                 " VALUES (1, 'explore', 'advisor', 'They run evals [1].', ?, ?)",
                 ('[{"n": 1, "title": "Lab roles", "location": "§ A", "source": "k/lab.md"}]', T0))
    conn.close()


def test_a_journal_whose_journal_migrations_made_the_session_tables_opens_with_its_sessions(tmp_path):
    path = tmp_path / "journal.db"
    old_journal(path)
    with JournalStore.open(path) as store:
        # kept as it was, and the journal's later migrations after it
        assert applied_migrations(store.conn) == [m.__name__ for m in [*OLD_JOURNAL_MIGRATIONS, *MIGRATIONS[3:]]]
        sessions = SessionStore(store)
        assert applied_migrations(store.conn, SESSION_TABLE) == ["m001_sessions_turns", "m002_turn_tool_calls_and_flags"]
        record = sessions.get(1)
        assert (record.topic, record.stage, record.entry_id) == ("lab or PhD", "explore", 1)
        assert record.state["questions"] == ["Who mentors me?"]
        turns = sessions.turns(1)
        assert [t.content for t in turns] == ["What do safety teams do?", "They run evals [1]."]
        assert turns[1].citations[0].title == "Lab roles"
        sessions.add_turn(1, "explore", "user", "And after that?")  # and it is writable as before
        assert len(sessions.turns(1)) == 3
    with JournalStore.open(path) as store:  # opening again applies nothing more
        assert len(SessionStore(store).turns(1)) == 3


def test_a_new_journal_gets_the_session_tables_from_the_session_store(tmp_path):
    with JournalStore.open(tmp_path / "j.db") as store:
        tables = {r[0] for r in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert "sessions" not in tables and "m004_sessions_turns" not in applied_migrations(store.conn)
        SessionStore(store).create("topic", "frame")
        assert applied_migrations(store.conn, SESSION_TABLE) == ["m001_sessions_turns", "m002_turn_tool_calls_and_flags"]


def test_session_tables_from_a_newer_version_are_refused(tmp_path):
    with JournalStore.open(tmp_path / "j.db") as store:
        SessionStore(store)
        store.conn.execute(f"INSERT INTO {SESSION_TABLE} VALUES ('m999_from_the_future', '2030-01-01')")
        with pytest.raises(StorageError, match="newer version"):
            SessionStore(store)


def test_a_migration_another_connection_applied_meanwhile_is_not_applied_twice(tmp_path, monkeypatch):
    path = tmp_path / "j.db"
    with JournalStore.open(path) as first, JournalStore.open(path) as second:
        SessionStore(first)
        # the second connection read the list of applied migrations before the first applied them
        monkeypatch.setattr(journal_migrations, "applied_migrations", lambda conn, table="": [])
        assert migrate_sessions(second.conn) == []
        monkeypatch.undo()
        SessionStore(second).create("from the second connection", "frame")
        assert [r.topic for r in SessionStore(first).list()] == ["from the second connection"]


def _session_with_turns(store: JournalStore) -> None:
    entry = store.create_entry("lab or PhD", kind="advisor")
    sessions = SessionStore(store)
    record = sessions.create("lab or PhD", "explore")
    sessions.update(record.id, entry_id=entry.id, state={"cruxes": ["mentorship"]})
    sessions.add_turn(record.id, "explore", "user", "What do safety teams do?")
    sessions.add_turn(record.id, "explore", "advisor", "Evals [1].", [Citation(n=1, title="Lab roles")])


def test_sessions_travel_with_the_journal_through_export_and_import(tmp_path):
    with JournalStore.open(tmp_path / "a.db") as store:
        _session_with_turns(store)
        data = export_data(store)
    assert len(data["tables"]["sessions"]) == 1 and len(data["tables"]["turns"]) == 2
    assert "m001_sessions_turns" in data["schema"]
    with JournalStore.open(tmp_path / "b.db") as fresh:
        SessionStore(fresh)
        counts = import_data(fresh, data)
        assert counts["sessions"] == 1 and counts["turns"] == 2
        assert export_data(fresh)["tables"] == data["tables"]
        assert SessionStore(fresh).turns(1)[1].citations[0].title == "Lab roles"


def test_an_export_from_before_the_handover_imports(tmp_path):
    path = tmp_path / "old.db"
    old_journal(path)
    with JournalStore.open(path) as store:
        data = export_data(store)  # its journal schema still lists m004
    data["schema"] = [m.__name__ for m in OLD_JOURNAL_MIGRATIONS]  # as that release wrote it
    with JournalStore.open(tmp_path / "new.db") as fresh:
        SessionStore(fresh)
        assert import_data(fresh, data)["turns"] == 2
        assert SessionStore(fresh).get(1).topic == "lab or PhD"


def test_session_rows_are_refused_not_dropped_where_the_tables_are_missing(tmp_path):
    with JournalStore.open(tmp_path / "a.db") as store:
        _session_with_turns(store)
        data = export_data(store)
    with JournalStore.open(tmp_path / "b.db") as bare:
        data["schema"] = applied_migrations(bare.conn)  # pass the schema check: the table check must hold
        with pytest.raises(UsageError, match="lacks"):
            import_data(bare, data)
        assert not bare.list_entries()


def test_the_journal_does_not_import_the_session_package():
    code = ("import sys, advisor.journal.store, advisor.journal.transfer, advisor.journal.migrations\n"
            "print(sorted(m for m in sys.modules if m.startswith('advisor.session')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

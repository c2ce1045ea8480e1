"""Migrations: from empty, from a previous schema with data, refusing a newer schema, atomic steps."""

from __future__ import annotations

import sqlite3

import pytest

from advisor.errors import StorageError
from advisor.journal.migrations import MIGRATIONS, applied_migrations, migrate
from advisor.journal.store import JournalStore


def test_empty_file_gets_every_migration_in_order(tmp_path):
    with JournalStore.open(tmp_path / "j.db") as s:
        assert applied_migrations(s.conn) == [m.__name__ for m in MIGRATIONS]


def test_previous_schema_with_data_is_upgraded_and_keeps_the_data(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])  # a journal written by the first release
    conn.execute("INSERT INTO entries (id, about, created_at) VALUES (1, 'old chat', '2026-01-01T00:00:00+00:00')")
    conn.execute("INSERT INTO beliefs (id, statement, created_at) VALUES (1, 'old belief', '2026-01-01T00:00:00+00:00')")
    conn.execute(
        "INSERT INTO ratings (entry_id, belief_id, phase, credence, created_at)"
        " VALUES (1, 1, 'pre', 42, '2026-01-01T00:00:00+00:00')"
    )
    conn.close()
    with JournalStore.open(path) as s:
        assert applied_migrations(s.conn) == [m.__name__ for m in MIGRATIONS]
        assert s.pre_beliefs(1)[0].credence == 42
        resolved = s.resolve_belief(1, "yes")  # a column added by a later migration
        assert resolved.resolution == "yes"


def test_a_journal_from_a_newer_version_is_refused_untouched(tmp_path):
    path = tmp_path / "j.db"
    with JournalStore.open(path) as s:
        s.conn.execute("INSERT INTO _migrations VALUES ('m999_from_the_future', '2030-01-01')")
    before = path.read_bytes()
    with pytest.raises(StorageError, match="newer version"):
        JournalStore.open(path)
    assert path.read_bytes() == before


def test_a_failing_migration_leaves_no_trace(tmp_path):
    conn = sqlite3.connect(tmp_path / "j.db", isolation_level=None)

    def m001_half_done(c):
        c.execute("CREATE TABLE half (x)")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        migrate(conn, [m001_half_done])
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "half" not in tables
    assert applied_migrations(conn) == []


def test_a_file_that_is_not_a_database_is_reported_not_overwritten(tmp_path):
    path = tmp_path / "j.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot be read"):
        JournalStore.open(path)
    assert path.read_bytes() == b"this is not sqlite" * 100

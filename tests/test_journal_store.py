"""The journal store on a real SQLite file: round trips, matching, diffs, atomicity, calibration."""

from __future__ import annotations

import sqlite3

import pytest

from advisor.errors import UsageError
from advisor.journal.calibration import calibration
from advisor.journal.models import validate_credence
from advisor.journal.store import JournalStore


@pytest.fixture
def store(tmp_path):
    s = JournalStore.open(tmp_path / "journal.db")
    yield s
    s.close()


def test_pragmas_wal_and_foreign_keys(store):
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_entry_and_pre_beliefs_round_trip_through_a_reopened_file(tmp_path):
    path = tmp_path / "j.db"
    with JournalStore.open(path) as s:
        e = s.create_entry("Call with a policy person", with_whom="Ana", medium="video")
        s.add_pre_belief(e.id, "Policy work needs technical people", 62.5, "few have both")
        s.add_pre_belief(e.id, "I would enjoy policy work", "40%", "")
    with JournalStore.open(path) as s:
        entry = s.get_entry(e.id)
        assert (entry.about, entry.with_whom, entry.medium, entry.post_status) == (
            "Call with a policy person", "Ana", "video", "none"
        )
        pre = s.pre_beliefs(e.id)
        assert [(b.statement, b.credence, b.reason) for b in pre] == [
            ("Policy work needs technical people", 62.5, "few have both"),
            ("I would enjoy policy work", 40.0, ""),
        ]


@pytest.mark.parametrize("bad", [140, -1, "abc", "nan", True, None, "101%"])
def test_credence_outside_0_100_or_not_a_number_is_refused(bad):
    with pytest.raises(UsageError):
        validate_credence(bad)


def test_credence_accepts_percent_sign_and_bounds():
    assert validate_credence("55%") == 55
    assert validate_credence(0) == 0
    assert validate_credence("100") == 100


def test_same_statement_in_a_later_entry_extends_the_belief_history(store):
    e1 = store.create_entry("first")
    r1 = store.add_pre_belief(e1.id, "Labs are where safety progress happens", 70)
    e2 = store.create_entry("second")
    r2 = store.add_pre_belief(e2.id, "  labs are where safety progress happens. ", 50)
    assert r1.belief_id == r2.belief_id
    history = store.belief_history(r1.belief_id)
    assert [p.credence for p in history.points] == [70, 50]
    summary = {s.belief.id: s for s in store.list_beliefs()}[r1.belief_id]
    assert (summary.latest, summary.times_rated, summary.last_change) == (50, 2, -20)


def test_near_duplicate_is_offered_but_an_unrelated_statement_is_not(store):
    e = store.create_entry("x")
    r = store.add_pre_belief(e.id, "Working at a big lab is my highest-impact option", 35)
    near = store.similar_beliefs("working at a big lab is my highest impact option")
    assert near and near[0][0].id == r.belief_id
    assert store.similar_beliefs("Governance needs more quantitative people") == []


def test_diff_sorts_by_size_of_change_and_lists_new_dropped_and_unrated(store):
    e = store.create_entry("coffee")
    a = store.add_pre_belief(e.id, "A small move", 50).belief_id
    b = store.add_pre_belief(e.id, "A big move", 20).belief_id
    c = store.add_pre_belief(e.id, "Given up", 60).belief_id
    d = store.add_pre_belief(e.id, "Not re-rated", 10).belief_id
    store.rate_post(e.id, a, 45, "meh")
    store.rate_post(e.id, b, 75, "coworkers")
    store.drop_in_post(e.id, c, "not relevant")
    store.add_post_belief(e.id, "Brand new idea", 30, "came up")
    diff = store.entry_diff(e.id)
    assert [(r.belief_id, r.change) for r in diff.moved] == [(b, 55), (a, -5)]
    assert [r.statement for r in diff.new] == ["Brand new idea"]
    assert [(r.belief_id, r.reason) for r in diff.dropped] == [(c, "not relevant")]
    assert [r.belief_id for r in diff.unrated] == [d]


def test_a_bad_item_in_a_post_file_writes_nothing(store):
    e = store.create_entry("coffee")
    bid = store.add_pre_belief(e.id, "Belief one", 50).belief_id
    items = [{"belief_id": bid, "credence": 60, "reason": "ok"}, {"statement": "New", "credence": 140}]
    with pytest.raises(UsageError):
        store.apply_post(e.id, items)
    assert store.post_ratings(e.id) == {}
    assert store.get_entry(e.id).post_status == "none"
    assert store.exact_belief("New") is None


def test_a_bad_item_in_a_pre_file_creates_no_entry(store):
    with pytest.raises(UsageError):
        store.create_pre_entry("x", [{"statement": "ok", "credence": 10}, {"statement": "bad", "credence": "lots"}])
    assert store.list_entries() == []
    assert store.all_beliefs() == []


def test_second_post_needs_amend(store):
    e = store.create_entry("coffee")
    bid = store.add_pre_belief(e.id, "One", 50).belief_id
    store.apply_post(e.id, [{"belief_id": bid, "credence": 70}])
    with pytest.raises(UsageError, match="--amend"):
        store.begin_post(e.id)
    store.apply_post(e.id, [{"belief_id": bid, "credence": 80}], amend=True)
    assert store.post_ratings(e.id)[bid].credence == 80


def test_pre_cannot_change_once_a_post_exists(store):
    e = store.create_entry("coffee")
    bid = store.add_pre_belief(e.id, "One", 50).belief_id
    store.rate_post(e.id, bid, 55)
    with pytest.raises(UsageError):
        store.add_pre_belief(e.id, "Two", 10)


def test_ratings_are_committed_one_by_one(tmp_path):
    """What a second connection sees mid-post: every confirmed rating, at once."""
    path = tmp_path / "j.db"
    s = JournalStore.open(path)
    e = s.create_entry("x")
    b1 = s.add_pre_belief(e.id, "One", 10).belief_id
    s.add_pre_belief(e.id, "Two", 20)
    s.rate_post(e.id, b1, 90)
    other = sqlite3.connect(path)
    assert other.execute("SELECT credence FROM ratings WHERE phase='post'").fetchall() == [(90.0,)]
    other.close()
    s.close()


def test_find_belief_by_id_or_unique_fragment(store):
    e = store.create_entry("x")
    b1 = store.add_pre_belief(e.id, "Evals use quant skills", 60).belief_id
    store.add_pre_belief(e.id, "Evals are zero-sum", 30)
    assert store.find_belief(f"#{b1}").id == b1
    assert store.find_belief("quant").id == b1
    with pytest.raises(UsageError, match="2 beliefs match"):
        store.find_belief("evals")
    with pytest.raises(UsageError):
        store.find_belief("nothing like it")


def test_calibration_brier_uses_last_credence_before_resolution(store):
    e1 = store.create_entry("one")
    yes = store.add_pre_belief(e1.id, "Will get an offer", 40).belief_id
    no = store.add_pre_belief(e1.id, "Will publish by June", 30).belief_id
    amb = store.add_pre_belief(e1.id, "Vague one", 50).belief_id
    store.rate_post(e1.id, yes, 80)
    store.resolve_belief(yes, "yes")
    store.resolve_belief(no, "no")
    store.resolve_belief(amb, "ambiguous")
    e2 = store.create_entry("after resolution")
    store.add_pre_belief(e2.id, "Will get an offer", 5)  # after resolving: must not count
    report = calibration(store)
    expected = ((0.8 - 1) ** 2 + (0.3 - 0) ** 2) / 2
    assert report.brier == pytest.approx(expected)
    assert report.ambiguous == 1
    by_bin = {(b.low, b.high): b for b in report.bins if b.count}
    assert by_bin[(80, 90)].observed == 100 and by_bin[(30, 40)].observed == 0


def test_a_resolution_undone_puts_back_what_was_there(store):
    e1 = store.create_entry("one")
    bid = store.add_pre_belief(e1.id, "Will get an offer", 40).belief_id
    first = store.resolve_belief(bid, "no")
    changed = store.resolve_belief(bid, "yes")  # by mistake
    assert changed.resolution == "yes" and calibration(store).forecasts[0].outcome is True
    back = store.restore_resolution(bid, first.resolution, first.resolved_at)
    assert (back.resolution, back.resolved_at) == ("no", first.resolved_at)
    assert calibration(store).forecasts[0].outcome is False
    reopened = store.restore_resolution(bid, None, None)
    assert reopened.resolution is None and reopened.resolved_at is None
    assert calibration(store).brier is None
    with pytest.raises(UsageError, match="yes, no or ambiguous"):
        store.restore_resolution(bid, "maybe", None)


def test_a_journal_opened_twice_in_the_app_loses_nothing_another_process_writes(tmp_path):
    """The terminal UI holds the journal open and opens it again for a session; meanwhile the CLI
    writes to it. Opening the file a second time used to drop the app's SQLite locks, so each CLI
    process took itself for the last user and deleted the -wal file under the app: a CLI entry
    vanished here, and a month's journal in the trial ended 'database disk image is malformed'."""
    import subprocess
    import sys

    path = tmp_path / "journal.db"

    def cli(about):
        code = ("import sys; from advisor.journal.store import JournalStore; "
                "s = JournalStore.open(sys.argv[1]); s.create_entry(sys.argv[2]); s.close()")
        subprocess.run([sys.executable, "-c", code, str(path), about], check=True)

    app = JournalStore.open(path)
    app.create_entry("in the app, 1")
    session = JournalStore.open(path)  # a session screen opens its own store
    cli("from the CLI, 1")
    app.create_entry("in the app, 2")
    cli("from the CLI, 2")
    app.create_entry("in the app, 3")
    session.close()
    app.close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [r[0] for r in conn.execute("SELECT about FROM entries ORDER BY id")] == [
        "in the app, 1", "from the CLI, 1", "in the app, 2", "from the CLI, 2", "in the app, 3"]
    conn.close()

"""The journal oddities of issue 13, each pinned by a test that failed before its fix: the `--on`
date everywhere, resolve_by in a post file, post files that name a belief not in the entry, a post
"complete" beside "Not re-rated yet"; and due beliefs, the calibration chart, asks listed apart."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from test_journal_cli import journal_pre, one_clear_line

from advisor.errors import UsageError
from advisor.journal.migrations import MIGRATIONS, migrate
from advisor.journal.store import JournalStore


@pytest.fixture
def store(tmp_path):
    s = JournalStore.open(tmp_path / "journal.db")
    yield s
    s.close()


def _pre_file(tmp_path, items, name="pre.yaml"):
    path = tmp_path / name
    path.write_text(json.dumps(items) if name.endswith(".json") else _yaml(items))
    return path


def _yaml(items):
    import yaml

    return yaml.safe_dump(items, sort_keys=False)


# ------------------------------------------------------------------------------ the --on date
def test_the_conversation_date_is_shown_everywhere_not_the_day_it_was_journaled(cli, tmp_path):
    journal_pre(cli, "Labs hire engineers\n60\nthey said so\n\n", "--on", "2025-11-01")
    assert "  2025-11-01  " in cli("journal", "list").out
    shown = cli("journal", "show", "1").out
    assert "on 2025-11-01" in shown.splitlines()[1]
    md = cli("export", "--format", "md").out
    assert "*person with Sam, 2025-11-01; post: none*" in md
    history = cli("beliefs", "show", "1").out
    assert "   1. 2025-11-01  pre  #1" in history
    points = json.loads(cli("beliefs", "show", "1", "--json").out)["points"]
    assert points[0]["on"] == "2025-11-01"


# ------------------------------------------------------------------------------ post files
def test_resolve_by_is_accepted_in_a_post_file_for_a_pre_belief_and_a_new_one(cli, tmp_path):
    journal_pre(cli)
    post = _pre_file(tmp_path, [
        {"statement": "Working at a big lab is my highest-impact option", "credence": 40, "resolve_by": "2027-06-30"},
        {"statement": "Evals would use my quant skills better", "dropped": True},
        {"statement": "I will apply to MATS this winter", "credence": 70, "resolve_by": "2026-03-01"},
    ], "post.yaml")
    r = cli("journal", "post", "1", "--beliefs-file", str(post))
    assert r.code == 0, r.err
    beliefs = {b["belief"]["statement"]: b["belief"] for b in json.loads(cli("beliefs", "--json").out)}
    assert beliefs["Working at a big lab is my highest-impact option"]["resolve_by"] == "2027-06-30"
    assert beliefs["I will apply to MATS this winter"]["resolve_by"] == "2026-03-01"


def test_a_post_file_item_naming_a_belief_outside_the_entry_is_refused(store):
    other = store.create_entry("an older talk")
    older = store.add_pre_belief(other.id, "Policy work needs technical people", 50).belief_id
    e = store.create_entry("coffee")
    mine = store.add_pre_belief(e.id, "Evals work is undervalued", 40).belief_id
    for item, expected in (
        ({"belief_id": older, "credence": 60}, f"belief #{older} is not in entry #{e.id}'s pre"),
        ({"statement": "policy work needs technical people.", "credence": 60}, f"is belief #{older}"),
        ({"statement": "Evals work is undervalud", "credence": 60}, f"did you mean #{mine}"),
    ):
        with pytest.raises(UsageError, match=expected):
            store.apply_post(e.id, [{"belief_id": mine, "credence": 45}, item])
        assert store.post_ratings(e.id) == {} and store.get_entry(e.id).post_status == "none"
    # said plainly, it is rated as new in this post
    store.apply_post(e.id, [{"belief_id": mine, "credence": 45}, {"belief_id": older, "credence": 60, "new": True}])
    assert [r.belief_id for r in store.entry_diff(e.id).new] == [older]
    # a statement the journal has never seen is still a new belief, as before
    f = store.create_entry("another")
    b = store.add_pre_belief(f.id, "One", 10).belief_id
    store.apply_post(f.id, [{"belief_id": b, "credence": 20}, {"statement": "Something else entirely", "credence": 5}])
    assert [r.statement for r in store.entry_diff(f.id).new] == ["Something else entirely"]


def test_the_cli_says_in_one_line_why_a_post_item_is_refused(cli, tmp_path):
    journal_pre(cli)
    post = _pre_file(tmp_path, [{"statement": "Evals would use my quant skill better", "credence": 70}], "post.json")
    line = one_clear_line(cli("journal", "post", "1", "--beliefs-file", str(post)))
    assert "did you mean #2" in line and "new: true" in line
    bad = _pre_file(tmp_path, [{"statement": "x", "credence": 7, "new": "yes"}], "bad.json")
    assert "new must be true or false" in one_clear_line(cli("journal", "post", "1", "--beliefs-file", str(bad)))


# ------------------------------------------------------------------------------ complete posts
def test_a_post_with_beliefs_not_re_rated_is_in_progress_not_complete(store):
    e = store.create_entry("coffee")
    a = store.add_pre_belief(e.id, "Rated", 50).belief_id
    b = store.add_pre_belief(e.id, "Skipped", 20).belief_id
    entry = store.apply_post(e.id, [{"belief_id": a, "credence": 60}])
    assert entry.post_status == "in_progress" and entry.post_completed_at is None
    assert [v.belief_id for v in store.unrated_beliefs(e.id)] == [b]
    store.begin_post(e.id)  # still open: no --amend needed to finish it
    store.drop_in_post(e.id, b, "no longer care")
    assert store.complete_post(e.id).post_status == "complete"


def test_the_interactive_post_says_what_is_left_and_resumes_there(cli):
    journal_pre(cli)
    first = cli("journal", "post", "1", input="55\nwhy\n\n\n")  # rate one, skip one, no new belief
    assert first.code == 0, first.err
    assert "1 belief(s) not re-rated yet" in first.out and "Post unfinished" in first.out
    assert "post: in_progress" in cli("journal", "show", "1").out
    second = cli("journal", "post", "1", input="80\nstill true\n\n")
    assert "Resuming: 1 of 2 already re-rated" in second.out
    assert "post: complete" in cli("journal", "show", "1").out


def test_migration_reopens_posts_marked_complete_with_beliefs_not_re_rated(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, MIGRATIONS[:3])  # the schema before the fix
    conn.executescript("""
        INSERT INTO entries (id, about, created_at, post_status, post_completed_at)
            VALUES (1, 'half', '2025-01-01', 'complete', '2025-01-02'), (2, 'whole', '2025-01-01', 'complete', '2025-01-02');
        INSERT INTO beliefs (id, statement, created_at) VALUES (1, 'a', '2025-01-01'), (2, 'b', '2025-01-01');
        INSERT INTO ratings (entry_id, belief_id, phase, credence, created_at) VALUES
            (1, 1, 'pre', 10, '2025-01-01'), (1, 2, 'pre', 20, '2025-01-01'), (1, 1, 'post', 30, '2025-01-02'),
            (2, 1, 'pre', 10, '2025-01-01'), (2, 1, 'post', 40, '2025-01-02');
    """)
    conn.close()
    with JournalStore.open(path) as s:
        assert s.get_entry(1).post_status == "in_progress" and s.get_entry(1).post_completed_at is None
        assert s.get_entry(2).post_status == "complete"


# ------------------------------------------------------------------------------ due beliefs, calibration
def test_due_beliefs_are_the_open_ones_whose_date_has_come(store):
    e = store.create_entry("coffee")
    ids = [store.add_pre_belief(e.id, s, 50).belief_id for s in ("Past", "Today", "Future", "Resolved", "No date")]
    for bid, when in zip(ids, (date(2024, 5, 1), date(2026, 1, 15), date(2026, 1, 16), date(2024, 1, 1), None),
                         strict=True):
        store.set_resolve_by(bid, when)
    store.resolve_belief(ids[3], "yes")
    due = store.due_beliefs(date(2026, 1, 15))
    assert [s.belief.statement for s in due] == ["Past", "Today"]


def test_beliefs_due_lists_them_and_says_how_to_resolve(cli):
    journal_pre(cli)
    assert "No belief is due" in cli("beliefs", "due").out
    cli("beliefs", "resolve-by", "2", "2020-01-31")
    cli("beliefs", "resolve-by", "1", "2999-01-01")
    out = cli("beliefs", "due").out
    assert "1 belief(s) due" in out and "#2" in out and "due 2020-01-31" in out and "83%" in out
    assert "#1 " not in out and "advisor beliefs resolve ID yes|no|ambiguous" in out
    cli("beliefs", "resolve", "2", "yes")
    assert json.loads(cli("beliefs", "due", "--json").out) == []


def test_calibration_is_drawn_as_a_chart_beside_the_table(cli):
    journal_pre(cli)
    cli("beliefs", "resolve", "big lab", "no")
    cli("beliefs", "resolve", "quant", "yes")
    out = cli("beliefs", "calibration").out
    table, _, chart = out.partition("came true % against said %")
    assert "Brier score: 0.083" in table and " 30-40 %" in table
    lines = chart.splitlines()
    plot = [line for line in lines if "┤" in line or "│" in line]
    assert len(plot) >= 10 and "said (mean credence %)" in chart and "\x1b[" not in out
    # the bins (37% → no, 83% → yes) are drawn where they belong: bottom left, top right
    marks = [(row, line.index("●", 5)) for row, line in enumerate(plot) if "●" in line[5:]]
    assert len(marks) >= 2
    (top_row, top_col), (bottom_row, bottom_col) = marks[0], marks[-1]
    assert top_row < bottom_row and top_col > bottom_col


# ------------------------------------------------------------------------------ asks listed apart
def test_asks_are_kept_but_listed_apart_from_sessions_and_filterable(cli):
    assert cli("ask", "What is a research field?").code == 0
    assert cli("session", "start", "--topic", "big lab vs independent", input="/quit\n").code == 0
    out = cli("session", "list").out
    sessions, _, asks = out.partition("One-off questions (advisor ask):")
    assert "big lab vs independent" in sessions and "What is a research field?" not in sessions
    assert "What is a research field?" in asks
    only_asks = cli("session", "list", "--kind", "ask").out
    assert "What is a research field?" in only_asks and "big lab" not in only_asks
    as_json = json.loads(cli("session", "list", "--kind", "session", "--json").out)
    assert [r["kind"] for r in as_json] == ["session"]


# ------------------------------------------------------------------------------ bad input, one line
@pytest.mark.parametrize("args, expected", [
    (("search",), "the following arguments are required: query"),
    (("search", "x", "--since", "last week"), "'last week' is not a date"),
    (("search", "x", "--kind", "tweet"), "invalid choice: 'tweet'"),
    (("search", "x", "-n", "0"), "at least 1"),
    (("notes", "show", "deadbeef"), "no note with id 'deadbeef'"),
    (("cards", "../../etc/passwd"), "no curated card"),
    (("session", "list", "--kind", "chat"), "invalid choice: 'chat'"),
])
def test_bad_input_to_the_new_commands_is_one_clear_line(cli, args, expected):
    assert expected in one_clear_line(cli(*args))


def test_importing_a_damaged_backup_writes_nothing(cli, tmp_path):
    journal_pre(cli)
    backup = tmp_path / "b.json"
    assert cli("export", "--format", "json", "-o", str(backup)).code == 0
    data = json.loads(backup.read_text())
    data["tables"]["ratings"][0]["entry_id"] = 99  # a rating of an entry the file does not hold
    backup.write_text(json.dumps(data))
    fresh = {"ADVISOR_HOME": str(tmp_path / "fresh")}
    assert "nothing was imported" in one_clear_line(cli("import", "--merge", str(backup), env=fresh))
    assert json.loads(cli("journal", "list", "--json", env=fresh).out) == []


def test_the_markdown_export_names_an_advisor_session_once(cli, advisor_env):
    """A session's entry read "*advisor with advisor (advisor session #1), …*"."""
    journal_pre(cli, "Labs hire engineers\n60\nthey said so\n\n")  # makes the home and its journal
    s = JournalStore.open(Path(advisor_env["ADVISOR_HOME"]) / "journal.db")
    s.create_entry("Lab or independent interp", kind="advisor", with_whom="advisor", medium="advisor session #1")
    s.close()
    md = cli("export", "--format", "md").out
    assert "*advisor session #1, " in md and "advisor with advisor" not in md

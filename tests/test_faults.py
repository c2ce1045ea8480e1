"""Faults found by attacking advisor's promises (issue 14): concurrent first runs, binary stdin,
unknown config keys, an index that cannot be read, file modes. Each test failed before its fix.
(A cut model stream and a cut JSON body are in test_model_faults.py; quitting the TUI while it
indexes is in test_tui_indexing.py.)"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import KB_FIELD_NOTE, REPO


@pytest.fixture
def no_cards(advisor_env: dict[str, str], tmp_path: Path) -> Path:
    """Only the user's notes are indexed (quick): an empty curated folder."""
    empty = tmp_path / "no-cards"
    empty.mkdir()
    advisor_env["ADVISOR_KNOWLEDGE__CURATED_DIR"] = str(empty)
    return empty


# Loaded by the commands of the race test (PYTHONPATH): each says it is ready, then waits to open
# SQLite until the test says go, so that all 20 open the new journal at the same moment.
START_LINE = """
import os, sqlite3, time
_dir = os.environ.get("ADVISOR_TEST_START_LINE")
if _dir:
    _connect = sqlite3.connect
    def _at_the_line(*args, **kwargs):
        open(os.path.join(_dir, "ready-%d" % os.getpid()), "w").close()
        while not os.path.exists(os.path.join(_dir, "go")):
            time.sleep(0.002)
        sqlite3.connect = _connect
        return _connect(*args, **kwargs)
    sqlite3.connect = _at_the_line
"""


def test_twenty_first_runs_at_once_on_a_new_home_all_succeed(advisor_env, tmp_path: Path):
    """The first run creates the journal's schema; 20 commands opening a new home at the same
    moment must all get it (none may fail on "table already exists") and every entry is kept."""
    beliefs = tmp_path / "beliefs.json"
    beliefs.write_text(json.dumps([{"statement": "Evals work is tractable", "credence": 60, "reason": "r"}]))
    line = tmp_path / "start-line"
    line.mkdir()
    (line / "sitecustomize.py").write_text(START_LINE)
    env = {**advisor_env, "ADVISOR_TEST_START_LINE": str(line),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(line), advisor_env.get("PYTHONPATH")]))}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "advisor", "journal", "pre", "--about", f"talk {i}", "--beliefs-file",
             str(beliefs), "--json"],
            env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )
        for i in range(20)
    ]
    deadline = time.monotonic() + 120
    while len(list(line.glob("ready-*"))) < 20 and time.monotonic() < deadline:
        time.sleep(0.05)
    (line / "go").touch()
    results = [(p.wait(timeout=240), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert len(list(line.glob("ready-*"))) == 20
    failed = [err for code, err in results if code != 0]
    assert failed == [], failed[:2]
    db = sqlite3.connect(Path(advisor_env["ADVISOR_HOME"]) / "journal.db")
    try:
        abouts = sorted(r[0] for r in db.execute("SELECT about FROM entries"))
    finally:
        db.close()
    assert abouts == sorted(f"talk {i}" for i in range(20))


def test_two_first_runs_that_both_saw_an_empty_journal_migrate_it_once(tmp_path: Path):
    """The interleaving behind "table entries already exists": two openings of a new journal both
    read "no migration applied yet", then take turns at the write lock; the second must find the
    first one's work done instead of creating the tables again. (The 20 commands above rarely hit
    it: SQLite's switch to WAL mode lines them up. Here a third connection holds the lock until
    both wait for it.)"""
    import threading

    from advisor.journal.migrations import MIGRATIONS, applied_migrations, migrate

    path = tmp_path / "journal.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    applied_migrations(holder)  # the record table exists, as after an earlier command got that far
    holder.execute("BEGIN IMMEDIATE")
    waiting = [threading.Event(), threading.Event()]
    errors: list[BaseException] = []

    def first_run(i: int) -> None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
        conn.set_trace_callback(lambda sql: waiting[i].set() if sql == "BEGIN IMMEDIATE" else None)
        try:
            migrate(conn)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            conn.close()

    runs = [threading.Thread(target=first_run, args=(i,)) for i in range(2)]
    for run in runs:
        run.start()
    assert all(w.wait(30) for w in waiting)  # both have read the record and wait for the lock
    holder.execute("COMMIT")
    for run in runs:
        run.join(60)
    assert errors == []
    assert applied_migrations(holder) == [m.__name__ for m in MIGRATIONS]
    holder.close()


def test_binary_stdin_note_is_one_line_and_leaves_nothing(cli, no_cards, advisor_env):
    r = cli("notes", "add", "-", "--title", "t", input="\x00\x01")
    assert r.code == 1
    assert r.err.strip().splitlines() == [
        "advisor: -: the note is binary data (NUL or control bytes), not text; nothing was added"]
    notes = Path(advisor_env["ADVISOR_HOME"]) / "notes"
    assert not notes.exists() or list(notes.iterdir()) == []
    status = cli("kb", "status", "--json")
    assert status.code == 0 and json.loads(status.out) == []


def test_unknown_config_keys_warn_with_the_nearest_known_key(cli, advisor_env):
    Path(advisor_env["ADVISOR_CONFIG"]).write_text(
        '[model]\nnmae = "llama3"\nmodel_path = "x.gguf"\n\n[knowledge]\ntop_k = 3\n', encoding="utf-8")
    r = cli("config", "show", "--json")
    assert r.code == 0
    assert json.loads(r.out)["knowledge"]["top_k"] == 3  # known keys still apply
    warnings = r.err.strip().splitlines()
    assert len(warnings) == 2
    assert "unknown setting 'model.nmae'" in warnings[0] and "did you mean 'model.name'?" in warnings[0]
    assert "unknown setting 'model.model_path'" in warnings[1] and "'local.model_path'" in warnings[1]


def test_kb_status_says_when_the_vector_index_cannot_be_read(cli, no_cards, advisor_env):
    r = cli("notes", "add", str(KB_FIELD_NOTE))
    assert r.code == 0, r.err
    assert cli("kb", "status").code == 0
    home = Path(advisor_env["ADVISOR_HOME"])
    (database,) = (home / "index").glob("chroma*/chroma.sqlite3")
    with database.open("r+b") as fh:  # cut short, as by a full disk or a crash while copying
        fh.truncate(database.stat().st_size // 2)
    r = cli("kb", "status")
    assert r.code == 3
    assert "1 indexed" in r.out
    assert r.err.startswith("advisor: the vector index is corrupt or unreadable (")
    assert "cut short" in r.err and "advisor kb reindex --full" in r.err and "Traceback" not in r.err
    assert cli("kb", "reindex", "--full").code == 0
    assert cli("kb", "status").code == 0
    assert cli("kb", "search", "what do members of a research field share?", "-k", "1").code == 0


def _modes(root: Path) -> dict[str, int]:
    return {str(p.relative_to(root)): stat.S_IMODE(p.stat().st_mode) for p in [root, *root.rglob("*")]}


def test_data_is_private_whatever_the_umask(cli, no_cards, advisor_env, tmp_path: Path):
    """Under umask 022, a new home in missing folders: every folder 0700, every file 0600."""
    home = tmp_path / "deep" / "er" / "home"
    env = {"ADVISOR_HOME": str(home)}
    old = os.umask(0o022)  # the subprocesses inherit it
    try:
        assert cli("journal", "pre", "--about", "x", input="Labs matter\n70\nmentors\n\n", env=env).code == 0
        assert cli("notes", "add", str(KB_FIELD_NOTE), env=env).code == 0
        assert cli("kb", "search", "research field", env=env).code == 0
    finally:
        os.umask(old)
    modes = _modes(tmp_path / "deep")
    folders = {p: m for p, m in modes.items() if (tmp_path / "deep" / p).is_dir()}
    files = {p: m for p, m in modes.items() if p not in folders}
    assert {"er/home/journal.db", "er/home/index/lexical.sqlite3"} <= set(files)
    assert any(p.startswith("er/home/notes/") for p in files)
    assert any("chroma" in p for p in files)
    assert {p: oct(m) for p, m in folders.items() if m != 0o700} == {}
    assert {p: oct(m) for p, m in files.items() if m != 0o600} == {}


def test_an_existing_open_home_gets_private_files_and_a_warning(cli, advisor_env, tmp_path: Path):
    home = Path(advisor_env["ADVISOR_HOME"])
    home.mkdir(mode=0o755)
    os.chmod(home, 0o755)
    db = sqlite3.connect(home / "journal.db")  # as an older advisor left it: 0644
    db.close()
    os.chmod(home / "journal.db", 0o644)
    r = cli("journal", "list")
    assert r.code == 0, r.err
    assert stat.S_IMODE((home / "journal.db").stat().st_mode) == 0o600
    assert stat.S_IMODE(home.stat().st_mode) == 0o755  # the user's folder: warned about, not changed
    (warning,) = [ln for ln in r.err.splitlines() if "warning" in ln]
    assert f"data directory {home} can be read by other users (mode 0755)" in warning
    assert f"chmod 700 {home}" in warning
    # once a day, not on every command; again when the mode changes or a day has passed
    r = cli("journal", "list")
    assert r.code == 0 and "warning" not in r.err, r.err
    os.chmod(home, 0o750)
    r = cli("journal", "list")
    assert "can be read by other users (mode 0750)" in r.err
    day_ago = time.time() - 25 * 3600
    os.utime(home / ".exposure-warned", (day_ago, day_ago))
    r = cli("journal", "list")
    assert "can be read by other users (mode 0750)" in r.err


def test_an_add_killed_part_way_resumes_and_reports_every_file_added(cli, no_cards, advisor_env, tmp_path: Path):
    """`notes add FOLDER` killed (SIGKILL) while it indexes: the next run indexes only what is left,
    reports each file as added or unchanged (not "same content as note X" for the copies the killed
    run left), and the copies stay tied to their files: editing one and adding again updates it."""
    import random
    import signal

    rng = random.Random(14)
    words = ("oversight", "probe", "circuit", "mentor", "grant", "benchmark", "policy", "reward", "career")
    vault = tmp_path / "vault"
    vault.mkdir()
    for i in range(30):
        paras = ["\n\n" + " ".join(rng.choice(words) for _ in range(150)) for _ in range(4)]
        (vault / f"page-{i:02d}.md").write_text(f"# Page {i}\n" + "".join(paras) + "\n")
    proc = subprocess.Popen([sys.executable, "-m", "advisor", "notes", "add", str(vault)], env=advisor_env,
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:  # plain progress lines: stderr is a pipe
        m = re.search(r"indexing · (\d+)/30 files", line)
        if m and int(m.group(1)) >= 1:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "the add ended before it could be killed part-way"
    notes = Path(advisor_env["ADVISOR_HOME"]) / "notes"
    assert len(list(notes.glob("*.md"))) == 30  # every file was copied before indexing began

    r = cli("notes", "add", str(vault))
    assert r.code == 0, r.err
    added, unchanged = (int(n) for n in re.search(r"(\d+) added, 0 updated, (\d+) unchanged, 0 failed", r.out).groups())
    assert added + unchanged == 30 and 0 < unchanged < 30 and "same content" not in r.out
    assert "30 unchanged" in cli("notes", "add", str(vault)).out
    listed = json.loads(cli("notes", "list", "--json").out)
    assert len(listed) == 30 and all(n["status"] == "indexed" for n in listed)
    assert sorted(Path(n["origin"]).name for n in listed) == sorted(f"page-{i:02d}.md" for i in range(30))
    (vault / "page-29.md").write_text("# Page 29\n\nRewritten: mentors matter more than the lab's name.\n")
    r = cli("notes", "add", str(vault))
    assert "0 added, 1 updated, 29 unchanged" in r.out
    assert len(json.loads(cli("notes", "list", "--json").out)) == 30

"""The journal as a user drives it: the real `advisor` command in a subprocess, typed or scripted."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from advisor.cli.journal_cmd import post_prompt

PRE_INPUT = (
    "Working at a big lab is my highest-impact option\n37\nLarge applicant pools; hard to justify my value over replacement\n"
    "Evals would use my quant skills better\n83\nAn AI said so, and it flatters me\n"
    "\n"
)


def one_clear_line(result) -> str:
    """A user mistake: non-zero exit, one line on stderr, no traceback."""
    assert result.code != 0, result.out
    assert "Traceback" not in result.err and "Traceback" not in result.out
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1, result.err
    return lines[0]


def journal_pre(cli, text=PRE_INPUT, *extra):
    r = cli("journal", "pre", "--about", "Coffee with a friend at a big lab", "--with", "Sam", *extra, input=text)
    assert r.code == 0, r.err
    return r


def test_interactive_pre_then_post_shows_the_diff_and_never_the_old_credence(cli):
    pre = journal_pre(cli)
    assert "Saved entry #1 with 2 belief(s)" in pre.out
    post = cli(
        "journal", "post", "1",
        input="55\nCoworkers matter more than I thought\ndrop\nnot my comparative advantage\n"
        "Fewer people work on this than I thought\n70\neveryone says so\n\n",
    )
    assert post.code == 0, post.err
    asking, _, diff = post.out.partition("Moved (largest change first):")
    # anti-anchoring: while re-rating, the old credences (37, 83) are nowhere on screen
    assert "37" not in asking and "83" not in asking
    assert "[1/2] Working at a big lab is my highest-impact option" in asking
    assert "+18    37% → 55%" in diff
    assert "Fewer people work on this than I thought" in diff.split("New during the conversation:")[1]
    assert "Evals would use my quant skills better" in diff.split("Dropped:")[1]


def test_post_prompt_function_holds_only_the_statement():
    assert post_prompt(2, 5, "Labs are +EV") == "[2/5] Labs are +EV"


def test_beliefs_list_and_show_plot_the_history(cli):
    journal_pre(cli)
    cli("journal", "post", "1", input="55\nwhy\n90\nwhy2\n\n")
    listing = cli("beliefs")
    assert listing.code == 0
    row = next(line for line in listing.out.splitlines() if "big lab" in line)
    assert "55%" in row and "+18" in row
    data = json.loads(cli("beliefs", "--json").out)
    assert [b["history"] for b in data] == [[37.0, 55.0], [83.0, 90.0]]
    show = cli("beliefs", "show", "big lab")
    assert show.code == 0
    assert show.out.count("●") == 2
    assert "pre  #1" in show.out and "post #1" in show.out


def test_interrupted_post_keeps_confirmed_ratings_and_resumes(cli, advisor_env):
    journal_pre(cli)
    first = cli("journal", "post", "1", input="61\nfirst reason\n")  # input ends mid-post
    assert first.code == 130
    assert "Resume with `advisor journal post 1`" in first.out
    shown = json.loads(cli("journal", "show", "1", "--json").out)
    assert shown["entry"]["post_status"] == "in_progress"
    assert [r["after"] for r in shown["diff"]["moved"]] == [61.0]
    resumed = cli("journal", "post", "1", input="20\nsecond\n\n")
    assert resumed.code == 0
    assert "Resuming: 1 of 2 already re-rated." in resumed.out
    assert "[1/2]" not in resumed.out and "[2/2] Evals would use my quant skills better" in resumed.out


def test_a_killed_post_loses_nothing_confirmed(cli, advisor_env):
    journal_pre(cli)
    proc = subprocess.Popen(
        [sys.executable, "-m", "advisor", "journal", "post", "1"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=advisor_env, text=True,
    )
    proc.stdin.write("64\nconfirmed before the kill\n")
    proc.stdin.flush()
    db = Path(advisor_env["ADVISOR_HOME"]) / "journal.db"
    deadline = time.time() + 30
    rows = []
    while time.time() < deadline and not rows:
        with sqlite3.connect(db) as conn:
            rows = conn.execute("SELECT credence, reason FROM ratings WHERE phase = 'post'").fetchall()
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert rows == [(64.0, "confirmed before the kill")]
    resumed = cli("journal", "post", "1", input="30\nafter\n\n")
    assert resumed.code == 0 and "Resuming: 1 of 2" in resumed.out


def test_beliefs_file_yaml_and_json_and_json_output(cli, tmp_path):
    yml = tmp_path / "pre.yaml"
    yml.write_text(
        "- statement: Governance needs technical people\n  credence: 72\n  reason: few have both\n"
        "  resolve_by: 2027-06-30\n"
        "- {statement: I should apply to labs this cycle, credence: 45, reason: coworkers}\n"
    )
    r = cli("journal", "pre", "--about", "Scripted", "--beliefs-file", str(yml), "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [b["credence"] for b in data["pre"]] == [72, 45]
    post = tmp_path / "post.json"
    post.write_text(json.dumps([
        {"statement": "governance needs technical people", "credence": 80, "reason": "heard it twice"},
        {"belief_id": data["pre"][1]["belief_id"], "dropped": True, "reason": "not this cycle"},
        {"statement": "Talk to three more people first", "credence": 90, "reason": "cheap test"},
    ]))
    r = cli("journal", "post", str(data["entry"]["id"]), "--beliefs-file", str(post), "--json")
    assert r.code == 0, r.err
    diff = json.loads(r.out)
    assert [(m["before"], m["after"], m["change"]) for m in diff["moved"]] == [(72, 80, 8)]
    assert [d["statement"] for d in diff["dropped"]] == ["I should apply to labs this cycle"]
    assert [n["statement"] for n in diff["new"]] == ["Talk to three more people first"]
    beliefs = json.loads(cli("beliefs", "list", "--json").out)
    assert beliefs[0]["belief"]["resolve_by"] == "2027-06-30"
    entries = json.loads(cli("journal", "list", "--json").out)
    assert entries[0]["post_status"] == "complete" and entries[0]["pre_count"] == 2


@pytest.mark.parametrize(
    "content, suffix, expected",
    [
        ("- statement: ok\n  credence: 140\n  reason: x\n", ".yaml", "item 1: credence must be between 0 and 100"),
        ("- statement: ok\n  credence: 50\n- statement: two\n  credence: lots\n", ".yaml", "item 2: credence must be a number"),
        ("- statement: ok\n  credance: 50\n", ".yaml", "item 1: unknown field 'credance'"),
        ("- statement: ''\n  credence: 50\n", ".yaml", "item 1: statement is empty"),
        ("- statement: ok\n", ".yaml", "item 1: credence is missing"),
        ("[]\n", ".yaml", "holds no beliefs"),
        ("- statement: [unclosed\n", ".yaml", "is not valid YAML"),
        ('[{"statement": "a", "credence": 5,}]', ".json", "is not valid JSON"),
        ("just a string\n", ".yaml", "must hold a list of beliefs"),
    ],
)
def test_bad_beliefs_files_give_one_line_and_write_nothing(cli, tmp_path, content, suffix, expected):
    f = tmp_path / f"beliefs{suffix}"
    f.write_text(content)
    r = cli("journal", "pre", "--about", "x", "--beliefs-file", str(f))
    assert expected in one_clear_line(r)
    assert json.loads(cli("journal", "list", "--json").out) == []


def test_beliefs_file_missing_binary_or_not_utf8(cli, tmp_path):
    assert "does not exist" in one_clear_line(cli("journal", "pre", "--about", "x", "--beliefs-file", str(tmp_path / "nope.yaml")))
    binary = tmp_path / "b.yaml"
    binary.write_bytes(b"\x00\x01\x02")
    assert "binary" in one_clear_line(cli("journal", "pre", "--about", "x", "--beliefs-file", str(binary)))
    latin = tmp_path / "l.yaml"
    latin.write_bytes("- statement: caf\xe9\n  credence: 5\n".encode("latin-1"))
    assert "not UTF-8" in one_clear_line(cli("journal", "pre", "--about", "x", "--beliefs-file", str(latin)))


def test_interactive_credence_140_is_asked_again_not_saved(cli):
    r = cli("journal", "pre", "--about", "x", input="A belief\n140\n-3\nabc\n64\nwhy\n\n")
    assert r.code == 0
    assert r.out.count("try again") == 3
    assert json.loads(cli("beliefs", "--json").out)[0]["latest"] == 64


def test_no_beliefs_entered_saves_nothing(cli):
    assert "no beliefs entered" in one_clear_line(cli("journal", "pre", "--about", "x", input="\n"))
    assert json.loads(cli("journal", "list", "--json").out) == []


def test_unknown_entry_and_second_post(cli):
    assert "no journal entry #9" in one_clear_line(cli("journal", "post", "9"))
    assert "no journal entry #9" in one_clear_line(cli("journal", "show", "9"))
    journal_pre(cli)
    assert cli("journal", "post", "1", input="50\nx\n50\ny\n\n").code == 0
    line = one_clear_line(cli("journal", "post", "1", input="1\n"))
    assert "already has a post" in line and "--amend" in line
    amended = cli("journal", "post", "1", "--amend", input="99\nchanged my mind\n\n\n")
    assert amended.code == 0 and "37% → 99%" in amended.out


def test_unwritable_home_is_one_line(cli, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    r = cli("journal", "list", env={"ADVISOR_HOME": str(blocker / "home")})
    assert "cannot use data directory" in one_clear_line(r)


def test_journal_from_a_newer_schema_is_refused(cli, advisor_env):
    journal_pre(cli)
    db = Path(advisor_env["ADVISOR_HOME"]) / "journal.db"
    with sqlite3.connect(db) as conn:
        conn.execute("INSERT INTO _migrations VALUES ('m999_future', '2030-01-01')")
    assert "newer version of advisor" in one_clear_line(cli("journal", "list"))


def test_data_directory_is_private(cli, advisor_env):
    journal_pre(cli)
    mode = stat.S_IMODE(os.stat(advisor_env["ADVISOR_HOME"]).st_mode)
    assert mode == 0o700


def test_export_json_reimports_losslessly_and_markdown_reads_well(cli, tmp_path):
    journal_pre(cli)
    cli("journal", "post", "1", input="55\ncoworkers\ndrop\nno\nNew one\n12\nwhy\n\n")
    cli("beliefs", "resolve", "1", "yes")
    out = tmp_path / "journal.json"
    assert cli("export", "--format", "json", "-o", str(out)).code == 0
    fresh = {"ADVISOR_HOME": str(tmp_path / "elsewhere")}
    imported = cli("import", str(out), env=fresh)
    assert imported.code == 0, imported.err
    again = tmp_path / "again.json"
    assert cli("export", "--format", "json", "-o", str(again), env=fresh).code == 0
    first, second = json.loads(out.read_text()), json.loads(again.read_text())
    assert first["tables"] == second["tables"] and first["tables"]["ratings"]
    assert "already holds data" in one_clear_line(cli("import", str(out), env=fresh))
    md = cli("export", "--format", "md").out
    assert "## #1 Coffee with a friend at a big lab" in md
    assert "+18" in md and "Working at a big lab is my highest-impact option: 37% → 55% (resolved yes)" in md


def test_import_rejects_files_that_are_not_exports(cli, tmp_path):
    bad = tmp_path / "x.json"
    bad.write_text('{"hello": 1}')
    assert "not an advisor journal export" in one_clear_line(cli("import", str(bad)))


def test_calibration_from_the_cli(cli):
    journal_pre(cli)
    cli("beliefs", "resolve", "big lab", "no")
    cli("beliefs", "resolve", "quant", "yes")
    r = cli("beliefs", "calibration", "--json")
    report = json.loads(r.out)
    assert report["brier"] == pytest.approx(((0.37 - 0) ** 2 + (0.83 - 1) ** 2) / 2)

"""`advisor notes` and `advisor kb` as a user runs them (subprocesses, temp ADVISOR_HOME)."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest
from support import KB_FIELD_LOCATION, KB_FIELD_NOTE, KB_FIELD_TEXT, KB_FIELD_TITLE, KB_NOTES


@pytest.fixture(autouse=True)
def kb_no_curated(advisor_env: dict[str, str], tmp_path: Path) -> None:
    """Only the user's notes: the shipped cards change while they are being written."""
    empty = tmp_path / "no-cards"
    empty.mkdir()
    advisor_env["ADVISOR_KNOWLEDGE__CURATED_DIR"] = str(empty)


def test_add_notes_then_search_cites_the_right_passage(cli, tmp_path: Path):
    one = tmp_path / "essays"
    one.mkdir()
    for note in (KB_FIELD_NOTE, KB_NOTES / "research-taste.txt"):
        (one / note.name).write_bytes(note.read_bytes())
    r = cli("notes", "add", str(one))
    assert r.code == 0, r.err
    assert "2 added" in r.out
    r = cli("kb", "search", "what do members of a research field share?", "--json", "-k", "3")
    assert r.code == 0, r.err
    hits = json.loads(r.out)
    assert len(hits) == 3
    assert {"text", "score", "title", "source", "kind", "chunk_id", "location"} <= set(hits[0])
    assert KB_FIELD_TEXT in hits[0]["text"]
    assert hits[0]["location"] == KB_FIELD_LOCATION and hits[0]["kind"] == "note"
    r = cli("kb", "search", "what do members of a research field share?", "-k", "1", "--kind", "note")
    assert r.code == 0 and r.out.startswith(f"1. {KB_FIELD_TITLE} [note] {KB_FIELD_LOCATION}")
    lines = r.out.splitlines()
    assert lines[1].strip() == str((one / KB_FIELD_NOTE.name).resolve())  # the file the user added
    assert "research field is a community" in r.out and "\x1b[" not in r.out  # no escapes when piped
    r = cli("notes", "add", str(one))
    assert r.code == 0 and "2 unchanged" in r.out
    r = cli("notes", "list", "--json")
    notes = json.loads(r.out)
    assert len(notes) == 2
    r = cli("notes", "rm", notes[0]["id"])
    assert r.code == 0 and "removed" in r.out
    assert len(json.loads(cli("notes", "list", "--json").out)) == 1
    r = cli("kb", "status", "--json")
    assert r.code == 0 and {s["state"] for s in json.loads(r.out)} == {"indexed"}


def test_bad_batch_reports_each_line_and_exits_nonzero(cli, tmp_path: Path):
    good = tmp_path / "good.md"
    good.write_text("# Good\n\nAgent foundations studies idealised models of agency.\n")
    (tmp_path / "bin.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "empty.txt").write_text("")
    r = cli("notes", "add", str(tmp_path / "missing.md"), str(good), str(tmp_path / "bin.txt"), str(tmp_path / "empty.txt"))
    assert r.code != 0
    errs = [ln for ln in r.errors.splitlines() if ln.strip()]
    assert len(errs) == 3 and all(ln.startswith("advisor: ") for ln in errs)
    assert "Traceback" not in r.err
    assert "1 added" in r.out
    status = json.loads(cli("kb", "status", "--json").out)
    assert {s["state"] for s in status if s["kind"] == "note"} == {"indexed", "failed"}


def test_stdin_and_editor(cli, tmp_path: Path):
    r = cli("notes", "add", "-", "--title", "From stdin", input="Compute governance tracks chips.\n")
    assert r.code == 0, r.err
    editor = tmp_path / "fake-editor"
    editor.write_text(
        f"#!{sys.executable}\nimport sys\np = sys.argv[1]\n"
        "open(p, 'w').write('---\\ntitle: Edited note\\n---\\n\\nWritten in the editor about evals.\\n')\n"
    )
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    r = cli("notes", "new", env={"EDITOR": str(editor), "VISUAL": ""})
    assert r.code == 0, r.err
    titles = {n["title"] for n in json.loads(cli("notes", "list", "--json").out)}
    assert titles == {"From stdin", "Edited note"}
    r = cli("kb", "search", "editor evals", "--kind", "note", "-k", "1", "--json")
    assert json.loads(r.out)[0]["title"] == "Edited note"
    r = cli("kb", "reindex")
    assert r.code == 0 and "0 indexed" in r.out
    r = cli("notes", "rm", "nonexistent")
    assert r.code == 2 and r.err.startswith("advisor: no note with id")


def test_search_shows_a_card_with_its_sources_and_the_note_it_draws_on(cli, advisor_env, tmp_path: Path):
    cards = tmp_path / "cards"
    cards.mkdir()
    (cards / "dangling.md").write_text(
        "---\ntitle: Dangling questions\nkind: epistemics\nsources:\n  - author: A. Writer\n"
        "    title: \"Quick take: Leaving dangling questions is bad faith\"\n    where: quick takes\n---\n\n"
        "## What it is, and why a question left hanging reads as an accusation\n\nA critic poses a question and leaves it hanging, implying the target is wrong.\n")
    note = tmp_path / "takes.txt"
    note.write_text("Quick takes\n\nLeaving dangling questions is bad faith\n\n"
                    "A dangling question is asked in a critique and then left hanging.\n")
    env = {"ADVISOR_KNOWLEDGE__CURATED_DIR": str(cards)}
    assert cli("notes", "add", str(note), env=env).code == 0
    r = cli("kb", "search", "leaving a question hanging", "-k", "1", "--kind", "curated", env=env)
    assert r.code == 0, r.err
    lines = [ln.strip() for ln in r.out.splitlines()]
    # the heading line is one line even past 80 characters (a pipe is not wrapped)
    assert lines[0] == "1. Dangling questions [card] § What it is, and why a question left hanging reads as an accusation"
    assert lines[1] == "curated card dangling.md"
    assert lines[2] == "draws on “Quick take: Leaving dangling questions is bad faith”, A. Writer — quick takes"
    assert str(cards) not in r.out  # never the folder the cards are installed in
    assert "↳ from your note: Quick takes [note] lines 1–5" in lines and str(note.resolve()) in lines

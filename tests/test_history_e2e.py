"""Issue 13's "done when", as a user runs it (the CLI in subprocesses; real SQLite, Chroma and
embedder): a journal of 3 entries, 2 sessions and 5 notes, searched for a word that occurs once
in a belief's reason, once in a session turn and once in a note, returns all three, ranked, each
opening the right thing; exported, imported into a fresh home and searched again, the same."""

from __future__ import annotations

import json
from pathlib import Path

from support import KB_CARDS, KB_NOTES

WORD = "sabbatical"
REASON = f"Ana said a {WORD} year is normal in academia"
TURN = f"I keep thinking a {WORD} would let me finish the interpretability project."
NOTE = f"Priya took a {WORD} before joining an evals team; she says it cost her nothing."


def _ok(result):
    assert result.code == 0, result.err
    return result


def _build_history(cli, tmp_path: Path) -> None:
    """3 entries (one with its post), 2 sessions and 5 notes; WORD once in each of the three."""
    entries = [
        ("2025-11-01", "Lunch with Ana", [{"statement": "A year out costs little", "credence": 35, "reason": REASON},
                            {"statement": "Academia is slower than labs", "credence": 70, "reason": "grant cycles"}]),
        ("2025-11-20", "Call with Sam", [{"statement": "Lab safety teams mostly run evals", "credence": 60, "reason": "Sam's team"}]),
        ("2025-12-05", "Coffee with Lee", [{"statement": "Governance needs engineers", "credence": 55, "reason": "few have both"}]),
    ]
    for n, (day, about, beliefs) in enumerate(entries, start=1):
        f = tmp_path / f"pre{n}.json"
        f.write_text(json.dumps(beliefs))
        _ok(cli("journal", "pre", "--about", about, "--on", day, "--beliefs-file", str(f)))
    post = tmp_path / "post.json"
    post.write_text(json.dumps([{"belief_id": 3, "credence": 40, "reason": "it is half evals, half research"}]))
    _ok(cli("journal", "post", "2", "--beliefs-file", str(post)))
    _ok(cli("session", "start", "--topic", "Finish the project or take the job", input=f"{TURN}\n/quit\n"))
    _ok(cli("session", "start", "--topic", "Which subfield first", input="Interpretability or evals?\n/quit\n"))
    _ok(cli("notes", "add", "-", "--title", "Priya's path", input=NOTE))
    _ok(cli("notes", "add", str(KB_NOTES / "research-fields.txt"), str(KB_NOTES / "research-taste.txt"),
            str(KB_NOTES / "dangling-questions.md"), str(KB_NOTES / "feedback-loops.txt")))


def _search(cli, env=None) -> list[dict]:
    return json.loads(_ok(cli("search", WORD, "--json", env=env)).out)["results"]


def test_one_word_in_a_reason_a_turn_and_a_note_is_found_opened_and_survives_a_backup(cli, tmp_path, advisor_env):
    cards = tmp_path / "cards"
    cards.mkdir()
    for name, text in KB_CARDS.items():
        (cards / name).write_text(text, encoding="utf-8")

    def run(*args, env=None, **kwargs):  # the test cards stand in for the shipped ones (quicker to index)
        return cli(*args, env={**(env or {}), "ADVISOR_KNOWLEDGE__CURATED_DIR": str(cards)}, **kwargs)

    _build_history(run, tmp_path)
    assert len(json.loads(run("journal", "list", "--json").out)) == 3
    assert len(json.loads(run("session", "list", "--json").out)) == 2
    assert len(json.loads(run("notes", "list", "--json").out)) == 5

    results = _search(run)
    assert sorted(r["kind"] for r in results) == ["journal", "note", "session"]
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    for r in results:  # the word is marked in each snippet, and each result opens what holds it
        assert any(r["snippet"][a:b].lower() == WORD for a, b in r["marks"]), r
        opened = _ok(run(*r["open"].split()[1:])).out
        expected = {"journal": REASON, "session": TURN, "note": NOTE}[r["kind"]]
        assert expected in opened, (r["open"], opened)
    by_kind = {r["kind"]: r for r in results}
    assert by_kind["journal"]["open"] == "advisor journal show 1" and by_kind["journal"]["day"] == "2025-11-01"
    assert by_kind["session"]["open"] == "advisor session show 1"
    text = _ok(run("search", WORD)).out
    assert text.count("→ advisor ") == 3 and f"**{WORD}**" in text

    backup = tmp_path / "backup.json"
    _ok(run("export", "--format", "json", "-o", str(backup)))
    fresh = {"ADVISOR_HOME": str(tmp_path / "fresh-home")}
    imported = _ok(run("import", str(backup), env=fresh))
    assert "3 entries" in imported.out and "2 sessions" in imported.out and "5 notes" in imported.out
    assert _search(run, env=fresh) == results
    for r in results:  # the same thing opens (a note's file is in the new home's notes folder)
        here = _ok(run(*r["open"].split()[1:])).out.replace(advisor_env["ADVISOR_HOME"], "HOME")
        there = _ok(run(*r["open"].split()[1:], env=fresh)).out.replace(fresh["ADVISOR_HOME"], "HOME")
        assert there == here
    # and merging the same backup into the fresh home duplicates nothing
    merged = _ok(run("import", "--merge", str(backup), env=fresh))
    assert "Imported nothing new" in merged.out
    assert _search(run, env=fresh) == results
    assert len(json.loads(run("notes", "list", "--json", env=fresh).out)) == 5

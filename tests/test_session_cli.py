"""`advisor session ...` and `advisor ask` as a user runs them (subprocess, guide mode, no network)."""

from __future__ import annotations

import json

SCRIPT = "\n".join([
    "I'm deciding between a big-lab safety role and independent interp, by March.",
    "/next",
    "70 I would learn faster at a big lab because of the coworkers",
    "/next",
    "Big labs are obviously where the progress is. Could I even compete? Anyway.",
    "/next",
    "The case for independence: I pick neglected problems.",
    "/next",
    "85 because several people said so",
    "/next",
]) + "\n"


def test_guide_session_from_piped_stdin(cli):
    r = cli("session", "start", "--topic", "big lab vs independent interp", input=SCRIPT)
    assert r.code == 0, r.err
    for stage in ("Stage 1/6", "Stage 2/6", "Stage 3/6", "Stage 4/6", "Stage 5/6", "Stage 6/6"):
        assert stage in r.out
    assert "Guide mode" in r.out
    assert "went from 70% to 85% because several people said so" in r.out
    assert "Session #1 is complete; journal entry #1" in r.out
    j = cli("journal", "list", "--json")
    entries = json.loads(j.out)
    assert entries[0]["kind"] == "advisor" and entries[0]["post_status"] == "complete"
    s = json.loads(cli("session", "show", "1", "--json").out)
    assert s["status"] == "complete" and s["summary"]["next_actions"]
    assert {t["stage"] for t in s["turns"]} == {"frame", "before", "explore", "challenge", "after", "summary"}
    assert "big lab vs independent interp" in cli("session", "list").out
    md = cli("session", "export", "1").out
    assert md.startswith("# Session #1") and "## Summary" in md


def test_session_left_early_is_resumable(cli):
    r = cli("session", "start", "--topic", "t", input="I am unsure what to pick.\n")
    assert r.code == 0 and "continue with `advisor session resume 1`" in r.out
    r2 = cli("session", "resume", "1", input="/stage before\n60 x is true because y\n/end\n")
    assert r2.code == 0 and "Resuming session #1" in r2.out and "is complete" in r2.out


def test_ask_json_in_guide_mode(cli):
    r = cli("ask", "Should I take a big-lab safety role or keep doing independent interp?", "--json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["provider"] == "guide" and data["citations"] and "→" in data["answer"]


def test_bad_endpoint_is_one_line_and_exit_4(cli):
    r = cli("ask", "hi there", env={"ADVISOR_MODEL__BASE_URL": "http://127.0.0.1:9/v1",
                                     "ADVISOR_MODEL__API_KEY": "sk-secret-abcdef123456",
                                     "ADVISOR_MODEL__MAX_RETRIES": "0"})
    assert r.code == 4
    assert r.errors.startswith("advisor: cannot reach the model endpoint") and r.errors.count("\n") == 1
    assert "sk-secret-abcdef123456" not in r.err + r.out
    # how to try again is said once, as the command that does it (it was said twice)
    assert r.errors.count("/retry") == 1 and "`advisor session resume" in r.errors

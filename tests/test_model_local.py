"""End to end with the real embedded model (xllamacpp serving SmolLM2-135M) — slow (~30 s)."""

from __future__ import annotations

import json
import sqlite3

import pytest

pytestmark = pytest.mark.slow

LOCAL = {"ADVISOR_MODEL__PROVIDER": "local", "ADVISOR_LOCAL__MAX_TOKENS": "40", "ADVISOR_LOCAL__THREADS": "2"}
#: The prompt fills the model's window (4096 tokens), so on a loaded 2-core machine one call can take minutes.
SLOW = 600


def test_local_server_streams_tokens(advisor_env):
    from langchain_core.messages import HumanMessage

    from advisor.session.llm import ModelClient, describe
    from advisor.settings import load_settings

    s = load_settings()
    s.model.provider = "local"
    s.local.max_tokens = 24
    info = describe(s)
    assert info.embedded and "small offline model" in info.warning
    client = ModelClient(s)
    try:
        pieces = list(client.stream([HumanMessage("Name one AI safety research area.")]))
        assert len(pieces) > 3 and "".join(pieces).strip()
        assert client._local.base_url.startswith("http://127.0.0.1:")
    finally:
        client.close()


def test_ask_and_session_through_the_local_model(cli, advisor_env):
    r = cli("ask", "Should I take a big-lab safety role or keep doing independent interp?", env=LOCAL, timeout=SLOW)
    assert r.code == 0, r.err
    assert "small offline model" in r.out and "Sources:" in r.out and "[1]" in r.out
    j = cli("ask", "What is a research field?", "--json", env=LOCAL, timeout=SLOW)
    assert j.code == 0, j.err
    data = json.loads(j.out)  # the model's own reply, not the guide's follow-up question
    assert data["provider"] == "local" and data["citations"] and not data["answer"].startswith("→")
    script = "\n".join([
        "Lab safety role or independent interp.", "/next",
        "70 I would learn faster at a big lab because of coworkers", "/next",
        "Labs obviously make the progress. How could I compete?", "/next", "/next", "75", "/next",
    ]) + "\n"
    r = cli("session", "start", "--topic", "big lab vs independent interp", input=script, env=LOCAL, timeout=SLOW)
    assert r.code == 0, r.err
    assert "Stage 6/6" in r.out and "went from 70% to 75%" in r.out
    show = json.loads(cli("session", "show", "3", "--json").out)
    explore = [t for t in show["turns"] if t["stage"] == "explore" and t["role"] == "advisor"]
    assert any(t["citations"] for t in explore)  # the model's reply is stored with its sources
    assert show["provider"] == "local" and "SmolLM2" in show["model_label"]
    db = sqlite3.connect(advisor_env["ADVISOR_HOME"] + "/journal.db")
    assert db.execute("SELECT kind, post_status FROM entries").fetchall() == [("advisor", "complete")]

"""A team knowledge base on a real Chroma server (issue 12): shared notes with their authors,
private notes kept home, no home ever changing another's notes, cards uploaded once, faults."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ChromaServer
from support import REPO, kb_make_settings, without_progress

from advisor.knowledge import KnowledgeBase

pytestmark = pytest.mark.slow


def team_kb(root: Path, name: str, url: str, cards: Path, embedder: Any, **knowledge: Any) -> KnowledgeBase:
    settings = kb_make_settings(root / name, cards, chroma_url=url, member_name=name, **knowledge)
    return KnowledgeBase(settings, embedder=embedder)


def records(url: str, owner_name: str) -> dict[str, str]:
    """{id: text} of what one member has on the server, read with chromadb's own client."""
    import chromadb

    port = int(url.rsplit(":", 1)[1])
    got = chromadb.HttpClient(host="127.0.0.1", port=port).get_collection("advisor_team").get(
        where={"owner_name": owner_name}, include=["documents"])
    return dict(zip(got["ids"], got["documents"] or [], strict=True))


class CountingEmbedder:
    """The real embedder, counting the texts it embeds."""

    def __init__(self, inner: Any) -> None:
        self.inner, self.texts = inner, 0

    def embed(self, texts: list[str]) -> Any:
        self.texts += len(texts)
        return self.inner.embed(texts)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_members_find_each_others_notes_and_never_change_them(team_server, tmp_path, kb_cards_dir, kb_embedder):
    url = team_server.url
    a = team_kb(tmp_path, "alice", url, kb_cards_dir, kb_embedder)
    b = team_kb(tmp_path, "bob", url, kb_cards_dir, kb_embedder)
    shared = a.add_text("Quokka circuits: sparse autoencoders recover features from superposition.",
                        "Quokka circuits", share=True)
    private = a.add_text("Narwhal salary: what I would accept to leave my PhD.", "Narwhal salary", share=False)
    bobs = b.add_text("Wombat evals: a government institute runs dangerous-capability evaluations.",
                      "Wombat evals", share=True)
    alice_on_server = records(url, "alice")
    assert len(alice_on_server) == 1 and "Quokka" in next(iter(alice_on_server.values()))

    c = team_kb(tmp_path, "carol", url, kb_cards_dir, kb_embedder)
    top = {p.title: p for p in c.search("quokka circuits", k=3)}  # merged with the cards
    assert (top["Quokka circuits"].owner, top["Quokka circuits"].added_by) == ("team", "alice")
    # the same passage, without what belongs to one query (its score, the snippet of matching sentences)
    assert c.get_passage(top["Quokka circuits"].chunk_id) == top["Quokka circuits"].model_copy(
        update={"score": 0.0, "snippet": "", "marks": []})
    top = {p.title: p for p in c.search("wombat evals", k=3)}
    assert (top["Wombat evals"].owner, top["Wombat evals"].added_by) == ("team", "bob")
    assert c.team_notice is None
    for other in (b, c):  # the private note is found by its owner alone
        assert all("Narwhal" not in p.text for p in other.search("narwhal salary PhD", k=10, kind="note"))
    mine = a.search("narwhal salary PhD", k=1, kind="note")[0]
    assert (mine.title, mine.owner, mine.added_by) == ("Narwhal salary", "mine", None)
    assert {n.id: n.shared for n in a.list_notes()} == {shared.note_id: "uploaded", private.note_id: None}

    # everything bob does leaves alice's notes as they are
    b.reindex()
    b.reindex(full=True)
    b.close()
    b = team_kb(tmp_path, "bob", url, kb_cards_dir, kb_embedder)
    assert b.search("quokka circuits", k=1, kind="note")[0].added_by == "alice"
    assert len(records(url, "bob")) == 1
    b.remove_note(bobs.note_id or "")
    assert records(url, "bob") == {}
    assert records(url, "alice") == alice_on_server
    # and alice's own reopen and full rebuild leave her shared note as it was
    a.close()
    a = team_kb(tmp_path, "alice", url, kb_cards_dir, kb_embedder)
    a.reindex(full=True)
    assert records(url, "alice") == alice_on_server
    # her shared note edited on disk: the next use re-indexes it and the server gets the new text
    note = next(n for n in a.list_notes() if n.id == shared.note_id)
    with open(note.path, "a", encoding="utf-8") as fh:
        fh.write("Update: transcoders too.\n")
    a.close()
    a = team_kb(tmp_path, "alice", url, kb_cards_dir, kb_embedder)
    a._ready()
    assert [t for t in records(url, "alice").values() if "transcoders" in t] and len(records(url, "alice")) == 1
    # made private again, it leaves the server and the others' searches
    a.set_shared(shared.note_id or "", False)
    assert records(url, "alice") == {}
    c.close()
    c = team_kb(tmp_path, "carol", url, kb_cards_dir, kb_embedder)
    assert all(p.owner != "team" for p in c.search("quokka circuits superposition", k=5))
    for kb in (a, b, c):
        kb.close()


def test_curated_cards_are_embedded_once_per_server(team_server, tmp_path, kb_cards_dir, kb_embedder):
    import chromadb

    first = CountingEmbedder(kb_embedder)
    team_kb(tmp_path, "d1", team_server.url, kb_cards_dir, first)._ready()
    second = CountingEmbedder(kb_embedder)
    kb = team_kb(tmp_path, "d2", team_server.url, kb_cards_dir, second)
    kb._ready()
    assert kb.catalog.chunk_count() > 0
    assert second.texts == 0  # every card passage came from the server
    cards = chromadb.HttpClient(host="127.0.0.1", port=team_server.port).get_collection("advisor_cards")
    assert cards.count() == kb.catalog.chunk_count()  # one copy of each card passage, however many homes
    hit = kb.search("why are single neurons polysemantic?", k=1, kind="curated")[0]
    assert hit.location == "§ Core problems"  # vectors from the server rank like local ones
    kb.close()


def cli_env(advisor_env: dict[str, str], home: Path, url: str, name: str, cards: Path, **extra: str) -> dict[str, str]:
    return {**advisor_env, "ADVISOR_HOME": str(home), "ADVISOR_CHROMA_URL": url,
            "ADVISOR_KNOWLEDGE__MEMBER_NAME": name, "ADVISOR_KNOWLEDGE__CURATED_DIR": str(cards), **extra}


def run(env: dict[str, str], *args: str, input: str = "") -> subprocess.CompletedProcess[str]:
    """`advisor ARGS`; its stderr without the progress lines of indexing (warnings and errors)."""
    done = subprocess.run([sys.executable, "-m", "advisor", *args], input=input, capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=180)
    done.stderr = without_progress(done.stderr)
    return done


def test_two_homes_adding_at_once_both_land(team_server, tmp_path, advisor_env, kb_cards_dir, kb_embedder):
    procs = []
    for name, text in (("erin", "Ibex alignment: scalable oversight needs honest debaters."),
                       ("frank", "Ibex policy: compute thresholds for frontier model reporting.")):
        env = cli_env(advisor_env, tmp_path / name, team_server.url, name, kb_cards_dir)
        procs.append(subprocess.Popen([sys.executable, "-m", "advisor", "notes", "add", "-", "--team"],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, env=env, cwd=REPO))
        procs[-1].stdin.write(text)  # type: ignore[union-attr]
        procs[-1].stdin.close()  # type: ignore[union-attr]
    for p in procs:
        assert p.wait(timeout=180) == 0, p.stderr.read()  # type: ignore[union-attr]
    g = team_kb(tmp_path, "grace", team_server.url, kb_cards_dir, kb_embedder)
    found = {p.added_by for p in g.search("ibex", k=10, kind="note")}
    assert found == {"erin", "frank"}
    g.close()


def test_server_down_then_back(tmp_path, advisor_env, kb_cards_dir, kb_embedder, monkeypatch):
    from advisor.knowledge import team

    server = ChromaServer(tmp_path / "server")  # not started yet: nothing listens on its port
    env = cli_env(advisor_env, tmp_path / "hana", server.url, "hana", kb_cards_dir)
    added = run(env, "notes", "add", "-", "--team", input="Okapi agendas: model organisms of misalignment.")
    assert added.returncode == 0, added.stderr
    assert "[team, waiting to upload]" in added.stdout
    assert added.stderr.count("\n") == 1 and "unreachable" in added.stderr and "Traceback" not in added.stderr
    found = run(env, "kb", "search", "okapi model organisms", "-k", "1")  # private notes still work
    assert found.returncode == 0 and "Okapi agendas: model organisms of misalignment. [note · mine]" in found.stdout
    assert found.stderr.count("\n") == 1 and "using this home's notes" in found.stderr
    journal = run(env, "journal", "list")
    assert journal.returncode == 0 and journal.stderr == ""

    server.start()
    try:
        listed = run(env, "notes", "list")  # the first connection uploads what waited
        assert listed.returncode == 0 and "[team]" in listed.stdout and "waiting" not in listed.stdout
        ivy = team_kb(tmp_path, "ivy", server.url, kb_cards_dir, kb_embedder)
        assert ivy.search("okapi model organisms", k=1, kind="note")[0].added_by == "hana"
        # the server restarts while ivy's knowledge base is open
        server.stop()
        assert ivy.search("okapi model organisms", k=1, kind="note")[0].added_by == "hana"  # from the mirror
        monkeypatch.setattr(team, "RETRY_S", 0.0)
        ivy.search("something else entirely", k=1)
        assert ivy.team_notice and "team server" in ivy.team_notice
        server.start()
        hit = ivy.search("okapi model organisms", k=1, kind="note")[0]
        assert (hit.added_by, ivy.team_notice) == ("hana", None)
        ivy.close()
    finally:
        server.stop()


def test_hung_server_costs_seconds_not_forever(tmp_path, kb_cards_dir, kb_embedder):
    with socket.socket() as listener:  # accepts connections (the backlog) and never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
        kb = team_kb(tmp_path, "jay", url, kb_cards_dir, kb_embedder)
        started = time.monotonic()
        hit = kb.search("why are single neurons polysemantic?", k=1)[0]
        assert time.monotonic() - started < 15
        assert hit.location == "§ Core problems" and "unreachable" in (kb.team_notice or "")
        kb.close()


def test_token_auth(tmp_path, advisor_env, kb_cards_dir, kb_embedder):
    token = "team-s3cret-token-4711"
    server = ChromaServer(tmp_path / "server", token=token).start()
    try:
        home = tmp_path / "kim"
        env = cli_env(advisor_env, home, server.url, "kim", kb_cards_dir)
        for wrong in ({}, {"ADVISOR_CHROMA_TOKEN": "not-the-token-at-all"}):
            out = run({**env, **wrong}, "kb", "search", "anything", "-k", "1")
            assert out.returncode == 3 and out.stderr.count("\n") == 1, out.stderr
            assert "refused the token" in out.stderr and "Traceback" not in out.stderr
            assert "not-the-token-at-all" not in out.stdout + out.stderr
        right = {**env, "ADVISOR_CHROMA_TOKEN": token}
        added = run(right, "notes", "add", "-", "--team", input="Tapir notes: interpretability reading list.")
        assert added.returncode == 0 and "[team]" in added.stdout, added.stderr
        lee = team_kb(tmp_path, "lee", server.url, kb_cards_dir, kb_embedder, chroma_token=token)
        assert lee.search("tapir interpretability reading list", k=1, kind="note")[0].added_by == "kim"
        assert lee.team_notice is None  # every call worked against the token server (cards included)
        lee.close()
        seen = [run(right, "config", "show"), run(right, "config", "show", "--json"),
                run(right, "kb", "status", "--json"), run(right, "export", "--format", "json"),
                run(right, "export", "--format", "md"), run(right, "config", "set", "knowledge.chroma_token", token)]
        for out in seen:
            assert out.returncode == 0, out.stderr
            assert token not in out.stdout + out.stderr
        assert "chroma_token = \"set (hidden)\"" in seen[0].stdout
        for path in home.rglob("*"):  # nor is it written anywhere in the home
            if path.is_file():
                assert token.encode() not in path.read_bytes(), path
    finally:
        server.stop()


def test_sharing_needs_a_server(cli, tmp_path):
    out = cli("notes", "add", "-", "--team", input="a note")
    assert out.code == 2 and "no team server" in out.err and out.err.count("\n") == 1
    assert "No notes yet" in cli("notes", "list").out  # nothing was added

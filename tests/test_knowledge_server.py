"""The same retrieval against a real Chroma server on loopback (knowledge.chroma_url)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from support import KB_FIELD_LOCATION, KB_FIELD_NOTE, KB_FIELD_TEXT, kb_make_settings

from advisor.knowledge import KnowledgeBase

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture(scope="module")
def kb_chroma_server(tmp_path_factory: pytest.TempPathFactory):
    if not CHROMA.exists():
        pytest.skip("the chroma CLI is not installed")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = tmp_path_factory.mktemp("chroma-server")
    log = (data / "log.txt").open("w")
    proc = subprocess.Popen(
        [str(CHROMA), "run", "--path", str(data / "db"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            if proc.poll() is not None:
                pytest.fail(f"chroma server exited: {(data / 'log.txt').read_text()[-500:]}")
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def kb_remote(kb_chroma_server: str, tmp_path_factory: pytest.TempPathFactory, kb_cards_dir: Path, kb_embedder):
    home = tmp_path_factory.mktemp("kb-remote-home")
    kb = KnowledgeBase(kb_make_settings(home, kb_cards_dir, chroma_url=kb_chroma_server), embedder=kb_embedder)
    assert kb.add_paths([KB_FIELD_NOTE]).ok
    yield kb
    kb.close()


def test_uses_the_server(kb_remote: KnowledgeBase):
    import chromadb

    assert kb_remote.dense.url is not None
    assert not (kb_remote.index_dir / "chroma").exists()
    client = chromadb.HttpClient(host="127.0.0.1", port=int(kb_remote.dense.url.rsplit(":", 1)[1]))
    assert client.get_collection("advisor_kb").count() == kb_remote.catalog.chunk_count() > 0


def test_search_over_server(kb_remote: KnowledgeBase):
    top = kb_remote.search("what do members of a research field share?", k=3)[0]
    assert KB_FIELD_TEXT in top.text and top.location == KB_FIELD_LOCATION
    cur = kb_remote.search("why are single neurons polysemantic?", k=2, kind="curated")
    assert cur[0].location == "§ Core problems"
    gov = kb_remote.search("how do I start?", k=10, topics=["governance"])
    assert gov and {h.title for h in gov} == {"AI governance careers"}
    dense = kb_remote.search("sparse autoencoders superposition", k=1, mode="dense")
    assert dense[0].title == "Mechanistic interpretability"


def test_fresh_server_collection_is_refilled_from_catalog(kb_remote: KnowledgeBase):
    n = kb_remote.catalog.chunk_count()
    kb_remote.dense.wipe()  # e.g. the team server was wiped
    assert kb_remote.dense.count() == 0
    kb_remote.close()  # reopen: the catalog drives a repair
    assert kb_remote.dense.count() == n
    assert kb_remote.search("what do members of a research field share?", k=1)[0].location == KB_FIELD_LOCATION

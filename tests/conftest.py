"""Shared fixtures: a private ADVISOR_HOME and config per test, and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from support import KB_CARDS, KB_FIELD_NOTE, KB_NOTES, REPO, kb_make_settings, without_progress


@dataclass
class CliResult:
    code: int
    out: str
    err: str

    @property
    def errors(self) -> str:
        """stderr without the progress lines of indexing or of starting a model."""
        return without_progress(self.err)


@pytest.fixture
def advisor_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Environment for a fresh user: own data dir and config file, no keys, no inherited ADVISOR_*."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_") and k != "OPENAI_API_KEY"}
    env["ADVISOR_HOME"] = str(tmp_path / "home")
    env["ADVISOR_CONFIG"] = str(tmp_path / "config.toml")
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg-data")
    env["XDG_CONFIG_HOME"] = str(tmp_path / "xdg-config")
    for key in list(os.environ):
        if key.startswith("ADVISOR_") or key == "OPENAI_API_KEY":
            monkeypatch.delenv(key, raising=False)
    for key in ("ADVISOR_HOME", "ADVISOR_CONFIG", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(key, env[key])
    return env


@pytest.fixture
def cli(advisor_env: dict[str, str]):
    """Run `advisor ARGS` as a user would (a subprocess), feeding `input` to its stdin."""

    def run(*args: str, input: str = "", env: dict[str, str] | None = None, timeout: float = 120) -> CliResult:
        proc = subprocess.run(
            [sys.executable, "-m", "advisor", *args],
            input=input,
            capture_output=True,
            text=True,
            env={**advisor_env, **(env or {})},
            timeout=timeout,
            cwd=REPO,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


# ---------------------------------------------------------------- sessions

@pytest.fixture
def settings(advisor_env):
    """Guide-mode settings in the test's private home (a test changes what it needs)."""
    from support import make_settings

    return make_settings(Path(advisor_env["ADVISOR_HOME"]))


@pytest.fixture
def store(settings):
    """The journal of that home, closed after the test."""
    from advisor.journal.store import JournalStore

    st = JournalStore.open(settings.journal_path)
    yield st
    st.close()


# ---------------------------------------------------------------- knowledge base (kb_ fixtures)

@pytest.fixture(scope="session")
def kb_cards_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small curated knowledge folder (three cards with front matter and `## ` headings)."""
    d = tmp_path_factory.mktemp("kb-cards")
    for name, text in KB_CARDS.items():
        (d / name).write_text(text, encoding="utf-8")
    return d


@pytest.fixture(scope="session")
def kb_embedder():
    """One Embedder (one ONNX session) shared by the knowledge-base tests of this session."""
    from advisor.knowledge.embedder import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def kb_index(tmp_path_factory: pytest.TempPathFactory, kb_cards_dir: Path, kb_embedder):
    """A shared, read-only knowledge base: the three cards + two corpus notes."""
    from advisor.knowledge import KnowledgeBase

    home = tmp_path_factory.mktemp("kb-home")
    kb = KnowledgeBase(kb_make_settings(home, kb_cards_dir), embedder=kb_embedder)
    report = kb.add_paths([KB_FIELD_NOTE, KB_NOTES / "career-options.txt"])
    assert report.ok, report
    yield kb
    kb.close()


# ---------------------------------------------------------------- team server (a real Chroma server)

CHROMA_CLI = Path(sys.executable).parent / "chroma"
TEAM_TOKEN_ENV = {
    "CHROMA_SERVER_AUTHN_PROVIDER": "chromadb.auth.token_authn.TokenAuthenticationServerProvider",
}


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ChromaServer:
    """A real Chroma server on loopback, from the installed chromadb: `chroma run`, or with a
    token the Python server (`uvicorn chromadb.app:app`, the one that enforces token auth)."""

    def __init__(self, data: Path, port: int | None = None, token: str | None = None) -> None:
        self.data, self.port, self.token = data, port or free_port(), token
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ChromaServer:
        import httpx

        self.data.mkdir(parents=True, exist_ok=True)
        log = (self.data / "log.txt").open("ab")
        if self.token is None:
            cmd = [str(CHROMA_CLI), "run", "--path", str(self.data / "db"), "--host", "127.0.0.1",
                   "--port", str(self.port)]
            env = dict(os.environ)
        else:
            cmd = [sys.executable, "-m", "uvicorn", "chromadb.app:app", "--host", "127.0.0.1",
                   "--port", str(self.port), "--log-level", "warning"]
            env = {**os.environ, **TEAM_TOKEN_ENV, "CHROMA_SERVER_AUTHN_CREDENTIALS": self.token,
                   "IS_PERSISTENT": "TRUE", "PERSIST_DIRECTORY": str(self.data / "db"), "ANONYMIZED_TELEMETRY": "FALSE"}
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.data)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                pytest.fail(f"chroma server exited: {(self.data / 'log.txt').read_text()[-800:]}")
            time.sleep(0.2)
        pytest.fail("chroma server did not start in 90 s")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None


@pytest.fixture(scope="session")
def team_server(tmp_path_factory: pytest.TempPathFactory):
    """One `chroma run` server shared by the team tests of this session (each uses its own words)."""
    server = ChromaServer(tmp_path_factory.mktemp("team-server")).start()
    yield server
    server.stop()

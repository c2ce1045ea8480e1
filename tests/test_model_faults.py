"""Endpoint faults become one clear ModelError; the session keeps the user's message and goes on;
the API key never shows up in messages, transcripts or exports."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from fakes import FakeRetriever
from pydantic import SecretStr
from support import make_settings

from advisor.errors import ModelError
from advisor.journal.store import JournalStore
from advisor.session.engine import Session
from advisor.session.events import ErrorEvent, TextDelta
from advisor.session.export import export_markdown
from advisor.session.llm import ModelClient, redact
from advisor.session.store import SessionStore

FAKE_KEY = "sk-test-DO-NOT-LEAK-1234567890abcdef"


class Handler(BaseHTTPRequestHandler):
    mode = "ok"

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        self.rfile.read(length)
        mode = type(self).mode
        auth = self.headers.get("Authorization", "")
        if mode == "401":  # echoes the key back, as some servers do
            self._send(401, json.dumps({"error": {"message": f"bad key {auth}", "type": "invalid_request_error"}}))
        elif mode == "404":
            self._send(404, json.dumps({"error": {"message": "model not found", "type": "not_found"}}))
        elif mode == "429":
            self._send(429, json.dumps({"error": {"message": "slow down", "type": "rate_limit"}}))
        elif mode == "slow":
            time.sleep(2)
            self._send(200, "{}")
        elif mode == "garbage":
            self._send(200, "data: {this is not json\n\n", "text/event-stream")
        elif mode == "cut json":  # a 200 whose JSON body stops mid-way
            self._send(200, '{"id": "x", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assi')
        elif mode == "cut stream":  # the first chunks, then the body ends: no finish reason, no [DONE]
            self._send(200, "".join(sse_chunk(c) for c in REPLY[:2]), "text/event-stream")
        else:  # as OpenAI-compatible servers stream: the last chunk gives a finish reason, then [DONE]
            body = "".join(sse_chunk(c, "stop" if i == len(REPLY) - 1 else None) for i, c in enumerate(REPLY))
            self._send(200, body + "data: [DONE]\n\n", "text/event-stream")


REPLY = ["Mentorship ", "matters [1]. ", "What would change your mind?"]


def sse_chunk(text: str, finish_reason: str | None = None) -> str:
    return "data: " + json.dumps({
        "id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": text}, "finish_reason": finish_reason}],
    }) + "\n\n"


@pytest.fixture
def server():
    Handler.mode = "ok"
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def endpoint_settings(base_url: str):
    """An OpenAI-compatible endpoint at `base_url`, with a key that must never leak."""
    return make_settings(Path(os.environ["ADVISOR_HOME"]), provider="openai", model={
        "base_url": base_url, "api_key": SecretStr(FAKE_KEY), "name": "test-model",
        "timeout_s": 0.8, "max_retries": 0,
    })


def free_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def stream_error(settings) -> str:
    from langchain_core.messages import HumanMessage

    client = ModelClient(settings)
    with pytest.raises(ModelError) as info:
        list(client.stream([HumanMessage("hi")]))
    return info.value.message


@pytest.mark.parametrize("mode, expected", [
    ("401", "rejected the API key (401)"),
    ("404", "does not know model 'test-model' (404)"),
    ("429", "rate limiting requests (429)"),
    ("slow", "did not answer within 0.8s (timeout)"),
    ("garbage", "malformed response"),
    ("cut json", "malformed response"),
    ("cut stream", "cut off"),
])
def test_endpoint_faults_are_one_clear_line_without_the_key(advisor_env, server, mode, expected):
    Handler.mode = mode
    msg = stream_error(endpoint_settings(f"http://127.0.0.1:{server.server_port}/v1"))
    assert expected in msg
    assert FAKE_KEY not in msg and FAKE_KEY[-12:] not in msg
    assert "\n" not in msg and "Traceback" not in msg


def test_refused_connection(advisor_env):
    msg = stream_error(endpoint_settings(f"http://127.0.0.1:{free_port()}/v1"))
    assert "cannot reach the model endpoint" in msg and FAKE_KEY not in msg


def test_session_survives_a_fault_and_retries(advisor_env, server):
    settings = endpoint_settings(f"http://127.0.0.1:{server.server_port}/v1")
    store = JournalStore.open(settings.journal_path)
    try:
        session = Session.start(store, settings, "lab or independent", retriever=FakeRetriever())
        list(session.opening())
        list(session.send("/stage explore"))
        Handler.mode = "401"
        out = list(session.send("My key is not your business. Should I join a lab?"))
        errors = [c for c in out if isinstance(c, ErrorEvent)]
        assert len(errors) == 1 and "401" in errors[0].text and "/retry" in errors[0].text
        assert errors[0].retryable and errors[0].error is ModelError
        turns = SessionStore(store).turns(session.id)
        assert turns[-2].role == "user" and "Should I join a lab?" in turns[-2].content
        assert turns[-1].status == "error"
        Handler.mode = "ok"
        out = list(session.retry())
        streamed = "".join(c.text for c in out if isinstance(c, TextDelta))
        assert streamed == "Mentorship matters [1]. What would change your mind?"
        advisor_turn = SessionStore(store).turns(session.id)[-1]
        assert advisor_turn.role == "advisor" and advisor_turn.citations[0].title == "Lab roles"
        everything = export_markdown(session.record, session.turns()) + json.dumps(
            [t.model_dump(mode="json") for t in session.turns()])
        assert FAKE_KEY not in everything
        db_bytes = settings.journal_path.read_bytes()
        assert FAKE_KEY.encode() not in db_bytes
    finally:
        store.close()


def test_redact_masks_keys_and_bearer_tokens(advisor_env):
    s = endpoint_settings("http://x/v1")
    assert redact(f"key={FAKE_KEY}", s) == "key=****"
    assert redact("Authorization: Bearer abcdefghijklmnop") == "Authorization: Bearer ****"
    assert FAKE_KEY not in repr(s) and FAKE_KEY not in json.dumps(s.public_dict())


def test_a_cut_stream_is_kept_as_partial_shown_cut_off_and_exits_non_zero(cli, server):
    """A reply whose stream ends mid-way (no finish reason, no [DONE]) is not an answer: `ask`
    prints what came, says it was cut off, exits non-zero, and the turn is stored as partial."""
    Handler.mode = "cut stream"
    env = {"ADVISOR_MODEL__PROVIDER": "openai", "ADVISOR_MODEL__BASE_URL": f"http://127.0.0.1:{server.server_port}/v1",
           "ADVISOR_MODEL__API_KEY": FAKE_KEY, "ADVISOR_MODEL__MAX_RETRIES": "0", "ADVISOR_UI__AUTO_INDEX": "false",
           "ADVISOR_KNOWLEDGE__CURATED_DIR": str(Path(os.environ["ADVISOR_HOME"]).parent / "no-cards")}
    res = cli("ask", "Should I join a lab or stay independent?", env=env)
    assert res.code == 4, res.err
    assert "Mentorship matters [1]." in res.out
    assert "cut off" in res.err and "Traceback" not in res.err and FAKE_KEY not in res.err
    store = JournalStore.open(Path(os.environ["ADVISOR_HOME"]) / "journal.db")
    try:
        turns = SessionStore(store).turns(SessionStore(store).list()[0].id)
    finally:
        store.close()
    advisor_turns = [t for t in turns if t.role == "advisor"]
    assert [t.status for t in advisor_turns] == ["partial"]
    assert advisor_turns[0].content == "Mentorship matters [1]. "
    Handler.mode = "ok"  # a whole reply (finish reason, then [DONE]) is an answer, stored as ok
    res = cli("ask", "And what would change my mind?", env=env)
    assert res.code == 0, res.err

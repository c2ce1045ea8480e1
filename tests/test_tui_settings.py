"""The settings screen: the local model's file is a field, and "Test connection" sends one short
request to the model the form names (saved or not), reporting the model's name, its context window
and the latency, or the exact failure."""

from __future__ import annotations

import asyncio
import socket
import tomllib
from pathlib import Path
from typing import Any

import pytest
from fakes import make_app
from support import make_settings
from textual.widgets import Input, Static

pytestmark = pytest.mark.usefixtures("advisor_env")


async def settle(app: Any, pilot: Any, seconds: float = 120) -> None:
    await pilot.pause()
    await asyncio.wait_for(app.workers.wait_for_complete(), seconds)
    await pilot.pause()


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


async def test_the_local_model_file_is_saved_from_its_field(tmp_path: Path, advisor_env: dict) -> None:
    gguf = tmp_path / "qwen2.5-1.5b-instruct-q4_k_m.gguf"
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("comma")
        await pilot.pause()
        app.screen.query_one("#set-provider").value = "local"
        app.screen.query_one("#set-local-path", Input).focus()
        await pilot.pause()
        await pilot.press(*str(gguf))
        await pilot.press("ctrl+s")
        await pilot.pause()
        config = tomllib.loads(Path(advisor_env["ADVISOR_CONFIG"]).read_text())
        assert config["local"]["model_path"] == str(gguf) and config["model"]["provider"] == "local"
        assert app.settings.local.model_path == gguf
        assert "qwen2.5-1.5b-instruct-q4_k_m (local, offline)" in str(
            app.screen.query_one("#model-indicator", Static).render())


async def test_test_connection_reports_the_exact_failure(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    url = f"http://127.0.0.1:{closed_port()}/v1"
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("comma")
        await pilot.pause()
        app.screen.query_one("#set-provider").value = "openai"
        app.screen.query_one("#set-base-url", Input).value = url
        await pilot.press("ctrl+t")  # the form's values, not saved
        await settle(app, pilot)
        line = str(app.screen.query_one("#set-test-result", Static).render())
        assert line.startswith("✗ cannot reach the model endpoint " + url)
        assert "ConnectionRefusedError" in line and "Connection refused" in line
        assert app.settings.model.provider == "guide"  # testing saved nothing


async def test_test_connection_in_guide_mode_says_there_is_nothing_to_test(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("comma")
        await pilot.pause()
        app.screen.query_one("#set-provider").value = "guide"
        await pilot.press("ctrl+t")
        await settle(app, pilot)
        assert "no model to test" in str(app.screen.query_one("#set-test-result", Static).render())


@pytest.mark.slow
async def test_test_connection_with_the_real_local_model(tmp_path: Path) -> None:
    """The embedded SmolLM2 served by xllamacpp: its name, the context window its server reports
    (local.context_tokens, 2048 here) and how long the request took."""
    settings = make_settings(tmp_path / "home", provider="guide", local={"threads": 2, "context_tokens": 2048})
    app = make_app(tmp_path, settings=settings)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(app, pilot)
        await pilot.press("comma")
        await pilot.pause()
        app.screen.query_one("#set-provider").value = "local"
        await pilot.press("ctrl+t")
        await settle(app, pilot, 300)
        line = str(app.screen.query_one("#set-test-result", Static).render())
        assert line.startswith("✓ SmolLM2-135M-Instruct"), line
        assert "context window 2,048 tokens (reported by the endpoint)" in line
        seconds = float(line.split(" answered in ")[1].split(" s ")[0])
        assert 0 < seconds < 300

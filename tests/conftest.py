"""Shared fixtures: a private ADVISOR_HOME and config per test, and a way to run the real CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@dataclass
class CliResult:
    code: int
    out: str
    err: str


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

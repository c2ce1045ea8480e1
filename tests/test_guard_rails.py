"""The project's guard rails run with the tests (and so in CI): the layer contract, lint, strict types.

- import-linter: journal < knowledge < session < history < cli/tui, and the core never imports Textual or a UI.
- ruff: the rule set in pyproject.toml over advisor/, tests/ and bench/.
- mypy --strict over the core packages (advisor/journal, advisor/knowledge, advisor/session, advisor/history).
Each reports what it found, so a failure here says exactly which file and line to fix.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(args, cwd=REPO, capture_output=True, text=True, env=env, timeout=240)


def test_layers_and_the_ui_free_core_hold():
    proc = _run([str(BIN / "lint-imports"), "--no-cache"])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "2 kept, 0 broken" in proc.stdout


def test_ruff_finds_nothing():
    proc = _run([sys.executable, "-m", "ruff", "check", "--no-cache", "advisor", "tests", "bench"])
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_core_is_strictly_typed(tmp_path: Path):
    proc = _run([sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")])
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues found" in proc.stdout

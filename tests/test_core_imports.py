"""The domain core loads without the UI: importing it must not pull in Textual or the CLI."""

from __future__ import annotations

import subprocess
import sys

import pytest

CORE_MODULES = ["advisor.journal", "advisor.journal.transfer", "advisor.journal.calibration", "advisor.settings"]


@pytest.mark.parametrize("module", [*CORE_MODULES, "advisor.knowledge", "advisor.session", "advisor.history.search",
                                    "advisor.history.backup"])
def test_core_module_imports_without_textual_or_cli(module):
    code = (
        "import importlib, sys\n"
        f"try:\n    importlib.import_module({module!r})\n"
        "except ModuleNotFoundError as exc:\n"
        f"    if exc.name == {module!r}: print('ABSENT'); raise SystemExit(0)\n    raise\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual' or m.startswith('advisor.cli') or m.startswith('advisor.tui'))\n"
        "print('LOADED', bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    if out.startswith("ABSENT"):
        pytest.skip(f"{module} is not written yet")
    assert out.strip() == "LOADED []"


def test_cli_startup_stays_light():
    """`advisor journal ...` must not import the heavy stack (chromadb, langchain, onnxruntime)."""
    code = (
        "import sys\nfrom advisor.cli.main import build_parser\nbuild_parser()\n"
        "import advisor.journal.store\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'chromadb', 'langchain_core', 'onnxruntime', 'textual', 'openai'})\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"

"""The built wheel works on its own: installed into a fresh venv, run from outside the repository,
`advisor cards` and `advisor kb search` read the cards shipped inside the installed package.

The rest of the suite runs from the source tree; this is the one test of the installed layout.
Offline: the wheel is built without build isolation (setuptools comes from the test extras), and
the fresh venv borrows this venv's installed dependencies through a .pth file.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from support import REPO

DATA = REPO / "advisor" / "data"
FIELD_Q = "what do members of a research field share?"


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kwargs)
    assert proc.returncode == 0, f"{cmd}\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of what the build reads, so no build/ or egg-info lands in the checkout."""
    src = tmp_path_factory.mktemp("wheel-src")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO / name, src / name)
    shutil.copytree(REPO / "advisor", src / "advisor", ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index",
          "-w", str(dist), str(src)])
    (built,) = dist.glob("advisor-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheel: Path) -> Path:
    """A fresh venv holding only the wheel; its dependencies are this venv's (via a .pth file)."""
    root = tmp_path_factory.mktemp("venv")
    _run([sys.executable, "-m", "venv", "--without-pip", str(root)])
    python = root / "bin" / "python"
    # installed first: with this venv's packages in view, pip would find advisor already installed
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", "--no-index",
          str(wheel)])
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    assert Path(purelib, "advisor", "__init__.py").is_file()
    # appended after the venv's own site-packages, so the wheel's advisor shadows any advisor here
    Path(purelib, "_test_venv_dependencies.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    return root


@pytest.fixture
def user_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ADVISOR_", "PYTHON")) and k != "OPENAI_API_KEY"}
    env.update(ADVISOR_HOME=str(tmp_path / "home"), ADVISOR_CONFIG=str(tmp_path / "config.toml"),
               XDG_DATA_HOME=str(tmp_path / "xdg-data"), XDG_CONFIG_HOME=str(tmp_path / "xdg-config"))
    return env


def test_the_wheel_ships_every_card_and_prompt_and_the_license(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {p.relative_to(REPO).as_posix() for p in DATA.rglob("*") if p.is_file()}
    assert any(n.startswith("advisor/data/knowledge/") for n in shipped)
    assert any(n.startswith("advisor/data/prompts/stages/") for n in shipped)
    assert shipped <= names, sorted(shipped - names)
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert not any(n.startswith(("knowledge/", "prompts/", "advisor_data/", "tests/")) for n in names)


def test_the_installed_advisor_lists_cards_and_searches_its_own_copy(venv: Path, user_env, tmp_path: Path):
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    assert not cwd.resolve().is_relative_to(REPO.resolve())
    where = _run([str(venv / "bin" / "python"), "-c", "import advisor; print(advisor.__file__)"],
                 cwd=cwd, env=user_env).stdout.strip()
    assert Path(where).resolve().is_relative_to(venv.resolve()), where

    advisor = str(venv / "bin" / "advisor")
    cards = _run([advisor, "cards"], cwd=cwd, env=user_env).stdout
    listed = {line.rsplit("(", 1)[1].rstrip(")") for line in cards.splitlines() if line.strip()}
    in_repo = {p.relative_to(REPO / "knowledge").as_posix() for p in (REPO / "knowledge").rglob("*.md")
               if p.name != "README.md"}
    assert listed == in_repo
    assert "What a research field is  (strategy/what-is-a-research-field.md)" in cards

    plain = _run([advisor, "kb", "search", FIELD_Q], cwd=cwd, env=user_env).stdout
    assert plain.startswith("1. What a research field is [card] § A field is a community")
    assert str(venv) not in plain  # a card is cited by its place among the cards, not where it is installed
    hits = json.loads(_run([advisor, "kb", "search", FIELD_Q, "--json", "-k", "3"], cwd=cwd, env=user_env).stdout)
    top = hits[0]
    assert top["kind"] == "curated" and top["title"] == "What a research field is"
    assert top["source"] == "strategy/what-is-a-research-field.md"
    # what was indexed is the installed copy of the cards, not the repository's
    status = json.loads(_run([advisor, "kb", "status", "--json"], cwd=cwd, env=user_env).stdout)
    indexed = Path(next(s["path"] for s in status if s["source_id"] == "curated:" + top["source"])).resolve()
    assert indexed.is_file() and indexed.as_posix().endswith("advisor/data/knowledge/strategy/what-is-a-research-field.md")
    assert indexed.is_relative_to(venv.resolve()) and not indexed.is_relative_to(REPO.resolve())
    assert Path(user_env["ADVISOR_HOME"], "index").is_dir()  # the index went to the private home

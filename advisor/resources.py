"""Where the shipped curated knowledge (`knowledge/`) and prompts (`prompts/`) live.

In a source checkout or an editable install they are the top-level folders of the repository;
in a wheel they are installed as the data packages `advisor_data/knowledge` and `advisor_data/prompts`.
"""

from __future__ import annotations

from pathlib import Path


def _find(name: str) -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / name, here.parent / "advisor_data" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"advisor's {name}/ folder is missing from this installation")


def knowledge_dir() -> Path:
    """The curated knowledge cards shipped with advisor."""
    return _find("knowledge")


def prompts_dir() -> Path:
    """The prompt files shipped with advisor."""
    return _find("prompts")

"""Where the shipped curated knowledge cards and prompts live: package data under `advisor/data/`.

They are read through `importlib.resources`, so a source checkout, an editable install and an
installed wheel all find them the same way. (The repository's top-level `knowledge/` and
`prompts/` are links to these folders, for people who read and edit them.) Callers get real
filesystem paths because indexing and Chroma need them.
"""

from __future__ import annotations

import atexit
import contextlib
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

_extracted = contextlib.ExitStack()  # holds folders extracted from a zipped install until exit
atexit.register(_extracted.close)


@cache
def _data_dir(name: str) -> Path:
    resource = files("advisor") / "data" / name
    if not resource.is_dir():
        raise FileNotFoundError(f"advisor's {name}/ folder is missing from this installation")
    return _extracted.enter_context(as_file(resource))  # a plain install: the folder itself


def knowledge_dir() -> Path:
    """The curated knowledge cards shipped with advisor."""
    return _data_dir("knowledge")


def prompts_dir() -> Path:
    """The prompt files shipped with advisor."""
    return _data_dir("prompts")


def eval_dir() -> Path:
    """The probe set `advisor eval` runs."""
    return _data_dir("eval")

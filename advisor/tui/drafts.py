"""Unsent chat text and half-filled forms, kept in one small JSON file under ADVISOR_HOME.

Closing the app mid-form (or mid-reply) loses nothing typed: every change is written at once
(atomically, 0600) and restored the next time the same form opens.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

DRAFTS_FILE = "tui-drafts.json"


class Drafts:
    """Key → JSON-able value, persisted on every change."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, Any] = {}
        if path is not None and path.exists():
            import json

            try:
                loaded = json.loads(path.read_text(encoding="utf-8"))
                if isinstance(loaded, dict):
                    self._data = loaded
            except (OSError, ValueError):
                self._data = {}

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def set(self, key: str, value: Any) -> None:
        empty = value in (None, "", {}, []) or (
            isinstance(value, dict) and not any(v not in (None, "") for v in value.values())
        )
        with self._lock:
            if empty:
                if key not in self._data:
                    return
                self._data.pop(key, None)
            else:
                if self._data.get(key) == value:
                    return
                self._data[key] = value
            self._write()

    def clear(self, key: str) -> None:
        self.set(key, None)

    def keys(self) -> list[str]:
        return list(self._data)

    def _write(self) -> None:
        if self.path is None:
            return
        import json

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            tmp = self.path.with_name("." + self.path.name + ".tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self._data, fh, ensure_ascii=False, indent=1)
            os.replace(tmp, self.path)
        except OSError:
            pass  # a draft that cannot be saved must never break the UI

"""The TOML config file: read it, and change settings in it safely (validated first, written atomically, 0600).

Shared by `advisor config set/unset` and the TUI's settings screen.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from advisor.errors import UsageError
from advisor.private import private_dir
from advisor.settings import Settings, default_config_file

SECTIONS = ("model", "local", "knowledge", "ui")


def read_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML ({exc}); fix or remove it") from None


def split_key(key: str) -> tuple[str | None, str]:
    """`model.base_url` → ("model", "base_url"); `home` → (None, "home"); unknown keys refused."""
    parts = key.split(".")
    if len(parts) == 1 and parts[0] in Settings.model_fields and parts[0] not in SECTIONS:
        return None, parts[0]
    if len(parts) == 2:
        info = Settings.model_fields.get(parts[0])
        sub = getattr(info.annotation, "model_fields", None) if info else None
        if sub and parts[1] in sub:
            return parts[0], parts[1]
    raise UsageError(f"unknown setting {key!r} (see `advisor config show`)")


def update_config(values: dict[str, Any], path: Path | None = None) -> Path:
    """Set (or, with None, remove) `{"section.field": value}` in the config file, all or nothing.

    The file is edited with tomlkit, so the user's comments, key order and formatting survive.
    """
    import tomlkit

    path = path or default_config_file()
    doc = _load_document(path)
    for key, value in values.items():
        section, field = split_key(key)
        if value is None:
            table = doc.get(section) if section else doc
            if table is not None and field in table:
                del table[field]
                if section and _is_empty(table):
                    del doc[section]
            continue
        if section and section not in doc:
            doc[section] = tomlkit.table()
        (doc[section] if section else doc)[field] = _typed(section, field, value)
    _validate(doc.unwrap())  # refuse what the settings model would reject, before writing anything
    _write(path, tomlkit.dumps(doc))
    return path


def _load_document(path: Path) -> Any:
    import tomlkit
    from tomlkit.exceptions import ParseError

    if not path.exists():
        return tomlkit.document()
    try:
        return tomlkit.parse(path.read_text(encoding="utf-8"))
    except (ParseError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML ({exc}); fix or remove it") from None


def _is_empty(table: Any) -> bool:
    """No settings left and no comment of the user's: the section header can go too."""
    from tomlkit.items import Comment

    return not table and not any(isinstance(item, Comment) for _, item in table.value.body)


def _typed(section: str | None, field: str, value: Any) -> Any:
    """A number or true/false typed as text is stored as one (`top_k = 8`, not `top_k = "8"`);
    anything else, or a value the field would refuse, is kept as text for `_validate` to judge."""
    from pydantic import TypeAdapter

    model: Any = Settings if section is None else Settings.model_fields[section].annotation
    try:
        typed = TypeAdapter(model.model_fields[field].annotation).validate_python(value)
    except (ValidationError, KeyError, AttributeError):
        typed = value
    return typed if isinstance(typed, (bool, int, float)) else str(value)


def _validate(data: dict[str, Any]) -> None:
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise UsageError(f"bad value for {where}: {err.get('msg')}") from None


def _write(path: Path, text: str) -> None:
    try:
        private_dir(path.parent, fix_existing=False)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # it may hold an API key
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write config file {path}: {exc.strerror or exc}") from None

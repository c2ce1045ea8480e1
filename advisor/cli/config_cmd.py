"""`advisor config show|set|unset|path`: see and change settings (secrets are never printed)."""

from __future__ import annotations

import argparse
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from advisor.cli.common import print_json
from advisor.errors import UsageError
from advisor.settings import Settings, default_config_file, load_settings


def register(sub: argparse._SubParsersAction) -> None:
    group = sub.add_parser("config", help="show or change settings")
    csub = group.add_subparsers(dest="config_command", metavar="SUBCOMMAND")

    show = csub.add_parser("show", help="every setting in force (secrets masked)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=cmd_show)

    set_ = csub.add_parser("set", help="write a setting to the config file, e.g. model.provider local")
    set_.add_argument("key", help="section.field, e.g. model.base_url")
    set_.add_argument("value")
    set_.set_defaults(func=cmd_set)

    unset = csub.add_parser("unset", help="remove a setting from the config file")
    unset.add_argument("key")
    unset.set_defaults(func=cmd_unset)

    path = csub.add_parser("path", help="where the config file is")
    path.set_defaults(func=lambda args: print(default_config_file()) or 0)


def cmd_show(args: argparse.Namespace) -> int:
    data = load_settings().public_dict()
    if args.json:
        print_json(data)
        return 0
    print(f"# config file: {data.pop('config_file')}")
    for key, value in _flatten(data):
        print(f"{key} = {json.dumps(value)}")
    return 0


def _flatten(data: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    out = []
    for key, value in data.items():
        if isinstance(value, dict):
            out.extend(_flatten(value, f"{prefix}{key}."))
        else:
            out.append((f"{prefix}{key}", value))
    return out


def _read_config(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML ({exc}); fix or remove it") from None


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(str(value), ensure_ascii=False)  # a TOML basic string


def _write_config(path: Path, data: dict[str, Any]) -> None:
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for section, values in data.items():
        if isinstance(values, dict) and values:
            lines.append("")
            lines.append(f"[{section}]")
            lines.extend(f"{k} = {_toml_value(v)}" for k, v in values.items())
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(path.name + ".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write("\n".join(lines).lstrip("\n") + "\n")
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(f"cannot write config file {path}: {exc.strerror or exc}") from None


def _split_key(key: str) -> tuple[str | None, str]:
    parts = key.split(".")
    if len(parts) == 1:
        field = parts[0]
        if field not in Settings.model_fields or field in ("model", "local", "knowledge", "ui"):
            raise UsageError(f"unknown setting {key!r} (see `advisor config show`)")
        return None, field
    if len(parts) != 2:
        raise UsageError(f"unknown setting {key!r} (see `advisor config show`)")
    section, field = parts
    info = Settings.model_fields.get(section)
    sub = getattr(info.annotation, "model_fields", None) if info else None
    if not sub or field not in sub:
        raise UsageError(f"unknown setting {key!r} (see `advisor config show`)")
    return section, field


def cmd_set(args: argparse.Namespace) -> int:
    section, field = _split_key(args.key)
    path = default_config_file()
    data = _read_config(path)
    value: Any = args.value
    candidate = json.loads(json.dumps(data))
    target = candidate.setdefault(section, {}) if section else candidate
    target[field] = value
    _check(candidate)  # refuse values the settings model would reject, before writing anything
    _write_config(path, candidate)
    shown = "(hidden)" if field == "api_key" else args.value
    print(f"{args.key} = {shown}  (in {path})")
    return 0


def cmd_unset(args: argparse.Namespace) -> int:
    section, field = _split_key(args.key)
    path = default_config_file()
    data = _read_config(path)
    target = data.get(section, {}) if section else data
    if field not in target:
        print(f"{args.key} is not set in {path}")
        return 0
    del target[field]
    if section and not target:
        del data[section]
    _write_config(path, data)
    print(f"{args.key} removed from {path}")
    return 0


def _check(data: dict[str, Any]) -> None:
    from pydantic import ValidationError

    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err.get("loc", ()))
        raise UsageError(f"bad value for {where}: {err.get('msg')}") from None

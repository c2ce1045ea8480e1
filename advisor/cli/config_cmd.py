"""`advisor config show|set|unset|path`: see and change settings (secrets are never printed)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from advisor.cli.common import print_json
from advisor.paths import default_config_file

# The settings and the config file's editor (pydantic, tomlkit) load in the commands that use them.


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
    from advisor.settings import load_settings

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


def cmd_set(args: argparse.Namespace) -> int:
    from advisor.config_file import update_config

    path = update_config({args.key: args.value})
    shown = "(hidden)" if args.key.endswith(("api_key", "token")) else args.value
    print(f"{args.key} = {shown}  (in {path})")
    return 0


def cmd_unset(args: argparse.Namespace) -> int:
    from advisor.config_file import split_key, update_config
    from advisor.paths import read_config_file

    section, field = split_key(args.key)
    path = default_config_file()
    current = read_config_file(path)
    if field not in (current.get(section, {}) if section else current):
        print(f"{args.key} is not set in {path}")
        return 0
    update_config({args.key: None}, path)
    print(f"{args.key} removed from {path}")
    return 0

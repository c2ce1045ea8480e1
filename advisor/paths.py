"""Where advisor keeps its data and its config file, found without building the settings.

`advisor.settings` (pydantic-settings) is the one place settings are defined and read. Building
them costs more than a short command like `advisor journal list` should pay, and such a command
needs only the data directory; `configured_home()` finds it the way the settings would (the
environment, then the config file's `home`, then the XDG default). Tests hold the two in step.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from advisor.errors import AdvisorError, StorageError, UsageError

HOME_ENV = "ADVISOR_HOME"
JOURNAL_FILE = "journal.db"


def default_home() -> Path:
    """The XDG data directory: where the journal, notes and index live."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "advisor"


def default_config_file() -> Path:
    """`ADVISOR_CONFIG` if set, else the XDG config directory's `advisor/config.toml`."""
    explicit = os.environ.get("ADVISOR_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "advisor" / "config.toml"


def configured_home() -> Path:
    """The data directory the settings would use: `ADVISOR_HOME` (any case, as pydantic-settings
    matches it), else `home` in the config file, else `default_home()`. A config file that is not
    valid TOML is refused here as it is by the settings."""
    config = read_config_file(default_config_file())
    for name, value in os.environ.items():
        if name.upper() == HOME_ENV:
            return Path(value).expanduser()
    if isinstance(config.get("home"), str):
        return Path(config["home"]).expanduser()
    return default_home()


def read_config_file(path: Path) -> dict[str, Any]:
    """The config file's contents ({} when there is none); one clear line when it cannot be read."""
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML ({exc}); fix or remove it") from None
    except OSError as exc:
        raise AdvisorError(f"cannot read config file {path}: {exc.strerror or exc}") from None


def ensure_data_dir(home: Path) -> Path:
    """Create the data directory (0700) or raise one clear line saying why it cannot be used."""
    try:
        home.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not os.access(home, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StorageError(f"cannot use data directory {home} (ADVISOR_HOME): {reason}") from None
    return home

"""Where advisor keeps its data and its config file, found without building the settings.

`advisor.settings` (pydantic-settings) is the one place settings are defined and read. Building
them costs more than a short command like `advisor journal list` should pay, and such a command
needs only the data directory; `configured_home()` finds it the way the settings would (the
environment, then the config file's `home`, then the XDG default). Tests hold the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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


def configured_theme() -> str | None:
    """The theme the settings would use (`ADVISOR_UI__THEME`, any case, else `ui.theme` in the
    config file), read without them, so the TUI's first frame is already in the user's theme."""
    for name, value in os.environ.items():
        if name.upper() == "ADVISOR_UI__THEME":
            return value
    ui = read_config_file(default_config_file()).get("ui")
    theme = ui.get("theme") if isinstance(ui, dict) else None
    return theme if isinstance(theme, str) else None


def read_config_file(path: Path) -> dict[str, Any]:
    """The config file's contents ({} when there is none); one clear line when it cannot be read."""
    if not path.is_file():
        return {}
    import tomllib  # here, not at the top: without a config file Home's first frame does without it (~5 ms)

    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"config file {path} is not valid TOML ({exc}); fix or remove it") from None
    except OSError as exc:
        raise AdvisorError(f"cannot read config file {path}: {exc.strerror or exc}") from None


def ensure_data_dir(home: Path, warn: Callable[[str], None] | None = None) -> Path:
    """Create the data directory (0700, and its missing parents too) or raise one clear line
    saying why it cannot be used. From here on this process writes private files (umask 0077);
    the folders advisor keeps in the home are made 0700 and the journal 0600, and a home that
    others can read gets a warning (through `warn`; default: a line on stderr)."""
    from advisor import private

    private.use_private_umask()
    try:
        private.private_dir(home, fix_existing=False)
        if not os.access(home, os.W_OK | os.X_OK):
            raise PermissionError(13, "Permission denied")
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise StorageError(f"cannot use data directory {home} (ADVISOR_HOME): {reason}") from None
    for folder in (home / "notes", home / "index"):
        if folder.is_dir():
            private.private_dir(folder)
    private.private_sqlite(home / JOURNAL_FILE)
    problem = private.exposure(home)
    if problem and _not_said_today(home, problem):
        warn_once(problem, warn)
    return home


EXPOSURE_NOTE = ".exposure-warned"  # in the home: the last exposure warning given, to give it once a day
EXPOSURE_EVERY_S = 24 * 3600


def _not_said_today(home: Path, problem: str) -> bool:
    """True (and noted in the home) when this warning was not given in the last day: a home the
    user chose to leave readable should not repeat the same line on every command."""
    import time

    note = home / EXPOSURE_NOTE
    try:
        if note.read_text(encoding="utf-8") == problem and time.time() - note.stat().st_mtime < EXPOSURE_EVERY_S:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    try:
        note.write_text(problem, encoding="utf-8")
    except OSError:
        pass  # cannot note it: say it every time rather than never
    return True


_WARNED: set[str] = set()  # the warnings given by this process: each is given once


def warn_once(message: str, warn: Callable[[str], None] | None = None) -> None:
    """Give a warning (through `warn`; default: a line on stderr) unless it was given already."""
    if message in _WARNED:
        return
    _WARNED.add(message)
    if warn is not None:
        warn(message)
    else:
        import sys

        sys.stderr.write(f"advisor: warning: {message}\n")

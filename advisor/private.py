"""What advisor writes is the user's alone: folders 0700 and files 0600, whatever the umask.

The journal, notes and index hold private thoughts. `ensure_home` (settings.py) sets the process
umask to 0077, which covers every file a library writes for us (SQLite's -wal/-shm, Chroma's
segments); the helpers here also set the modes explicitly, so a store opened without it, or a
file left 0644 by an older version, ends up private too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


def use_private_umask() -> None:
    """Files and folders this process creates from now on are private (0600/0700)."""
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path, *, fix_existing: bool = True) -> Path:
    """Create `path` and any missing parents 0700 (Path.mkdir gives parents the umask's mode);
    an existing `path` is made 0700 too unless `fix_existing` is False (a folder the user chose)."""
    missing: list[Path] = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=DIR_MODE)
        except FileExistsError:  # made by a concurrent command meanwhile
            pass
        _chmod(folder, DIR_MODE)
    if fix_existing:
        _chmod(path, DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Make sure `path` exists and is 0600 (before SQLite opens it: its -wal and -shm files take
    the database file's mode). Missing folders above it are made 0700; existing ones are left."""
    private_dir(path.parent, fix_existing=False)
    # Only a missing file is opened (to create it). Opening and closing a file that this process
    # already has open in SQLite drops every POSIX lock the process holds on it: another process
    # then takes itself for the journal's last user, checkpoints and deletes the -wal file under
    # the open connection, and the journal ends up "malformed" (sqlite.org/howtocorrupt.html 2.2).
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        pass
    else:
        os.close(fd)
    _chmod(path, FILE_MODE)
    return path


def private_sqlite(path: Path) -> None:
    """A SQLite file and the side files it has now, 0600."""
    for p in (path, *(path.with_name(path.name + s) for s in SQLITE_SIDE_FILES)):
        if p.exists():
            _chmod(p, FILE_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write a whole file, created 0600."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    _chmod(path, FILE_MODE)


def exposure(folder: Path) -> str | None:
    """A warning when others than the owner can read or enter `folder`, else None."""
    try:
        mode = stat.S_IMODE(folder.stat().st_mode)
    except OSError:
        return None
    if not mode & 0o077:
        return None
    return (f"data directory {folder} can be read by other users (mode {mode:04o}); "
            f"your files in it are private, but `chmod 700 {folder}` hides their names too")


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            os.chmod(path, mode)
    except OSError:  # not ours to change (a shared parent): its contents still are private
        pass

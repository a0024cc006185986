"""Files flowengine creates that hold data (the SQLite database, the session key, exports): owner-only.

Each is created with mode 0600 (and its folder, when flowengine creates it, 0700), whatever the process's
umask, so that another account on the host cannot read a database, a key or an export of the audit trail.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, Any

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700


def private_dir(path: Path) -> None:
    """Create ``path`` (and missing parents) readable by the owner only; an existing folder is left as is."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
        os.chmod(path, PRIVATE_DIR)  # mkdir's mode is masked by the umask


def touch_private(path: Path) -> None:
    """Create an empty owner-only file unless it exists (SQLite then opens it; its -wal and -shm take
    the database file's mode)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    os.close(fd)


def open_private(path: Path, mode: str = "w", **kwargs: Any) -> IO[Any]:
    """Open ``path`` for writing (truncated), owner-only even when it existed with a wider mode."""
    if mode not in ("w", "wb"):
        raise ValueError(f"open_private writes only, not {mode!r}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
    os.fchmod(fd, PRIVATE_FILE)
    return os.fdopen(fd, mode, **kwargs)


__all__ = ["open_private", "private_dir", "touch_private"]

"""One `motcua serve` per SQLite file: a second one would keep its own event stream (boards connected to it
miss the other's calls) and its own in-memory limits. The lock is an flock on `<database>.serve-lock`, held
for the life of the process and released by the kernel however it ends (kill -9 too)."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO


class AlreadyServed(Exception):
    def __init__(self, database: Path, holder: str) -> None:
        super().__init__(
            f"another `motcua serve` (pid {holder or '?'}) already serves {database}; stop it first, "
            "or use PostgreSQL to run several server processes"
        )


def hold_serve_lock(database: Path) -> IO[str]:
    """Take the lock or raise AlreadyServed; keep the returned file open while serving."""
    path = database.with_name(database.name + ".serve-lock")
    handle = path.open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip()
        handle.close()
        raise AlreadyServed(database, holder) from None
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    return handle

"""Page files stored by content: <root>/ab/cd/<sha256>. No path ever comes from a client.

Writes go to a temporary name in <root>/tmp and are renamed into place (atomic on one file system), so a
reader never sees half a file. Because the name is the hash, a file left behind by a transaction that
rolled back is harmless (it is the same bytes a retry would write) and `sweep_unreferenced` removes it.

Identical bytes share one file. An upload stores (or touches) its file before its row commits, so a purge
that finds no row for a file may be racing an upload of the same bytes: a file is deleted only if it was not
touched lately (`fresh_s`), and the check and the unlink happen under an exclusive lock on <root>/.lock that
`put` takes shared — so a file is either touched before the check (kept) or gone before `put` (rewritten).
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from queue_server.domain.errors import DomainError

_HASH = re.compile(r"^[0-9a-f]{64}$")
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# An upload's row commits within moments of its file being stored or touched; an hour is ample.
FRESH_S = 3600.0


class StorageFull(DomainError):
    """No room left for page files: the client may retry later; nothing was stored."""

    status_code = 507

    def __init__(self) -> None:
        super().__init__(
            "storage_full",
            "Máy chủ hết chỗ lưu giấy tờ; vui lòng báo cán bộ và thử lại sau.",
            "The server has no room left for documents; tell the staff and try again later.",
        )


def _fsync_folder(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class BlobStore:
    def __init__(self, root: Path, clock: Callable[[], datetime] | None = None) -> None:
        self.root = root
        # A file's time is the server's clock when it was stored or last touched (so a test's clock works).
        self._clock = clock

    def _now(self) -> float:
        return self._clock().timestamp() if self._clock is not None else time.time()

    def _touch(self, target: Path) -> None:
        now = self._now()
        os.utime(target, (now, now))

    @contextmanager
    def _locked(self, *, exclusive: bool) -> Iterator[None]:
        """Between processes and threads alike (flock belongs to each open file)."""
        self.root.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(self.root / ".lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(descriptor)  # releases the lock

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        with self._locked(exclusive=False):
            if target.exists() and target.stat().st_size == len(data):
                self._touch(
                    target
                )  # fresh again: a purge or sweep running now must not take it from a new row
                return digest
            try:
                self._write(target, data)
                self._touch(target)
            except OSError as error:
                if error.errno in _DISK_FULL:
                    raise StorageFull from error
                raise
        return digest

    def _write(self, target: Path, data: bytes) -> None:
        new_dirs = [d for d in (target.parent.parent, target.parent) if not d.exists()]
        target.parent.mkdir(parents=True, exist_ok=True)
        temp_dir = self.root / "tmp"
        temp_dir.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=temp_dir, prefix="upload-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temp_name, target)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise
        # The rename lives in the folder: without this a power cut can lose a file a committed row names.
        for folder in (*(d.parent for d in new_dirs), target.parent):
            _fsync_folder(folder)

    def path(self, digest: str) -> Path:
        if not _HASH.match(digest):
            raise ValueError("not a SHA-256 hex digest")
        return self.root / digest[:2] / digest[2:4] / digest

    def read(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def delete(self, digest: str, *, fresh_s: float = FRESH_S) -> bool:
        """Delete a file no committed row uses, unless an upload stored or touched it lately (its row may
        not be committed yet)."""
        path = self.path(digest)
        with self._locked(exclusive=True):
            try:
                if path.stat().st_mtime >= self._now() - fresh_s:
                    return False
            except FileNotFoundError:
                return False
            path.unlink()
        return True

    def hashes(self) -> Iterator[str]:
        if not self.root.exists():
            return
        for path in self.root.glob("??/??/*"):
            if _HASH.match(path.name):
                yield path.name

    def sweep_unreferenced(self, referenced: Iterable[str], *, older_than_s: float = 3600.0) -> int:
        """Delete stored files no row points at (and stale temp files), if older than `older_than_s`."""
        keep = set(referenced)
        limit = time.time() - older_than_s
        removed = 0
        for digest in list(self.hashes()):
            if digest not in keep and self.delete(digest, fresh_s=older_than_s):
                removed += 1
        temp_dir = self.root / "tmp"
        if temp_dir.exists():
            for leftover in temp_dir.iterdir():
                if leftover.stat().st_mtime < limit:
                    leftover.unlink(missing_ok=True)
        return removed

"""Page files stored by content: <root>/ab/cd/<sha256>. No path ever comes from a client.

Writes go to a temporary name in <root>/tmp and are renamed into place (atomic on one file system), so a
reader never sees half a file. Because the name is the hash, a file left behind by a transaction that
rolled back is harmless (it is the same bytes a retry would write) and `sweep_unreferenced` removes it.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from queue_server.domain.errors import DomainError

_HASH = re.compile(r"^[0-9a-f]{64}$")
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


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
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        target = self.path(digest)
        if target.exists() and target.stat().st_size == len(data):
            os.utime(target)  # fresh again: a sweep running now must not take it from a new row
            return digest
        try:
            self._write(target, data)
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

    def delete(self, digest: str) -> bool:
        path = self.path(digest)
        if not path.exists():
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
            path = self.path(digest)
            if digest not in keep and path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
                removed += 1
        temp_dir = self.root / "tmp"
        if temp_dir.exists():
            for leftover in temp_dir.iterdir():
                if leftover.stat().st_mtime < limit:
                    leftover.unlink(missing_ok=True)
        return removed

"""Issue 12, medium 11: a commit is on disk when it returns (SQLite synchronous=FULL), and a stored page file's
folder is synced too, so a power cut cannot take a file a committed row points at."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.fixtures.dossiers.helpers import page_jpeg, register, upload
from tests.security.conftest import sqlite_server
from tests.support import KIOSK, Server

FULL = 2  # PRAGMA synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)  # one process on its SQLite file (see tests/security/conftest.py)


def test_every_connection_of_a_running_server_commits_with_synchronous_full(
    server: Server, base: str
) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).status_code == 201
    with server.ctx.db.write() as session:  # the connection the writes share
        assert session.execute(text("PRAGMA synchronous")).scalar() == FULL
    with server.ctx.db.read() as session:
        assert session.execute(text("PRAGMA synchronous")).scalar() == FULL


@pytest.fixture
def synced(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, bool]]]:
    """Record every fsync: the path synced and whether it is a folder."""
    real = os.fsync
    calls: list[tuple[str, bool]] = []

    def recording(descriptor: int) -> None:
        calls.append((os.readlink(f"/proc/self/fd/{descriptor}"), stat.S_ISDIR(os.fstat(descriptor).st_mode)))
        real(descriptor)

    monkeypatch.setattr(os, "fsync", recording)
    yield calls


def test_an_uploaded_page_is_synced_with_its_folder(
    server: Server, base: str, synced: list[tuple[str, bool]]
) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        register(client)
        synced.clear()
        answer = upload(client, "GTCMCHO", [("trang-1.jpg", page_jpeg("durable", seed=7), "image/jpeg")])
    assert answer.status_code == 201, answer.text
    files = [path for path, is_folder in synced if not is_folder]
    folders = {Path(path) for path, is_folder in synced if is_folder}
    assert len(files) == 1
    stored_name = Path(files[0]).name
    store = server.services.cases.documents.store
    stored = next(path for path in store.root.glob("??/??/*") if path.is_file())
    assert stored_name.startswith("upload-")  # the temporary file, synced before its rename ...
    assert stored.parent in folders  # ... and the folder holding the renamed file, after it
    assert stored.parent.parent in folders  # the new folder's own entry too


def test_an_upload_on_a_full_disk_gets_a_json_507_and_stores_nothing(
    server: Server, base: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import queue_server.documents.storage as storage

    def onto_a_full_disk(dir: str, prefix: str) -> tuple[int, str]:
        # The kernel's /dev/full answers every write with ENOSPC, as a full disk does.
        return os.open("/dev/full", os.O_WRONLY), str(Path(dir) / f"{prefix}never-written")

    with httpx.Client(base_url=base, timeout=30) as client:
        register(client)
        monkeypatch.setattr(storage.tempfile, "mkstemp", onto_a_full_disk)
        answer = upload(client, "GTCMCHO", [("trang-1.jpg", page_jpeg("full", seed=3), "image/jpeg")])
        monkeypatch.undo()
        assert answer.status_code == 507, answer.text
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json()["code"] == "storage_full" and "hết chỗ" in answer.json()["message"]
        staff = server.login(client, "canbo1")
        listing = client.post(
            "/api/v1/citizens/documents", json={"personal_id": "001199004567"}, headers=staff
        )
        # Room again: the same upload goes through.
        again = upload(client, "GTCMCHO", [("trang-1.jpg", page_jpeg("full", seed=3), "image/jpeg")])
    assert listing.status_code == 200 and "GTCMCHO" not in listing.text
    assert again.status_code == 201, again.text

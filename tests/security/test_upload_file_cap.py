"""Issue 12, medium 6: each upload file has a cap (`max_file_mb`, 10 MB), but it was checked only after the
whole request had been read and spooled (up to the 40 MB request cap). Now the file is refused while it
streams in, as soon as it passes its cap: a JSON 413 naming the limit, the rest never read, nothing kept."""

from __future__ import annotations

import json
import os
import select
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from queue_server.tables.documents import Document
from tests.fixtures.dossiers.helpers import NHUNG_ID, page_jpeg, register
from tests.security.conftest import sqlite_server
from tests.support import KIOSK_KEY, Server, client_for

MB = 1024 * 1024
BOUNDARY = "----motcua-file-cap"
CHUNK = 256 * 1024


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)


def _multipart(file_size: int) -> tuple[bytes, bytes]:
    """The form of one paper whose one page file is `file_size` bytes: (everything before the file's
    bytes, everything after). The file starts as a real JPEG and goes on with padding."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="citizen_id"\r\n\r\n{NHUNG_ID}\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="type"\r\n\r\nGTCMCHO\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="trang-lon.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return head, f"\r\n--{BOUNDARY}--\r\n".encode()


def _answer_if_any(sock: socket.socket, wait_s: float) -> bytes:
    readable, _, _ = select.select([sock], [], [], wait_s)
    if not readable:
        return b""
    answer = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return answer
        answer += chunk
        if b"\r\n\r\n" in answer:
            head, _, body = answer.partition(b"\r\n\r\n")
            length = [
                int(x.split(b":")[1]) for x in head.split(b"\r\n") if x.lower().startswith(b"content-length")
            ]
            if length and len(body) >= length[0]:
                return answer


def _spooled_files_open() -> list[str]:
    """Deleted temporary files this process still holds open (Starlette spools uploads over 1 MB)."""
    found = []
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if "(deleted)" in target and not target.startswith("/memfd:"):
            found.append(target)
    return found


def test_a_file_over_its_cap_is_refused_while_it_streams_and_nothing_is_kept(
    server: Server, base: str
) -> None:
    with client_for(server) as client:
        register(client)
    spooled_before = _spooled_files_open()
    file_size = 25 * MB  # over the 10 MB file cap, under the 40 MB request cap
    head, tail = _multipart(file_size)
    jpeg = page_jpeg("TRANG RAT LON")
    body_size = len(head) + file_size + len(tail)
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=60) as sock:
        sock.sendall(
            (
                "POST /api/v1/documents HTTP/1.1\r\n"
                f"Host: {parts.hostname}\r\nX-Device-Key: {KIOSK_KEY}\r\n"
                f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                f"Content-Length: {body_size}\r\n\r\n"
            ).encode()
            + head
            + jpeg
        )
        sent = len(jpeg)
        while sent < 10 * MB + 2 * CHUNK:  # the cap and a little more
            sock.sendall(b"\x00" * CHUNK)
            sent += CHUNK
        # The server must answer now, with most of the file (and the request) still unsent.
        answer = _answer_if_any(sock, wait_s=60)
    assert answer, "no answer before the rest of the file was sent: the file is read to its end first"
    status = int(answer.split(b" ", 2)[1])
    payload = json.loads(answer.partition(b"\r\n\r\n")[2])
    assert status == 413, answer[:300]
    error = payload["error"]
    assert error["code"] == "file_too_large"
    assert "10 MB" in error["message_vi"] and "10 MB" in error["message_en"]
    assert "trang-lon.jpg" in error["message_vi"]
    assert error["details"]["limit_bytes"] == 10 * MB
    assert sent < body_size / 2

    store = server.services.cases.documents.store
    kept = [p for p in Path(store.root).rglob("*") if p.is_file() and p.name != ".lock"]
    assert kept == []
    with server.ctx.db.read() as session:
        assert session.query(Document).count() == 0
    assert _spooled_files_open() == spooled_before  # the spooled part was closed, its disk space freed


def test_a_file_under_its_cap_still_uploads(server: Server, base: str) -> None:
    import httpx

    with client_for(server) as client:
        register(client)
    jpeg = page_jpeg("TRANG BINH THUONG")
    with httpx.Client(base_url=base, timeout=60) as client:
        answer = client.post(
            "/api/v1/documents",
            data={"citizen_id": NHUNG_ID, "type": "GTCMCHO"},
            files=[("files", ("trang-1.jpg", jpeg, "image/jpeg"))],
            headers={"X-Device-Key": KIOSK_KEY},
        )
    assert answer.status_code == 201, answer.text

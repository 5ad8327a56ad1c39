"""A real server (uvicorn on a free port) on a fresh SQLite file, and a raw HTTP helper for the edge tests."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import Server, make_server, running_server


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return make_server(sqlite_url, ManualClock(T0))


@pytest.fixture
def base(server: Server) -> Iterator[str]:
    with running_server(server) as url:
        yield url


def send_head_only(base: str, head: str, *, timeout: float = 10.0) -> tuple[int, bytes]:
    """Send a request's head and none of its announced body; return the status and whatever came back.

    A server that answers before it has read a body answers this at once; one that waits for the body
    times out here (socket.timeout)."""
    parts = urlsplit(base)
    with socket.create_connection((parts.hostname, parts.port), timeout=timeout) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer or not _complete(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status = int(answer.split(b" ", 2)[1])
    return status, answer.split(b"\r\n\r\n", 1)[1]


def _complete(answer: bytes) -> bool:
    head, _, body = answer.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return len(body) >= int(line.split(b":")[1])
    return False

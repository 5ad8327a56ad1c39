"""Security tests: a server at T0 on SQLite and on PostgreSQL; a real server (uvicorn on a free port); a raw
HTTP helper and `motcua serve` in production mode for the edge tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import DEMO_CONFIG, ROOT, T0
from tests.support import Server, client_for, free_port, make_server, running_server, wait_for


@pytest.fixture
def server(database_url: str) -> Server:
    """Most security tests run on both databases; edge tests that need one override it with SQLite."""
    return make_server(database_url, ManualClock(T0))


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def sqlite_server(sqlite_url: str) -> Server:
    """For a module's own `server` fixture: findings about one process and its SQLite file."""
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


PRODUCTION_SECRET = "a-production-secret-for-the-security-tests-" + "s" * 20


def motcua(
    *args: str, database_url: str, check: bool = True, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The `motcua` command as an IT person runs it, on this database, in production mode."""
    done = subprocess.run(
        [sys.executable, "-m", "motcua", *args],
        capture_output=True,
        text=True,
        env=_production_env(database_url),
        cwd=ROOT,
        check=False,
        timeout=timeout,
    )
    if check:
        assert done.returncode == 0, done.stderr
    return done


def _production_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "MOTCUA_DEMO"}
    return {
        **env,
        "MOTCUA_DATABASE_URL": database_url,
        "MOTCUA_CONFIG_DIR": str(DEMO_CONFIG),
        "MOTCUA_SECRET": PRODUCTION_SECRET,
        "PYTHONPATH": str(ROOT),
    }


@contextmanager
def production_server(database_url: str) -> Iterator[str]:
    """`motcua serve` (no --demo) in a subprocess on a free port; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua", "serve", "--port", str(port)],
        env=_production_env(database_url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200
        except httpx.TransportError:
            return process.poll() is None and False

    try:
        if not wait_for(lambda: up() or process.poll() is not None, seconds=60, every=0.1) or not up():
            process.terminate()
            _, stderr = process.communicate(timeout=10)
            raise AssertionError(f"motcua serve did not start: {stderr}")
        yield base
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

"""Helpers for building a real server (real database, real config) with an injected clock."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from queue_server.app import build_context, create_app
from queue_server.clock import Clock, ManualClock
from queue_server.context import ServerContext
from queue_server.services import Services, build_services
from queue_server.settings import ServerSettings
from tests.conftest import DEMO_CONFIG

PASSWORD = "mat-khau-thu-nghiem"
KIOSK_KEY = "kiosk-key-for-tests-0001"
DISPLAY_KEY = "display-key-for-tests-01"
STAFF = ("canbo1", "canbo2", "canbo3", "canbo4")


@dataclass
class Server:
    ctx: ServerContext
    services: Services
    app: FastAPI
    clock: Clock

    def login(self, client: Any, username: str) -> dict[str, str]:
        answer = client.post("/api/v1/auth/login", json={"username": username, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return {"Authorization": f"Bearer {answer.json()['access_token']}"}


BUILT: list[Server] = []  # closed at the end of each test module (tests/conftest.py)


def dispose_built() -> None:
    """Close the databases of the servers a module built: their pooled connections are file descriptors,
    and a whole run of them would pass the 1,024 that select() (pyserial, the HID scanner) can watch."""
    while BUILT:
        BUILT.pop().ctx.db.dispose()


def server_settings(
    database_url: str,
    *,
    config_dir: Path = DEMO_CONFIG,
    csca_dir: Path | None = None,
    files_dir: Path | None = None,
) -> ServerSettings:
    return ServerSettings(
        database_url=database_url,
        config_dir=config_dir,
        secret="test-secret-" + "x" * 20,
        csca_dir=csca_dir,
        files_dir=files_dir,
    )


def make_server(
    database_url: str,
    clock: Clock | None = None,
    config_dir: Path = DEMO_CONFIG,
    csca_dir: Path | None = None,
    files_dir: Path | None = None,
) -> Server:
    settings = server_settings(database_url, config_dir=config_dir, csca_dir=csca_dir, files_dir=files_dir)
    clock = clock or ManualClock(datetime.fromisoformat("2026-03-10T02:00:00+00:00"))
    ctx = build_context(settings, clock)
    services = build_services(ctx)
    for username, role in (*((u, "staff") for u in STAFF), ("giamsat", "supervisor"), ("admin", "admin")):
        services.auth.add_user(username=username, role=role, password=PASSWORD)
    services.auth.add_device(name="kiosk-1", role="kiosk", key=KIOSK_KEY)
    services.auth.add_device(name="board-1", role="display", key=DISPLAY_KEY)
    server = Server(ctx, services, create_app(ctx), clock)
    BUILT.append(server)
    return server


KIOSK = {"X-Device-Key": KIOSK_KEY}
DISPLAY = {"X-Device-Key": DISPLAY_KEY}


@contextmanager
def client_for(server: Server) -> Iterator[TestClient]:
    with TestClient(server.app) as client:
        yield client


def wait_for(condition: Callable[[], bool], seconds: float = 5.0, every: float = 0.01) -> bool:
    """Poll until a device thread (or server) has done its part; False if it never does."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return condition()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(server: Server) -> Iterator[str]:
    """The app under a real uvicorn on a free port, for tests that need real concurrency."""
    import uvicorn

    port = free_port()
    config = uvicorn.Config(
        server.app, host="127.0.0.1", port=port, log_level="warning", ws_ping_interval=None
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{base}/api/v1/health").status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.05)
    try:
        yield base
    finally:
        instance.should_exit = True
        thread.join()


def _hash_each_password_once() -> None:
    """Argon2 is slow on purpose (about 0.1–0.5 s here); tests create the same accounts and sign them in
    hundreds of times, so each password is hashed once and each (hash, password) pair checked once. The
    answers are the same as argon2's: a wrong password is still refused (tests/integration/test_auth_roles.py)."""
    from functools import lru_cache

    import queue_server.auth.service as auth_service

    auth_service.hash_password = lru_cache(maxsize=64)(auth_service.hash_password)  # type: ignore[assignment]
    auth_service.verify_password = lru_cache(maxsize=256)(auth_service.verify_password)  # type: ignore[assignment]


_hash_each_password_once()

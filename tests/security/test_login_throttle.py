"""Issue 12, medium 7: sign-in is throttled per username and per address, unknown usernames cost the same
argon2 work as known ones, hashing is bounded under a flood, and display screens get no usernames."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

import queue_server.auth.service as auth_service
from queue_server.auth.throttle import FAILURES_PER_ADDRESS, FAILURES_PER_USERNAME, WINDOW_S
from queue_server.clock import ManualClock
from tests.security.conftest import sqlite_server
from tests.support import DISPLAY_KEY, PASSWORD, Server


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)  # one process on its SQLite file (see tests/security/conftest.py)


def _login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_forty_wrong_passwords_then_the_right_one_is_refused_with_retry_after(
    server: Server, base: str
) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        answers = [_login(client, "canbo1", f"sai-{n}").status_code for n in range(40)]
        assert answers[:FAILURES_PER_USERNAME] == [401] * FAILURES_PER_USERNAME
        assert set(answers[FAILURES_PER_USERNAME:]) == {429}
        right = _login(client, "canbo1", PASSWORD)
        assert right.status_code == 429
        assert right.json()["code"] == "too_many_logins"
        assert 0 < int(right.headers["Retry-After"]) <= WINDOW_S
        # Another account from elsewhere is not locked by it (the address limit is higher) ...
        assert _login(client, "canbo2", PASSWORD).status_code == 200
        # ... and once the window has passed, the owner signs in again.
        assert isinstance(server.clock, ManualClock)
        server.clock.advance(seconds=WINDOW_S + 1)
        assert _login(client, "canbo1", PASSWORD).status_code == 200


def test_one_address_trying_many_usernames_is_throttled(base: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for n in range(FAILURES_PER_ADDRESS):
            assert _login(client, f"nobody{n}", "wrong-password").status_code == 401
        answer = _login(client, "canbo3", PASSWORD)
    assert answer.status_code == 429
    assert "Retry-After" in answer.headers


@pytest.fixture
def counted_verify(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, int]]:
    """Wrap the real argon2 check to count calls and the most running at once."""
    real: Callable[[str, str], bool] = auth_service.verify_password
    seen = {"calls": 0, "running": 0, "most": 0}
    lock = threading.Lock()

    def counting(password_hash: str, password: str) -> bool:
        with lock:
            seen["calls"] += 1
            seen["running"] += 1
            seen["most"] = max(seen["most"], seen["running"])
        try:
            return real(password_hash, password)
        finally:
            with lock:
                seen["running"] -= 1

    monkeypatch.setattr(auth_service, "verify_password", counting)
    yield seen


def test_an_unknown_username_costs_the_same_argon2_check(base: str, counted_verify: dict[str, int]) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        assert _login(client, "canbo1", "wrong-password").status_code == 401
        known = counted_verify["calls"]
        assert _login(client, "khong-co-ai", "wrong-password").status_code == 401
    assert known == 1
    assert counted_verify["calls"] == 2  # the unknown name was checked against a dummy hash too


def test_twenty_clients_of_wrong_passwords_hash_at_most_two_at_once(
    base: str, counted_verify: dict[str, int]
) -> None:
    def attempt(n: int) -> int:
        with httpx.Client(base_url=base, timeout=120) as client:
            return _login(client, f"canbo{n % 4 + 1}", "wrong-password").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(attempt, range(20)))
    assert statuses == [401] * 20
    assert counted_verify["calls"] == 20
    assert 1 <= counted_verify["most"] <= auth_service.HASHING_AT_ONCE


def test_a_display_gets_no_usernames_in_events(server: Server, base: str) -> None:
    from websockets.sync.client import connect

    ws_base = base.replace("http://", "ws://")
    with httpx.Client(base_url=base, timeout=30) as client:
        staff = server.login(client, "canbo1")
        token = staff["Authorization"].removeprefix("Bearer ")
        with (
            connect(f"{ws_base}/api/v1/events?key={DISPLAY_KEY}") as board,
            connect(f"{ws_base}/api/v1/events?token={token}") as console,
        ):
            assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200
            to_board = json.loads(board.recv(timeout=10))
            to_console = json.loads(console.recv(timeout=10))
        # Over HTTP too.
        logged = client.get("/api/v1/events", headers={"X-Device-Key": DISPLAY_KEY}).json()
    assert to_board["type"] == to_console["type"] == "counter.opened"
    assert "canbo1" in json.dumps(to_console)  # staff see who opened it
    assert "canbo1" not in json.dumps(to_board)
    assert to_board["data"]["counter"]["number"] == 1
    assert logged and "canbo1" not in json.dumps(logged)

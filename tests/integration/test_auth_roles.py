"""Each role is refused where it does not belong; staff act only at their own counter."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.support import DISPLAY, KIOSK, Server


def code_of(answer: object) -> tuple[int, str]:
    status = answer.status_code  # type: ignore[attr-defined]
    return status, answer.json()["error"]["code"]  # type: ignore[attr-defined]


def test_login_with_a_wrong_password_is_refused(client: TestClient) -> None:
    answer = client.post("/api/v1/auth/login", json={"username": "canbo1", "password": "sai-mat-khau"})
    assert code_of(answer) == (401, "bad_credentials")
    assert "Sai tên đăng nhập" in answer.json()["error"]["message_vi"]


def test_no_credentials_cannot_issue_or_call(client: TestClient) -> None:
    assert client.post("/api/v1/tickets", json={"queue": "A"}).status_code == 401
    assert client.post("/api/v1/counters/1/call-next").status_code == 401
    assert client.get("/api/v1/stats").status_code == 401
    assert client.get("/api/v1/events").status_code == 401


def test_a_bad_device_key_or_token_is_refused(client: TestClient) -> None:
    assert code_of(client.post("/api/v1/tickets", json={"queue": "A"}, headers={"X-Device-Key": "nope"})) == (
        401,
        "bad_device_key",
    )
    assert client.get("/api/v1/stats", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_a_kiosk_issues_but_cannot_call_or_act(server: Server, client: TestClient) -> None:
    ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
    assert code_of(client.post("/api/v1/counters/1/open", headers=KIOSK)) == (403, "role_forbidden")
    assert code_of(client.post("/api/v1/counters/1/call-next", headers=KIOSK)) == (403, "role_forbidden")
    assert code_of(client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=KIOSK)) == (
        403,
        "role_forbidden",
    )
    assert code_of(client.get("/api/v1/stats", headers=KIOSK)) == (403, "role_forbidden")


def test_a_display_only_reads(client: TestClient) -> None:
    assert code_of(client.post("/api/v1/tickets", json={"queue": "A"}, headers=DISPLAY)) == (
        403,
        "role_forbidden",
    )
    assert client.get("/api/v1/events?since=0", headers=DISPLAY).status_code == 200
    assert code_of(client.post("/api/v1/counters/1/call-next", headers=DISPLAY)) == (403, "role_forbidden")
    with client.websocket_connect("/api/v1/events?since=0&key=" + DISPLAY["X-Device-Key"]):
        pass


def test_websocket_without_a_key_is_closed(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/api/v1/events"):
        pass
    assert closed.value.code == 4401


def test_staff_act_only_at_their_own_counter(server: Server, client: TestClient) -> None:
    ticket = client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK).json()
    first = server.login(client, "canbo1")
    second = server.login(client, "canbo2")
    client.post("/api/v1/counters/1/open", headers=first)
    assert code_of(client.post("/api/v1/counters/1/call-next", headers=second)) == (403, "not_your_counter")
    assert code_of(client.post("/api/v1/counters/1/open", headers=second)) == (409, "counter_taken")
    assert client.post("/api/v1/counters/1/call-next", headers=first).json()["id"] == ticket["id"]
    client.post("/api/v1/counters/2/open", headers=second)
    assert code_of(client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=second)) == (
        403,
        "other_counter",
    )
    assert code_of(client.post("/api/v1/counters/1/pause", json={"reason": "x"}, headers=second)) == (
        403,
        "not_your_counter",
    )
    unseated = server.login(client, "canbo3")
    assert code_of(client.post(f"/api/v1/tickets/{ticket['id']}/recall", headers=unseated)) == (
        403,
        "not_seated",
    )


def test_a_supervisor_may_act_for_a_counter(server: Server, client: TestClient) -> None:
    client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    ticket = client.post("/api/v1/counters/1/call-next", headers=staff).json()
    boss = server.login(client, "giamsat")
    moved = client.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"queue": "C"}, headers=boss)
    assert moved.status_code == 200 and moved.json()["queue"] == "C"
    assert client.post("/api/v1/counters/1/close", headers=boss).json()["status"] == "closed"


def test_logout_revokes_the_token(server: Server, client: TestClient) -> None:
    staff = server.login(client, "canbo1")
    assert client.get("/api/v1/auth/me", headers=staff).json()["username"] == "canbo1"
    assert client.post("/api/v1/auth/logout", headers=staff).status_code == 204
    assert code_of(client.get("/api/v1/auth/me", headers=staff)) == (401, "bad_token")


def test_the_password_is_checked_outside_the_write_transaction(
    server: Server, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """argon2 is slow on purpose; kiosks issuing tickets must not wait behind it (SQLite: one writer)."""
    import queue_server.auth.service as auth_service

    real = auth_service.verify_password
    lock_held = []

    def watched(password_hash: str, password: str) -> bool:
        lock_held.append(server.ctx.db._write_lock is not None and server.ctx.db._write_lock.locked())
        return real(password_hash, password)

    monkeypatch.setattr(auth_service, "verify_password", watched)
    assert (
        client.post("/api/v1/auth/login", json={"username": "canbo1", "password": "sai"}).status_code == 401
    )
    server.login(client, "canbo1")
    assert lock_held == [False, False]

"""Issue 12, medium 8: accounts and device keys can be disabled, reset, revoked and rotated — over the API by
admins (audited) and with `motcua user|device` — and a token ends exactly when it expires."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from queue_server.clock import ManualClock
from tests.security.conftest import motcua, production_server, sqlite_server
from tests.support import KIOSK, KIOSK_KEY, PASSWORD, Server, wait_for


@pytest.fixture
def server(sqlite_url: str) -> Server:
    return sqlite_server(sqlite_url)  # one process on its SQLite file (see tests/security/conftest.py)


def _login(client: httpx.Client, username: str, password: str = PASSWORD) -> httpx.Response:
    return client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_an_admin_disables_and_enables_an_account_and_its_sessions_end_at_once(
    server: Server, base: str
) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        admin = server.login(client, "admin")
        staff = server.login(client, "canbo1")
        assert client.get("/api/v1/auth/me", headers=staff).status_code == 200  # remembered now

        assert client.post("/api/v1/auth/users/canbo1/disable", headers=admin).status_code == 204
        assert client.get("/api/v1/auth/me", headers=staff).status_code == 401
        assert _login(client, "canbo1").status_code == 401
        listed = {u["username"]: u for u in client.get("/api/v1/auth/users", headers=admin).json()}
        assert listed["canbo1"]["active"] is False and listed["canbo2"]["active"] is True
        assert "password_hash" not in listed["canbo1"]

        assert client.post("/api/v1/auth/users/canbo1/enable", headers=admin).status_code == 204
        assert _login(client, "canbo1").status_code == 200
        assert client.get("/api/v1/auth/me", headers=staff).status_code == 401  # the old session stays ended

        trail = client.get("/api/v1/auth/credential-audit", headers=admin).json()
    assert [(row["action"], row["subject"], row["actor"]) for row in trail[:2]] == [
        ("user.enable", "user:canbo1", "user:admin"),
        ("user.disable", "user:canbo1", "user:admin"),
    ]


def test_only_admins_manage_credentials(server: Server, base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        supervisor = server.login(client, "giamsat")
        staff = server.login(client, "canbo2")
        for headers in (supervisor, staff, KIOSK):
            assert client.post("/api/v1/auth/users/canbo1/disable", headers=headers).status_code == 403
            assert client.post("/api/v1/auth/devices/kiosk-1/rotate", headers=headers).status_code == 403
            assert client.get("/api/v1/auth/users", headers=headers).status_code == 403
        assert _login(client, "canbo1").status_code == 200
        unknown = client.post("/api/v1/auth/users/khongco/disable", headers=server.login(client, "admin"))
    assert unknown.status_code == 404 and unknown.json()["code"] == "unknown_user"


def test_a_password_set_or_reset_by_an_admin_ends_the_old_password_and_sessions(
    server: Server, base: str
) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        admin = server.login(client, "admin")
        staff = server.login(client, "canbo2")
        reset = client.post("/api/v1/auth/users/canbo2/reset", headers=admin)
        assert reset.status_code == 200
        new_password = reset.json()["secret"]
        assert len(new_password) >= 12
        assert client.get("/api/v1/auth/me", headers=staff).status_code == 401
        assert _login(client, "canbo2").status_code == 401
        assert _login(client, "canbo2", new_password).status_code == 200

        weak = client.post("/api/v1/auth/users/canbo2/password", json={"password": "short"}, headers=admin)
        assert weak.status_code == 422
        chosen = client.post(
            "/api/v1/auth/users/canbo2/password", json={"password": "mot-mat-khau-moi"}, headers=admin
        )
        assert chosen.status_code == 204
        assert _login(client, "canbo2", new_password).status_code == 401
        assert _login(client, "canbo2", "mot-mat-khau-moi").status_code == 200


def test_a_rotated_or_revoked_device_key_stops_working_at_once(server: Server, base: str) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        admin = server.login(client, "admin")
        assert client.get("/api/v1/events?limit=1", headers=KIOSK).status_code == 200  # remembered now
        rotated = client.post("/api/v1/auth/devices/kiosk-1/rotate", headers=admin)
        assert rotated.status_code == 200
        new_key = rotated.json()["secret"]
        assert client.get("/api/v1/events?limit=1", headers=KIOSK).status_code == 401
        assert client.get("/api/v1/events?limit=1", headers={"X-Device-Key": new_key}).status_code == 200

        assert client.post("/api/v1/auth/devices/kiosk-1/revoke", headers=admin).status_code == 204
        assert client.get("/api/v1/events?limit=1", headers={"X-Device-Key": new_key}).status_code == 401
        devices = {d["name"]: d for d in client.get("/api/v1/auth/devices", headers=admin).json()}
    assert devices["kiosk-1"]["revoked"] is True and devices["board-1"]["revoked"] is False


def test_a_token_ends_exactly_when_it_expires(server: Server, base: str) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    with httpx.Client(base_url=base, timeout=30) as client:
        answer = _login(client, "canbo3")
        headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
        lifetime = timedelta(seconds=answer.json()["expires_in"])
        clock.advance(seconds=lifetime.total_seconds() - 2)
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 200  # remembered from here
        clock.advance(seconds=2)  # exactly the expiry
        assert client.get("/api/v1/auth/me", headers=headers).status_code == 401


def test_the_command_line_manages_accounts_and_keys_of_a_running_production_server(
    sqlite_url: str,
) -> None:
    motcua("migrate", database_url=sqlite_url)
    motcua("user", "add", "canbo9", "--role", "staff", "--password", PASSWORD, database_url=sqlite_url)
    key = motcua("device", "add", "kiosk-9", "--role", "kiosk", database_url=sqlite_url).stdout.split()[-1]
    with production_server(sqlite_url) as base, httpx.Client(base_url=base, timeout=30) as client:
        token = _login(client, "canbo9").json()["access_token"]
        staff = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/v1/auth/me", headers=staff).status_code == 200

        listed = motcua("user", "list", database_url=sqlite_url).stdout
        assert "canbo9" in listed and "active" in listed
        assert "disabled canbo9" in motcua("user", "disable", "canbo9", database_url=sqlite_url).stdout
        # The server remembers a checked token for at most 10 s.
        assert wait_for(lambda: client.get("/api/v1/auth/me", headers=staff).status_code == 401, 30, 0.5)
        assert _login(client, "canbo9").status_code == 401
        assert "DISABLED" in motcua("user", "list", database_url=sqlite_url).stdout

        motcua("user", "enable", "canbo9", database_url=sqlite_url)
        new_password = motcua("user", "reset", "canbo9", database_url=sqlite_url).stdout.split()[-1]
        assert _login(client, "canbo9", new_password).status_code == 200
        motcua("user", "passwd", "canbo9", "--password", "mat-khau-moi-9", database_url=sqlite_url)
        assert _login(client, "canbo9", "mat-khau-moi-9").status_code == 200

        device = {"X-Device-Key": key}
        assert client.get("/api/v1/events?limit=1", headers=device).status_code == 200
        new_key = motcua("device", "rotate", "kiosk-9", database_url=sqlite_url).stdout.split()[-1]
        assert wait_for(
            lambda: client.get("/api/v1/events?limit=1", headers=device).status_code == 401, 30, 0.5
        )
        assert client.get("/api/v1/events?limit=1", headers={"X-Device-Key": new_key}).status_code == 200
        motcua("device", "revoke", "kiosk-9", database_url=sqlite_url)
        assert wait_for(
            lambda: (
                client.get("/api/v1/events?limit=1", headers={"X-Device-Key": new_key}).status_code == 401
            ),
            30,
            0.5,
        )
        assert "REVOKED" in motcua("device", "list", database_url=sqlite_url).stdout
        missing = motcua("user", "disable", "khongco", database_url=sqlite_url, check=False)
        assert missing.returncode == 1 and "No user khongco" in missing.stderr
    assert KIOSK_KEY not in listed

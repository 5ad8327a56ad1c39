"""The province page's alert rules with an injected clock, over HTTP: an office over its wait target for
15 minutes, a desk paused too long; raised as events through the server's alert use case and listed on
`/api/v1/analytics/province` for the offices of the asker's subtree only."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.tables.events import EventLog
from tests.conftest import FIXTURES, T0
from tests.support import PASSWORD, Server, client_for, make_server

PROVINCE, AB, BM = "CATTN", "CAXAB", "CAXBM"
KIOSK = {
    AB: {"X-Device-Key": "kiosk-ab-key-for-alerts-0001"},
    BM: {"X-Device-Key": "kiosk-bm-key-for-alerts-0001"},
}


@pytest.fixture
def server(database_url: str) -> Server:
    built = make_server(database_url, ManualClock(T0), config_dir=FIXTURES / "config" / "province")
    auth = built.services.auth
    auth.add_user(username="giamsat.tinh", role="supervisor", password=PASSWORD, office=PROVINCE)
    auth.add_user(username="giamsat.bm", role="supervisor", password=PASSWORD, office=BM)
    auth.add_user(username="canbo.bm", role="staff", password=PASSWORD, office=BM)
    for office, headers in KIOSK.items():
        auth.add_device(name=f"kiosk-{office}", role="kiosk", office=office, key=headers["X-Device-Key"])
    return built


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def advance_and_check(server: Server, minutes: float) -> list[dict[str, Any]]:
    """Time passes; the server's periodic check runs (as it does every 30 s while it serves)."""
    server.clock.advance(minutes=minutes)  # type: ignore[attr-defined]
    events: list[dict[str, Any]] = server.app.state.analytics.alerts.check()
    return events


def province_alerts(client: TestClient, headers: dict[str, str]) -> list[tuple[str, str]]:
    answer = client.get("/api/v1/analytics/province", headers=headers)
    assert answer.status_code == 200, answer.text
    return [(alert["office"], alert["kind"]) for alert in answer.json()["alerts"]]


def test_an_office_over_its_wait_target_for_15_minutes_is_raised_once_and_cleared(
    server: Server, client: TestClient
) -> None:
    for _ in range(2):
        assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK[AB]).status_code == 201
    supervisor = server.login(client, "giamsat.tinh")
    assert advance_and_check(server, 20) == []  # over the 15 min target since 5 min: not yet
    assert province_alerts(client, supervisor) == []
    raised = advance_and_check(server, 10)  # over since 15 min
    assert [(e["type"], e["office"]) for e in raised] == [("alert.office_over_target", AB)]
    alert = raised[0]["data"]["alert"]
    assert alert["since"] == "2026-03-10T02:15:00+00:00" and alert["over_for_s"] == 900
    assert "quá mục tiêu chờ 15 phút đã 15 phút" in alert["message_vi"] and "30 phút" in alert["message_vi"]
    assert province_alerts(client, supervisor) == [(AB, "office_over_target")]
    row = {
        r["office"]: r for r in client.get("/api/v1/analytics/province", headers=supervisor).json()["offices"]
    }
    assert (row[AB]["alerts"], row[BM]["alerts"]) == (1, 0)
    assert advance_and_check(server, 5) == []  # raised once per episode
    staff = server.login(client, "giamsat.tinh")
    for _ in range(2):  # the province supervisor serves both at a desk of the commune
        assert client.post(f"/api/v1/counters/1/open?office={AB}", headers=staff).status_code == 200
        called = client.post(f"/api/v1/counters/1/call-next?office={AB}", headers=staff)
        assert called.status_code == 200, called.text
    cleared = advance_and_check(server, 1)
    assert [(e["type"], e["data"]["alert"]["kind"]) for e in cleared] == [
        ("alert.cleared", "office_over_target")
    ]
    assert province_alerts(client, supervisor) == []
    with server.ctx.db.read() as session:  # in the event log, for a page that reconnects
        logged = list(
            session.scalars(select(EventLog.type).where(EventLog.type.like("alert.%")).order_by(EventLog.seq))
        )
    assert logged == ["alert.office_over_target", "alert.cleared"]


def test_a_desk_paused_too_long_shows_to_its_province_and_its_commune_only(
    server: Server, client: TestClient
) -> None:
    staff = server.login(client, "canbo.bm")
    assert client.post("/api/v1/counters/2/open", headers=staff).status_code == 200
    paused = client.post("/api/v1/counters/2/pause", json={"reason": "họp"}, headers=staff)
    assert paused.status_code == 200, paused.text
    assert advance_and_check(server, 14) == []
    raised = advance_and_check(server, 2)
    assert [(e["type"], e["data"]["alert"]["counter"]) for e in raised] == [("alert.counter_paused_long", 2)]
    assert "Quầy 2 tạm dừng đã 16 phút" in raised[0]["data"]["alert"]["message_vi"]
    assert province_alerts(client, server.login(client, "giamsat.tinh")) == [(BM, "counter_paused_long")]
    assert province_alerts(client, server.login(client, "giamsat.bm")) == [(BM, "counter_paused_long")]
    ab_view = client.get(
        f"/api/v1/analytics/province?office={AB}", headers=server.login(client, "giamsat.tinh")
    )
    assert ab_view.json()["alerts"] == []  # the commune An Bình has none

"""The lost-connection pause on both databases, through the counters' use cases with a moved clock (the
browser journey is in tests/ui/test_console_transfer_presence.py)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from queue_server.clock import ManualClock
from queue_server.tables.auth import User
from tests.conftest import T0
from tests.support import client_for, make_server


def status(client: TestClient, headers: dict[str, str], number: int) -> tuple[str, str | None]:
    counter = next(c for c in client.get("/api/v1/counters", headers=headers).json() if c["number"] == number)
    return counter["status"], counter["pause_reason"]


def test_a_counter_is_paused_ten_minutes_after_its_console_left(database_url: str) -> None:
    server = make_server(database_url, ManualClock(T0))
    counters = server.services.counters
    with client_for(server) as client:
        one, two = server.login(client, "canbo1"), server.login(client, "canbo2")
        for number, headers in ((1, one), (2, two)):
            assert client.post(f"/api/v1/counters/{number}/open", headers=headers).status_code == 200
        with server.ctx.db.read() as session:
            ids = dict(session.execute(select(User.username, User.id)).tuples().all())
        staff_one, staff_two = ids["canbo1"], ids["canbo2"]
        counters.stamp_console(staff_one)  # counter 1's console connected, then left; 2's stays
        counters.stamp_console(staff_two)
        server.clock.advance(minutes=9, seconds=59)  # type: ignore[union-attr]
        assert counters.sweep_consoles(frozenset({staff_two})) == []
        server.clock.advance(minutes=10)  # type: ignore[union-attr]
        assert counters.sweep_consoles(frozenset({staff_two})) == [("CAXTP", 1)]
        assert status(client, one, 1) == ("paused", "mất kết nối")
        assert status(client, two, 2) == ("open", None)  # its console is there: stamped, not paused
        assert client.post("/api/v1/counters/1/resume", headers=one).status_code == 200
        server.clock.advance(minutes=30)  # type: ignore[union-attr]
        assert counters.sweep_consoles(frozenset({staff_two})) == []  # resumed: the old stamp is gone
        events = client.get("/api/v1/events", headers=one).json()
        paused = [e for e in events if e["type"] == "counter.paused"]
        assert paused[-1]["data"]["counter"] == {
            "number": 1,
            "status": "paused",
            "pause_reason": "mất kết nối",
        }

"""The lost-connection pause (no heartbeat from the console page for 10 minutes) on both databases, through the counters' use cases with a moved clock (the
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
        # Counter 1's console sent its last heartbeat at T0; counter 2's keeps sending.
        start = server.clock()
        assert counters.sweep_consoles({staff_one: start, staff_two: start}) == []
        server.clock.advance(minutes=9, seconds=59)  # type: ignore[union-attr]
        assert counters.sweep_consoles({staff_one: start, staff_two: server.clock()}) == []
        server.clock.advance(seconds=1)  # type: ignore[union-attr]
        assert counters.sweep_consoles({staff_one: start, staff_two: server.clock()}) == [("CAXTP", 1)]
        assert status(client, one, 1) == ("paused", "mất kết nối")
        assert status(client, two, 2) == ("open", None)  # its console is alive: stamped, not paused
        # The page wakes up: its heartbeat is stamped, but the counter waits for the officer (P).
        woke = server.clock.advance(minutes=1)  # type: ignore[union-attr]
        assert counters.sweep_consoles({staff_one: woke, staff_two: woke}) == []
        assert status(client, one, 1) == ("paused", "mất kết nối")
        server.clock.advance(seconds=1)  # type: ignore[union-attr]
        assert client.post("/api/v1/counters/1/resume", headers=one).status_code == 200
        server.clock.advance(minutes=30)  # type: ignore[union-attr]
        # Resumed from a machine whose console sends nothing: a heartbeat from before the resume does not
        # count, so no stale stamp pauses it again.
        assert counters.sweep_consoles({staff_one: woke, staff_two: server.clock()}) == []
        assert status(client, one, 1) == ("open", None)
        events = client.get("/api/v1/events", headers=one).json()
        paused = [e for e in events if e["type"] == "counter.paused"]
        assert paused[-1]["data"]["counter"] == {
            "number": 1,
            "status": "paused",
            "pause_reason": "mất kết nối",
        }

"""Issue 12, low: a visit being served at midnight was expired by the day-end loop, under the officer's hands.

Now a ticket called before 00:00 and finished after it is finished normally, counted once in the day it was
issued, and the new day's numbering starts afresh beside it. A visit abandoned at a counter still ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from queue_server.domain.tickets import VISIT_PAST_MIDNIGHT
from tests.conftest import T0
from tests.support import KIOSK, Server, client_for, make_server

# T0 is 09:00 in Hà Nội (UTC+7): 14 h 40 min later it is 23:40 there.
EVENING = timedelta(hours=14, minutes=40)


@pytest.fixture
def server(database_url: str) -> Server:
    return make_server(database_url, ManualClock(T0 + EVENING))


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def _clock(server: Server) -> ManualClock:
    assert isinstance(server.clock, ManualClock)
    return server.clock


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    result: dict[str, Any] = answer.json()
    return result


def _day_end(server: Server) -> int:
    """What the server's maintenance loop runs every minute (app.py `_day_end_loop`)."""
    return server.services.tickets.expire_stale()


def test_a_visit_served_across_midnight_is_finished_and_counted_in_its_own_day(
    server: Server, client: TestClient
) -> None:
    clock = _clock(server)
    evening_ticket = _ok(client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK))
    staff = server.login(client, "canbo1")
    _ok(client.post("/api/v1/counters/1/open", headers=staff))
    clock.advance(minutes=10)  # 23:50: called and served
    called = _ok(client.post("/api/v1/counters/1/call-next", headers=staff))
    assert called["id"] == evening_ticket["id"]
    _ok(client.post(f"/api/v1/tickets/{called['id']}/start", headers=staff))

    clock.advance(minutes=20)  # 00:10: a new day
    assert _day_end(server) == 0
    ticket = _ok(client.get(f"/api/v1/tickets/{called['id']}", headers=staff))
    assert ticket["status"] == "serving"

    morning_ticket = _ok(client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK))
    assert morning_ticket["number"] == evening_ticket["number"]  # the new day numbers from its start
    assert morning_ticket["business_day"] != evening_ticket["business_day"]

    clock.advance(minutes=5)  # 00:15: the officer finishes the visit
    staff = server.login(client, "canbo1")
    finished = _ok(client.post(f"/api/v1/tickets/{called['id']}/finish", headers=staff))
    assert finished["status"] == "done"
    assert _day_end(server) == 0

    evening = _ok(client.get("/api/v1/stats", params={"day": evening_ticket["business_day"]}, headers=staff))
    morning = _ok(client.get("/api/v1/stats", params={"day": morning_ticket["business_day"]}, headers=staff))
    assert evening["total"]["served"] == 1
    assert evening["total"]["service_s"]["mean"] == pytest.approx(25 * 60)
    assert morning["total"]["served"] == 0 and morning["total"]["issued"] == 1

    # The next call at that counter is the new day's first ticket.
    nxt = _ok(client.post("/api/v1/counters/1/call-next", headers=staff))
    assert nxt["id"] == morning_ticket["id"] and nxt["number"] == morning_ticket["number"]


def test_a_visit_abandoned_at_a_counter_still_ends_with_the_day(server: Server, client: TestClient) -> None:
    clock = _clock(server)
    waiting = _ok(client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK))
    abandoned = _ok(client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK))
    staff = server.login(client, "canbo1")
    _ok(client.post("/api/v1/counters/1/open", headers=staff))
    _ok(client.post(f"/api/v1/counters/1/call/{abandoned['id']}", headers=staff))

    clock.advance(
        minutes=30
    )  # 00:10: the waiting one is of yesterday; the called one is still at the counter
    assert _day_end(server) == 1
    staff = server.login(client, "canbo1")
    assert _ok(client.get(f"/api/v1/tickets/{waiting['id']}", headers=staff))["status"] == "expired"
    assert _ok(client.get(f"/api/v1/tickets/{abandoned['id']}", headers=staff))["status"] == "called"

    clock.advance(seconds=VISIT_PAST_MIDNIGHT.total_seconds())  # long after: nobody finished it
    assert _day_end(server) == 1
    staff = server.login(client, "canbo1")
    assert _ok(client.get(f"/api/v1/tickets/{abandoned['id']}", headers=staff))["status"] == "expired"

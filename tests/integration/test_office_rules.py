"""Numbering by business day, opening hours, caps and bad input — each a clear error, nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from queue_server.clock import ManualClock
from queue_server.tables.tickets import Ticket
from tests.conftest import FIXTURES, T0
from tests.support import KIOSK, client_for, make_server

OFFICE_HOURS = FIXTURES / "config" / "office_hours"


def count_tickets(server) -> int:  # type: ignore[no-untyped-def]
    with server.ctx.db.read() as session:
        return int(session.scalar(select(func.count(Ticket.id))) or 0)


def test_numbering_restarts_at_local_midnight_not_utc(sqlite_url: str) -> None:
    clock = ManualClock(datetime(2026, 3, 10, 16, 58, tzinfo=UTC))  # 23:58 in Hà Nội
    server = make_server(sqlite_url, clock)
    with client_for(server) as client:
        before = [client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json() for _ in range(2)]
        assert [t["number"] for t in before] == ["A001", "A002"]
        assert before[0]["business_day"] == "2026-03-10"
        clock.advance(minutes=3)  # 00:01 local, still 10 March in UTC
        after = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        assert after["number"] == "A001" and after["business_day"] == "2026-03-11"
        clock.advance(hours=7)  # 07:01 local, UTC midnight has passed: no second restart
        later = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        assert later["number"] == "A002"


def test_closed_office_lunch_and_cap(sqlite_url: str) -> None:
    clock = ManualClock(T0 - timedelta(hours=2))  # 07:00 local: not open yet
    server = make_server(sqlite_url, clock, config_dir=OFFICE_HOURS)
    with client_for(server) as client:
        closed = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        assert closed.status_code == 409 and closed.json()["error"]["code"] == "office_closed_hours"
        assert "Ngoài giờ làm việc" in closed.json()["error"]["message_vi"]
        assert client.get("/api/v1/queues").json()[0]["open"] is False
        clock.set(T0)  # 09:00
        for expected in ("A001", "A002", "A003"):
            assert (
                client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()["number"]
                == expected
            )
        capped = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        assert capped.status_code == 409 and capped.json()["error"]["code"] == "daily_cap_reached"
        clock.set(T0 + timedelta(hours=3))  # 12:00 local: lunch
        lunch = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        assert lunch.json()["error"]["code"] == "office_lunch_break"
        assert count_tickets(server) == 3
        # The cap refused without using up a number: the next day starts at 001 and nothing was skipped.
        clock.set(T0 + timedelta(days=1))
        assert client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()["number"] == "A001"


def test_bad_input_is_refused_with_a_named_field(sqlite_url: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0))
    with client_for(server) as client:
        unknown = client.post("/api/v1/tickets", json={"queue": "Z"}, headers=KIOSK)
        assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_queue"
        assert "A, B, C" in unknown.json()["error"]["message_en"]
        missing = client.post("/api/v1/tickets", json={}, headers=KIOSK)
        assert missing.status_code == 422 and "queue" in missing.json()["error"]["message_en"]
        not_json = client.post(
            "/api/v1/tickets", content=b"\xff\xfe", headers={**KIOSK, "content-type": "application/json"}
        )
        assert not_json.status_code == 422 and not_json.json()["error"]["code"] == "invalid_request"
        priority = client.post("/api/v1/tickets", json={"queue": "A", "priority": "vip"}, headers=KIOSK)
        assert priority.status_code == 422 and priority.json()["error"]["code"] == "unknown_priority"
        assert (
            client.get("/api/v1/tickets/99999", headers=KIOSK).json()["error"]["code"] == "ticket_not_found"
        )
        reused = "same-key-12345"
        client.post("/api/v1/tickets", json={"queue": "A", "idempotency_key": reused}, headers=KIOSK)
        clash = client.post("/api/v1/tickets", json={"queue": "B", "idempotency_key": reused}, headers=KIOSK)
        assert clash.status_code == 422 and clash.json()["error"]["code"] == "idempotency_key_reused"
        assert count_tickets(server) == 1


def test_priority_is_recorded_with_who_granted_it(sqlite_url: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0))
    with client_for(server) as client:
        ticket = client.post(
            "/api/v1/tickets", json={"queue": "A", "priority": "elderly"}, headers=KIOSK
        ).json()
        assert ticket["priority"] == "elderly"
    with server.ctx.db.read() as session:
        row = session.get(Ticket, ticket["id"])
        assert row is not None and row.priority_granted_by == "device:kiosk-1"

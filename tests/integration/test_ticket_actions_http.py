"""Every (state, action) pair through HTTP and the database: allowed ones change the state and append
an audit row and an event; refused ones answer a clear 4xx and change nothing stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from queue_server.clock import ManualClock
from queue_server.tables.events import EventLog
from queue_server.tables.tickets import Ticket, TicketEvent
from tests.conftest import T0
from tests.support import KIOSK, Server, client_for, make_server

ACTIONS = {
    "recall": {},
    "start": {},
    "finish": {},
    "no-show": {},
    "hold": {},
    "resume": {},
    "transfer": {"queue": "B", "to": "keep"},
    "cancel": {},
    "reactivate": {},
}
ALLOWED = {
    "waiting": {"hold": "on_hold", "transfer": "waiting", "cancel": "cancelled"},
    "called": {
        "recall": "called",
        "start": "serving",
        "finish": "done",  # F straight after the call: started at the call
        "no-show": "no_show",
        "hold": "on_hold",
        "transfer": "waiting",
        "cancel": "cancelled",
    },
    "serving": {"finish": "done", "hold": "on_hold", "transfer": "waiting"},
    "on_hold": {"resume": "called", "cancel": "cancelled"},
    "done": {},
    "no_show": {"reactivate": "waiting"},
    "cancelled": {"reactivate": "waiting"},
    "expired": {},
}


def make_ticket_in(server: Server, client: TestClient, staff: dict[str, str], state: str) -> int:
    ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
    tid = ticket["id"]

    def post(path: str, body: dict[str, object] | None = None) -> None:
        answer = client.post(path, json=body, headers=staff)
        assert answer.status_code == 200, answer.text

    if state == "expired":
        clock = server.clock
        assert isinstance(clock, ManualClock)
        clock.advance(days=1)
        assert server.services.tickets.expire_stale() >= 1
        return int(tid)
    if state in ("called", "serving", "on_hold", "done", "no_show"):
        post(f"/api/v1/counters/1/call/{tid}")
    if state in ("serving", "done"):
        post(f"/api/v1/tickets/{tid}/start")
    if state == "done":
        post(f"/api/v1/tickets/{tid}/finish")
    if state == "no_show":
        post(f"/api/v1/tickets/{tid}/no-show")
    if state == "on_hold":
        post(f"/api/v1/tickets/{tid}/hold")
    if state == "cancelled":
        post(f"/api/v1/tickets/{tid}/cancel")
    return int(tid)


def stored(server: Server, ticket_id: int) -> tuple[dict[str, object], int, int]:
    with server.ctx.db.read() as session:
        ticket = session.get(Ticket, ticket_id)
        assert ticket is not None
        row = {c.name: getattr(ticket, c.name) for c in Ticket.__table__.columns}
        audits = session.scalar(select(func.count(TicketEvent.id)).where(TicketEvent.ticket_id == ticket_id))
        events = session.scalar(select(func.count(EventLog.seq)))
    return row, int(audits or 0), int(events or 0)


@pytest.mark.parametrize("state", list(ALLOWED))
def test_each_action_from_each_state(sqlite_url: str, state: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0))
    with client_for(server) as client:
        staff = server.login(client, "canbo1")
        assert client.post("/api/v1/counters/1/open", headers=staff).status_code == 200
        for action, body in ACTIONS.items():
            tid = make_ticket_in(server, client, staff, state)
            if state == "expired":
                staff = server.login(client, "canbo1")  # a new day: the old token has expired
            before, audits_before, events_before = stored(server, tid)
            assert before["status"] == state
            answer = client.post(f"/api/v1/tickets/{tid}/{action}", json=body, headers=staff)
            after, audits_after, events_after = stored(server, tid)
            expected = ALLOWED[state].get(action)
            if expected is None:
                assert answer.status_code in (403, 409, 422), (state, action, answer.text)
                error = answer.json()["error"]
                assert error["code"] and error["message_vi"] and error["message_en"]
                assert after == before and audits_after == audits_before and events_after == events_before
            else:
                assert answer.status_code == 200, (state, action, answer.text)
                assert answer.json()["status"] == expected == after["status"]
                assert audits_after == audits_before + 1
                assert events_after == events_before + 1
            if state == "expired":
                clock = server.clock
                assert isinstance(clock, ManualClock)
                clock.advance(minutes=1)


def test_expiry_keeps_history(sqlite_url: str) -> None:
    server = make_server(sqlite_url, ManualClock(T0))
    with client_for(server) as client:
        for _ in range(3):
            client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK)
        clock = server.clock
        assert isinstance(clock, ManualClock)
        clock.advance(days=1, hours=-1)  # 08:00 the next morning
        assert server.services.tickets.expire_stale() == 3
        with server.ctx.db.read() as session:
            statuses = list(session.scalars(select(Ticket.status)))
        assert statuses == ["expired"] * 3  # kept, not deleted
        fresh = client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK).json()
        assert fresh["number"] == "B001"
        assert clock.now - T0 == timedelta(hours=23)

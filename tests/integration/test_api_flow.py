"""The counter scenario over HTTP: issue, call, recall, start, finish, no-show, transfer, stats, events."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.support import DISPLAY, KIOSK, Server


def issue(client: TestClient, queue: str = "A", **extra: object) -> dict:  # type: ignore[type-arg]
    answer = client.post("/api/v1/tickets", json={"queue": queue, **extra}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_health_docs_and_lists(client: TestClient) -> None:
    assert client.get("/api/v1/health").json()["status"] == "ok"
    document = client.get("/openapi.json").json()
    assert document["info"]["title"].startswith("motcua")
    schemes = document["components"]["securitySchemes"]
    assert schemes["staff"]["scheme"] == "bearer"
    assert (schemes["device"]["in"], schemes["device"]["name"]) == ("header", "X-Device-Key")
    assert (schemes["device_query"]["in"], schemes["device_query"]["name"]) == ("query", "key")
    assert client.get("/docs").status_code == 200
    key = KIOSK["X-Device-Key"]
    by_query = client.post(f"/api/v1/tickets?key={key}", json={"queue": "A"})
    assert by_query.status_code == 201, by_query.text
    assert client.post("/api/v1/tickets?key=wrong-key-000000", json={"queue": "A"}).status_code == 401
    queues = client.get("/api/v1/queues").json()
    assert [q["code"] for q in queues] == ["A", "B", "C"]
    assert all({"code", "name", "open", "waiting", "estimated_wait_s"} <= set(q) for q in queues)
    counters = client.get("/api/v1/counters").json()
    assert [c["number"] for c in counters] == [1, 2, 3, 4]
    assert counters[0]["queues"] == ["A", "B"] and counters[0]["status"] == "closed"
    assert "staff" not in counters[0]  # anonymous readers do not see who sits where


def test_full_scenario(server: Server, client: TestClient) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    first = issue(client)
    assert first["number"] == "A001" and first["status"] == "waiting" and first["position"] == 1
    second = issue(client)
    assert second["number"] == "A002" and second["position"] == 2 and second["people_ahead"] == 1
    third = issue(client, "B")
    assert third["number"] == "B001"

    staff = server.login(client, "canbo1")
    opened = client.post("/api/v1/counters/1/open", headers=staff).json()
    assert opened["status"] == "open" and opened["staff"] == "canbo1"

    clock.advance(minutes=4)
    called = client.post("/api/v1/counters/1/call-next", headers=staff)
    assert called.status_code == 200 and called.json()["number"] == "A001"
    assert called.json()["status"] == "called" and called.json()["counter"] == 1
    recalled = client.post(f"/api/v1/tickets/{first['id']}/recall", headers=staff).json()
    assert recalled["status"] == "called" and recalled["recall_count"] == 1
    assert client.post(f"/api/v1/tickets/{first['id']}/start", headers=staff).json()["status"] == "serving"
    clock.advance(minutes=6)
    finished = client.post(
        f"/api/v1/tickets/{first['id']}/finish", json={"outcome": "dossier_received"}, headers=staff
    )
    assert finished.json()["status"] == "done" and finished.json()["outcome"] == "dossier_received"

    nxt = client.post("/api/v1/counters/1/call-next", headers=staff).json()
    assert nxt["number"] == "A002"
    assert client.post(f"/api/v1/tickets/{nxt['id']}/no-show", headers=staff).json()["status"] == "no_show"
    assert client.post(f"/api/v1/tickets/{nxt['id']}/reactivate", headers=staff).json()["status"] == "waiting"

    # A supervisor moves B001 (waiting) to queue C keeping its place; the number stays the same. (Staff
    # move waiting tickets only between the queues of their own counter: tests/security/test_counter_access.py.)
    supervisor = server.login(client, "giamsat")
    moved = client.post(
        f"/api/v1/tickets/{third['id']}/transfer", json={"queue": "C", "to": "keep"}, headers=supervisor
    )
    assert moved.status_code == 200, moved.text
    assert (
        moved.json()["queue"] == "C"
        and moved.json()["number"] == "B001"
        and moved.json()["status"] == "waiting"
    )

    stats = client.get("/api/v1/stats", headers=staff).json()
    assert stats["queues"]["A"]["issued"] == 2 and stats["queues"]["A"]["served"] == 1
    assert stats["queues"]["A"]["wait_s"]["max"] == pytest.approx(600.0)  # A002: called at 10 minutes
    assert stats["queues"]["A"]["wait_s"]["mean"] == pytest.approx(420.0)  # (240 + 600) / 2
    assert stats["queues"]["A"]["service_s"]["mean"] == pytest.approx(360.0)
    assert stats["counters"]["1"]["served"] == 1
    assert stats["queues"]["A"]["share_wait_within_target"] == 1.0

    events = client.get("/api/v1/events?since=0", headers=DISPLAY).json()
    types = [e["type"] for e in events]
    assert types[:3] == ["ticket.issued", "ticket.issued", "ticket.issued"]
    for expected in (
        "counter.opened",
        "ticket.called",
        "ticket.recalled",
        "ticket.started",
        "ticket.finished",
        "ticket.no_show",
        "ticket.reactivated",
        "ticket.transferred",
    ):
        assert expected in types
    assert [e["seq"] for e in events] == sorted(e["seq"] for e in events)
    assert all(set(e) == {"seq", "type", "at", "office", "data"} for e in events)


def test_transfer_keep_and_back(server: Server, client: TestClient) -> None:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    early_b = issue(client, "B")
    clock.advance(minutes=1)
    a_ticket = issue(client, "A")
    clock.advance(minutes=1)
    late_b = issue(client, "B")
    staff = server.login(client, "canbo1")  # counter 1 serves A and B
    client.post("/api/v1/counters/1/open", headers=staff)
    kept = client.post(
        f"/api/v1/tickets/{a_ticket['id']}/transfer", json={"queue": "B", "to": "keep"}, headers=staff
    )
    assert kept.json()["position"] == 2  # between the early and the late B ticket, by issue time
    clock.advance(minutes=1)
    back = client.post(
        f"/api/v1/tickets/{early_b['id']}/transfer", json={"queue": "B", "to": "back"}, headers=staff
    )
    assert back.json()["position"] == 3  # behind everyone now waiting in B
    assert client.get(f"/api/v1/tickets/{late_b['id']}", headers=KIOSK).json()["position"] == 2


def test_hold_and_resume(server: Server, client: TestClient) -> None:
    ticket = issue(client)
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    client.post("/api/v1/counters/1/call-next", headers=staff)
    client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=staff)
    held = client.post(
        f"/api/v1/tickets/{ticket['id']}/hold", json={"reason": "đi photo giấy tờ"}, headers=staff
    )
    assert held.json()["status"] == "on_hold"
    assert client.post("/api/v1/counters/1/call-next", headers=staff).status_code == 204
    resumed = client.post(f"/api/v1/tickets/{ticket['id']}/resume", headers=staff)
    assert resumed.json()["status"] == "called" and resumed.json()["counter"] == 1


def test_priority_ticket_is_called_first(server: Server, client: TestClient) -> None:
    normal = issue(client)
    elderly = issue(client, priority="elderly")
    staff = server.login(client, "canbo2")
    client.post("/api/v1/counters/2/open", headers=staff)
    assert client.post("/api/v1/counters/2/call-next", headers=staff).json()["id"] == elderly["id"]
    assert client.post("/api/v1/counters/2/call-next", headers=staff).json()["id"] == normal["id"]


def test_call_a_chosen_ticket(server: Server, client: TestClient) -> None:
    issue(client)
    chosen = issue(client)
    staff = server.login(client, "canbo4")
    client.post("/api/v1/counters/4/open", headers=staff)
    answer = client.post(f"/api/v1/counters/4/call/{chosen['id']}", headers=staff)
    assert answer.status_code == 200 and answer.json()["id"] == chosen["id"]
    c_only = server.login(client, "canbo3")
    client.post("/api/v1/counters/3/open", headers=c_only)
    other = issue(client)
    refused = client.post(f"/api/v1/counters/3/call/{other['id']}", headers=c_only)  # counter 3 serves B, C
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "queue_not_served"


def test_pause_needs_a_reason_and_stops_calls(server: Server, client: TestClient) -> None:
    issue(client)
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    missing = client.post("/api/v1/counters/1/pause", json={}, headers=staff)
    assert missing.status_code == 422 and missing.json()["error"]["code"] == "reason_required"
    paused = client.post("/api/v1/counters/1/pause", json={"reason": "họp giao ban"}, headers=staff).json()
    assert paused["status"] == "paused" and paused["pause_reason"] == "họp giao ban"
    refused = client.post("/api/v1/counters/1/call-next", headers=staff)
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "counter_not_open"
    assert client.post("/api/v1/counters/1/resume", headers=staff).json()["status"] == "open"
    assert client.post("/api/v1/counters/1/call-next", headers=staff).status_code == 200
    assert client.post("/api/v1/counters/1/close", headers=staff).json()["status"] == "closed"


def test_websocket_catch_up_then_live(server: Server, client: TestClient) -> None:
    issue(client)
    issue(client)
    with client.websocket_connect("/api/v1/events?since=0&key=" + DISPLAY["X-Device-Key"]) as socket:
        backlog = [socket.receive_json(), socket.receive_json()]
        assert [e["seq"] for e in backlog] == [1, 2]
        issue(client, "C")
        live = socket.receive_json()
        assert (
            live["seq"] == 3
            and live["type"] == "ticket.issued"
            and live["data"]["ticket"]["number"] == "C001"
        )
    # Reconnecting with the last seq seen gives only what was missed.
    issue(client, "B")
    with client.websocket_connect("/api/v1/events?since=3&key=" + DISPLAY["X-Device-Key"]) as socket:
        missed = socket.receive_json()
        assert missed["seq"] == 4 and missed["data"]["ticket"]["number"] == "B001"


def test_events_carry_no_personal_data(server: Server, client: TestClient) -> None:
    issue(client, priority="elderly")
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    client.post("/api/v1/counters/1/call-next", headers=staff)
    for event in client.get("/api/v1/events?since=0", headers=DISPLAY).json():
        text = str(event)
        assert "Nguyễn" not in text and "canbo1" not in str(event.get("data", {}).get("ticket", {}))
        assert event["data"].get("ticket", {}).get("priority") in (None, True, False)

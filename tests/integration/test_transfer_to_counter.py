"""Transfers through HTTP: to a specific counter, and "keeping its place" never straight back."""

from __future__ import annotations

from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK, Server, client_for, make_server


def seat(server: Server, client: TestClient, user: str, counter: int) -> dict[str, str]:
    headers = server.login(client, user)
    assert client.post(f"/api/v1/counters/{counter}/open", headers=headers).status_code == 200
    return headers


def call_next(client: TestClient, counter: int, headers: dict[str, str]) -> str | None:
    answer = client.post(f"/api/v1/counters/{counter}/call-next", headers=headers)
    assert answer.status_code in (200, 204), answer.text
    return answer.json()["number"] if answer.status_code == 200 else None


def test_keep_place_goes_to_another_counter_not_back(database_url: str) -> None:
    server = make_server(database_url, ManualClock(T0))
    with client_for(server) as client:
        one, two = seat(server, client, "canbo1", 1), seat(server, client, "canbo2", 2)
        first = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK)
        server.clock.advance(minutes=1)  # type: ignore[union-attr]
        assert call_next(client, 1, one) == first["number"]
        moved = client.post(
            f"/api/v1/tickets/{first['id']}/transfer", json={"queue": "A", "to": "keep"}, headers=one
        )
        assert moved.status_code == 200, moved.text
        assert call_next(client, 1, one) == "A002"  # counter 1 does not get its own citizen back
        assert call_next(client, 2, two) == first["number"]  # counter 2 gets it at the head of the line


def test_keep_place_comes_back_when_no_other_counter_serves_it(database_url: str) -> None:
    server = make_server(database_url, ManualClock(T0))
    with client_for(server) as client:
        one = seat(server, client, "canbo1", 1)
        ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        assert call_next(client, 1, one) == ticket["number"]
        client.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"queue": "A"}, headers=one)
        assert call_next(client, 1, one) == ticket["number"]  # nobody else serves line A: not stranded


def test_transfer_to_a_counter_waits_for_that_counter(database_url: str) -> None:
    server = make_server(database_url, ManualClock(T0))
    with client_for(server) as client:
        one, two, three = (seat(server, client, f"canbo{n}", n) for n in (1, 2, 3))
        older = client.post("/api/v1/tickets", json={"queue": "B"}, headers=KIOSK).json()
        ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        client.post(f"/api/v1/counters/1/call/{ticket['id']}", headers=one)
        moved = client.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"counter": 3}, headers=one)
        assert moved.status_code == 200, moved.text
        assert moved.json()["queue"] == "C"  # counter 3 does not serve A: its main queue
        assert call_next(client, 2, two) == older["number"]  # counter 2 does not take it
        assert call_next(client, 3, three) == ticket["number"]
        waiting = client.get("/api/v1/counters/3/waiting", headers=three).json()
        assert waiting["waiting"] == []
        audit = client.get(f"/api/v1/tickets/{ticket['id']}", headers=three).json()
        assert audit["status"] == "called" and audit["counter"] == 3


def test_transfer_to_a_counter_refusals(database_url: str) -> None:
    server = make_server(database_url, ManualClock(T0))
    with client_for(server) as client:
        one = seat(server, client, "canbo1", 1)
        ticket = client.post("/api/v1/tickets", json={"queue": "A"}, headers=KIOSK).json()
        client.post(f"/api/v1/counters/1/call/{ticket['id']}", headers=one)
        path = f"/api/v1/tickets/{ticket['id']}/transfer"
        for body, status, code in (
            ({"counter": 1}, 409, "same_counter"),
            ({"counter": 3, "queue": "A"}, 422, "queue_not_served"),
            ({"counter": 99}, 404, None),
            ({}, 422, None),
        ):
            answer = client.post(path, json=body, headers=one)
            assert answer.status_code == status, (body, answer.text)
            if code:
                assert answer.json()["error"]["code"] == code
        assert client.get(f"/api/v1/tickets/{ticket['id']}", headers=one).json()["status"] == "called"

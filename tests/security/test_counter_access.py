"""Staff act only on their own counter's tickets (issue 12, Medium 1).

A ticket called, served or held at another counter is that counter's: staff elsewhere can neither transfer,
cancel nor otherwise act on it; staff move waiting tickets only between the queues their counter serves.
Supervisors and admins may act for any counter. Every refusal is a 403 saying why, in Vietnamese and English,
and leaves the ticket as it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import T0
from tests.support import KIOSK, Server, client_for, make_server

# Demo counters: 1 serves A and B, 2 serves A and B, 3 serves B and C, 4 serves A, B and C.


@pytest.fixture(params=["sqlite_url", "postgres_url"])
def server(request: pytest.FixtureRequest) -> Server:
    return make_server(str(request.getfixturevalue(request.param)), ManualClock(T0))


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def issue(client: TestClient, queue: str) -> dict[str, Any]:
    answer = client.post("/api/v1/tickets", json={"queue": queue}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def seated(server: Server, client: TestClient, username: str, counter: int) -> dict[str, str]:
    headers = server.login(client, username)
    assert client.post(f"/api/v1/counters/{counter}/open", headers=headers).status_code == 200
    return headers


def refused(answer: Any, code: str) -> None:
    assert answer.status_code == 403, answer.text
    error = answer.json()["error"]
    assert error["code"] == code
    assert error["message_vi"] and error["message_en"] and error["message_vi"] != error["message_en"]


def ticket_now(client: TestClient, headers: dict[str, str], ticket_id: int) -> dict[str, Any]:
    return client.get(f"/api/v1/tickets/{ticket_id}", headers=headers).json()  # type: ignore[no-any-return]


@pytest.fixture
def called_at_counter_1(server: Server, client: TestClient) -> tuple[dict[str, Any], dict[str, str]]:
    """A ticket of queue B called at counter 1, and staff seated at counter 2 (which also serves B)."""
    issue(client, "B")
    first = seated(server, client, "canbo1", 1)
    called = client.post("/api/v1/counters/1/call-next", headers=first).json()
    assert called["status"] == "called" and called["counter"] == 1
    return called, seated(server, client, "canbo2", 2)


def test_staff_cannot_transfer_a_ticket_called_at_another_counter(
    client: TestClient, called_at_counter_1: tuple[dict[str, Any], dict[str, str]]
) -> None:
    ticket, other = called_at_counter_1
    answer = client.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"queue": "A"}, headers=other)
    refused(answer, "other_counter")
    assert "quầy 1" in answer.json()["error"]["message_vi"]
    after = ticket_now(client, other, ticket["id"])
    assert (after["status"], after["queue"], after["counter"]) == ("called", "B", 1)


def test_staff_cannot_transfer_a_ticket_being_served_or_held_at_another_counter(
    server: Server, client: TestClient
) -> None:
    issue(client, "A")
    issue(client, "A")
    first = seated(server, client, "canbo1", 1)
    serving = client.post("/api/v1/counters/1/call-next", headers=first).json()
    client.post(f"/api/v1/tickets/{serving['id']}/start", headers=first)
    other = seated(server, client, "canbo2", 2)
    refused(
        client.post(f"/api/v1/tickets/{serving['id']}/transfer", json={"queue": "B"}, headers=other),
        "other_counter",
    )
    held = client.post("/api/v1/tickets/{}/hold".format(serving["id"]), headers=first).json()
    assert held["status"] == "on_hold"
    for action, body in (("transfer", {"queue": "B"}), ("resume", None), ("cancel", None)):
        refused(
            client.post(f"/api/v1/tickets/{held['id']}/{action}", json=body, headers=other), "other_counter"
        )
    assert ticket_now(client, other, held["id"])["status"] == "on_hold"


def test_staff_cannot_cancel_a_ticket_called_elsewhere(
    client: TestClient, called_at_counter_1: tuple[dict[str, Any], dict[str, str]]
) -> None:
    ticket, other = called_at_counter_1
    refused(client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=other), "other_counter")
    assert ticket_now(client, other, ticket["id"])["status"] == "called"


def test_staff_cannot_move_a_waiting_ticket_to_a_queue_their_counter_does_not_serve(
    server: Server, client: TestClient
) -> None:
    waiting = issue(client, "B")
    staff = seated(server, client, "canbo1", 1)  # serves A and B, not C
    answer = client.post(f"/api/v1/tickets/{waiting['id']}/transfer", json={"queue": "C"}, headers=staff)
    refused(answer, "transfer_queue_not_served")
    assert "hàng C" in answer.json()["error"]["message_vi"]
    assert ticket_now(client, staff, waiting["id"])["queue"] == "B"
    within = client.post(f"/api/v1/tickets/{waiting['id']}/transfer", json={"queue": "A"}, headers=staff)
    assert within.status_code == 200 and within.json()["queue"] == "A"


def test_staff_still_send_their_own_citizen_to_any_queue(server: Server, client: TestClient) -> None:
    issue(client, "A")
    staff = seated(server, client, "canbo1", 1)
    mine = client.post("/api/v1/counters/1/call-next", headers=staff).json()
    moved = client.post(f"/api/v1/tickets/{mine['id']}/transfer", json={"queue": "C"}, headers=staff)
    assert moved.status_code == 200, moved.text
    assert (moved.json()["queue"], moved.json()["status"]) == ("C", "waiting")


def test_a_supervisor_may_act_on_a_ticket_held_by_another_counter(
    server: Server, client: TestClient, called_at_counter_1: tuple[dict[str, Any], dict[str, str]]
) -> None:
    ticket, _ = called_at_counter_1
    boss = seated(server, client, "giamsat", 3)  # even seated at another counter
    started = client.post(f"/api/v1/tickets/{ticket['id']}/start", headers=boss)
    assert started.status_code == 200 and started.json()["counter"] == 1
    moved = client.post(f"/api/v1/tickets/{ticket['id']}/transfer", json={"queue": "C"}, headers=boss)
    assert moved.status_code == 200 and moved.json()["queue"] == "C"
    admin = server.login(client, "admin")
    assert (
        client.post(f"/api/v1/tickets/{ticket['id']}/cancel", headers=admin).json()["status"] == "cancelled"
    )

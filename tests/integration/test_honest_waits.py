"""A priority ticket is told its own wait (issue 14, item 7): the estimate plays the calling rule as the
server applies it, with the ticket's own priority, and "people ahead" are those of its line who will
really be called before it. The issue answer, the ticket view and the phone page say the same."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.support import KIOSK, Server


def issue(client: TestClient, server: Server, priority: str | None = None) -> dict[str, Any]:
    clock = server.clock
    assert isinstance(clock, ManualClock)
    clock.advance(seconds=20)
    answer = client.post("/api/v1/tickets", json={"queue": "A", "priority": priority}, headers=KIOSK)
    assert answer.status_code == 201, answer.text
    return answer.json()  # type: ignore[no-any-return]


def test_a_pregnant_citizen_is_told_she_is_next_and_is_called_next(
    server: Server, client: TestClient
) -> None:
    normals = [issue(client, server) for _ in range(5)]
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] == normals[0]["id"]
    # Four normal tickets wait; the desk is busy with the first citizen.
    pregnant = issue(client, server, "pregnant")
    later = issue(client, server)
    assert pregnant["people_ahead"] == 0 and pregnant["position"] == 1
    assert later["people_ahead"] == 5  # the four before it and the pregnant citizen
    # A normal ticket taken at the same moment waits for the four and the priority citizen first.
    assert 0 < pregnant["estimated_wait_s"] < normals[1]["estimated_wait_s"] < later["estimated_wait_s"]

    seen = client.get(f"/api/v1/tickets/{pregnant['id']}", headers=staff).json()
    phone = client.get(f"/api/v1/public/tickets/{pregnant['public_code']}").json()
    # 20 s later (the next ticket was taken): the busy desk's visit has 20 s less to run.
    assert (seen["people_ahead"], seen["estimated_wait_s"]) == (0, pregnant["estimated_wait_s"] - 20)
    assert (phone["people_ahead"], phone["estimated_wait_s"]) == (0, seen["estimated_wait_s"])
    waiting_normal = client.get(f"/api/v1/tickets/{normals[1]['id']}", headers=staff).json()
    assert waiting_normal["people_ahead"] == 1  # the pregnant citizen goes first

    assert client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] == pregnant["id"]


def test_priority_citizens_behind_the_streak_limit_are_told_so(server: Server, client: TestClient) -> None:
    """At most two priority calls in a row while normal tickets wait: the third priority citizen waits for
    one normal call, and is told so."""
    normal = issue(client, server)
    staff = server.login(client, "canbo1")
    client.post("/api/v1/counters/1/open", headers=staff)
    first, second, third = (issue(client, server, "elderly") for _ in range(3))
    assert [first["people_ahead"], second["people_ahead"], third["people_ahead"]] == [0, 1, 3]
    order = [client.post("/api/v1/counters/1/call-next", headers=staff).json()["id"] for _ in range(4)]
    assert order == [first["id"], second["id"], normal["id"], third["id"]]


def test_with_no_desk_open_a_priority_ticket_still_counts_only_who_goes_first(
    server: Server, client: TestClient
) -> None:
    """No desk serves the line yet: the flow estimate (one desk assumed) over who the rule puts first."""
    normals = [issue(client, server) for _ in range(4)]
    pregnant = issue(client, server, "pregnant")
    elderly = issue(client, server, "elderly")
    assert [t["people_ahead"] for t in normals] == [0, 1, 2, 3]
    assert (pregnant["people_ahead"], elderly["people_ahead"]) == (0, 1)
    # One desk assumed: nobody before her, then one visit; a normal ticket with one ahead waits as long.
    assert pregnant["estimated_wait_s"] == 0
    assert elderly["estimated_wait_s"] == normals[1]["estimated_wait_s"] > 0
    staff = server.login(client, "canbo1")
    seen = client.get(f"/api/v1/tickets/{normals[0]['id']}", headers=staff).json()
    assert seen["people_ahead"] == 2  # both priority citizens go before the first normal ticket

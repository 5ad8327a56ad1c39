"""Issue 12, low: ratings could be forged with any device key. The counter's rating prompt gave any kiosk or
display, of any office, the public code of the visit just finished (which also opens the phone ticket page),
and that code rated it. Now the prompt goes only to a display of the ticket's office, and it carries a
one-time rating token bound to that visit by a keyed hash: it rates that visit once and nothing else."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from queue_server.clock import ManualClock
from tests.conftest import FIXTURES, T0
from tests.support import PASSWORD, Server, client_for, make_server

AB, BM = "CAXAB", "CAXBM"
KIOSK_AB = {"X-Device-Key": "kiosk-ab-key-for-tests-0001"}
BOARD_AB = {"X-Device-Key": "board-ab-key-for-tests-0001"}
BOARD_BM = {"X-Device-Key": "board-bm-key-for-tests-0001"}
PROMPT = "/api/v1/public/counters/1/rating-prompt"


@pytest.fixture
def server(database_url: str) -> Server:
    built = make_server(database_url, ManualClock(T0), config_dir=FIXTURES / "config" / "province")
    auth = built.services.auth
    auth.add_user(username="canbo-ab", role="staff", password=PASSWORD, office=AB)
    auth.add_device(name="kiosk-ab", role="kiosk", office=AB, key=KIOSK_AB["X-Device-Key"])
    auth.add_device(name="board-ab", role="display", office=AB, key=BOARD_AB["X-Device-Key"])
    auth.add_device(name="board-bm", role="display", office=BM, key=BOARD_BM["X-Device-Key"])
    return built


@pytest.fixture
def client(server: Server) -> Iterator[TestClient]:
    with client_for(server) as client:
        yield client


def _serve_one(server: Server, client: TestClient, *, finish: bool = True) -> dict[str, Any]:
    ticket = client.post("/api/v1/tickets", json={"queue": "A", "office": AB}, headers=KIOSK_AB)
    assert ticket.status_code == 201, ticket.text
    staff = server.login(client, "canbo-ab")
    assert client.post(f"/api/v1/counters/1/open?office={AB}", headers=staff).status_code == 200
    called = client.post(f"/api/v1/counters/1/call-next?office={AB}", headers=staff).json()
    if finish:
        done = client.post(f"/api/v1/tickets/{called['id']}/finish", headers=staff)
        assert done.status_code == 200, done.text
        return dict(done.json())
    return dict(called)


def _rate(client: TestClient, **body: Any) -> Any:
    return client.post("/api/v1/ratings", json={"score": 5, **body})


def test_only_a_display_of_the_tickets_office_is_given_a_token_and_never_the_ticket_code(
    server: Server, client: TestClient
) -> None:
    finished = _serve_one(server, client)
    kiosk = client.get(PROMPT, headers=KIOSK_AB)
    assert kiosk.status_code == 403, kiosk.text  # a kiosk key once read the code and rated with it
    other_office = client.get(PROMPT, headers=BOARD_BM)
    assert other_office.status_code == 204  # counter 1 of CAXBM finished nothing
    prompt = client.get(PROMPT, headers=BOARD_AB)
    assert prompt.status_code == 200, prompt.text
    assert finished["public_code"] not in prompt.text
    assert prompt.json()["number"] == finished["number"]

    token = prompt.json()["token"]
    assert _rate(client, token=token).status_code == 201
    again = _rate(client, token=token)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_rated"
    assert client.get(PROMPT, headers=BOARD_AB).status_code == 204


def test_a_forged_or_borrowed_token_rates_nothing(server: Server, client: TestClient) -> None:
    first = _serve_one(server, client)
    token = client.get(PROMPT, headers=BOARD_AB).json()["token"]
    ticket_id, _, mac = token.partition(".")
    second = _serve_one(server, client, finish=False)  # called, not finished
    for forged in (
        f"{ticket_id}.{mac[:-1]}{'0' if mac[-1] != '0' else '1'}",  # one character changed
        f"{second['id']}.{mac}",  # another visit with this visit's hash
        f"{ticket_id}.x",
        "99999.abc",
        "²²².abc",  # digits to str.isdigit, not to int()
        "99999999999999999999.abc",
        "not-a-token",
    ):
        answer = _rate(client, token=forged)
        assert answer.status_code == 422 and answer.json()["error"]["code"] == "bad_rating_token", forged
    assert _rate(client, ticket=second["public_code"]).json()["error"]["code"] == "ticket_not_finished"
    assert _rate(client, token=token).status_code == 201  # the real one still works, once
    assert _rate(client, ticket=first["public_code"]).json()["error"]["code"] == "already_rated"
    both = _rate(client, token=token, ticket=first["public_code"])
    assert both.status_code == 422
